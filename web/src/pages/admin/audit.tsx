/**
 * 审计日志: who changed what, and who read a case's private data — newest first, filtered by
 * object, action, person and day (Beijing time), paged along the log's own cursor.
 */
import { useEffect, useState } from 'react';
import { Alert, Button, DatePicker, Descriptions, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { ACTION_NAMES, type ActionName } from '../../../../src/domain/case-rules';
import { api, query, usePagedList } from '../../api';
import { navigate } from '../../router';
import { bj } from '../../types';

interface Entry {
  id: number;
  at: string;
  personId: string | null;
  subject: string | null;
  action: string;
  target: string;
  status: number;
  ip: string | null;
  requestId: string | null;
  townId: string | null;
  detail: unknown;
}

interface Filters {
  target?: string;
  action?: string;
  personId?: string;
  /** days, `2026-11-23` */
  from?: string;
  to?: string;
}
/** a DatePicker's value (dayjs, which antd brings) as far as this page uses it */
type Day = { format(template: string): string };
type FormValues = Omit<Filters, 'from' | 'to'> & { from?: Day | null; to?: Day | null };

const PAGE = 50;

/** The case action routes (`case.<path>`) by the workflow action each one is. */
const CASE_ACTIONS: Record<string, ActionName> = {
  acknowledge: 'acknowledge',
  decline: 'decline',
  propose: 'propose',
  approve: 'approve',
  reject: 'rejectProposal',
  reassign: 'reassign',
  dispatch: 'dispatch',
  'department-accept': 'departmentAccept',
  'department-reply': 'departmentReply',
  'department-return': 'departmentReturn',
  'follow-up': 'recordFollowUp',
  withdraw: 'withdraw',
  pause: 'pause',
  'supply-info': 'resume',
  'request-extension': 'requestExtension',
  'decide-extension': 'decideExtension',
};

const NOUNS: Record<string, string> = { town: '街道', area: '园区', building: '楼宇', steward: '楼长岗位', department: '部门', enterprise: '企业', person: '人员' };

const ACTIONS: Record<string, string> = {
  'case.open': '提交诉求',
  'case.read': '查看案件',
  'case.export': '导出案件',
  'stats.report': '导出考核报表',
  'catalogue.change': '修改服务目录',
  'incident.resolve': '标记异常已处理',
  'directory.read': '查看组织目录',
  'directory.admin.read': '查看组织目录（含联系方式）',
  'directory.people.read': '查看人员名单',
  'directory.grant.create': '授予角色',
  'directory.grant.revoke': '撤销授权',
  'directory.import': '批量导入',
  'directory.steward.handover': '楼长岗位交接',
  'directory.steward.holders.read': '查看岗位持有记录',
  'department.callback': '部门系统回调',
  'codec.decode': '解密流程数据',
  ...Object.fromEntries(Object.entries(NOUNS).map(([noun, name]) => [`directory.${noun}.put`, `新增/修改${name}`])),
  ...Object.fromEntries(Object.entries(CASE_ACTIONS).map(([path, name]) => [`case.${path}`, `案件：${ACTION_NAMES[name]}`])),
};

const actionText = (a: string) => ACTIONS[a] ?? a;

const TARGETS: Record<string, string> = { ...NOUNS, catalogue: '服务事项', import: '批量导入', temporal: '流程数据' };
const WHOLE: Record<string, string> = { people: '人员名单', directory: '组织目录', cases: '案件列表', stats: '考核统计' };

function Target({ target, readsCases }: { target: string; readsCases: boolean }) {
  const m = /^([a-z]+):(.+)$/.exec(target);
  if (m?.[1] === 'case' && !readsCases) return <>{`案件 ${m[2]}`}</>;
  if (m?.[1] === 'case') {
    const href = `/cases/${encodeURIComponent(m[2]!)}`;
    return (
      <a href={href} onClick={(e) => (e.preventDefault(), navigate(href))}>
        案件 {m[2]}
      </a>
    );
  }
  if (m && TARGETS[m[1]!]) return <>{`${TARGETS[m[1]!]} ${m[2]}`}</>;
  return <span style={{ wordBreak: 'break-all' }}>{WHOLE[target] ?? target}</span>;
}

/** The outcome in words beside its code: colour is never the only sign. */
function Status({ code }: { code: number }) {
  const ok = code < 400;
  const word = ok
    ? '成功'
    : ({ 400: '请求有误', 401: '未登录', 403: '无权限', 404: '不存在', 409: '冲突', 413: '内容过大', 422: '被拒绝', 429: '过于频繁' } as Record<number, string>)[code] ??
      (code >= 500 ? '服务出错' : '失败');
  return <Tag color={ok ? 'green' : code >= 500 ? 'red' : 'orange'}>{`${word} ${code}`}</Tag>;
}

/** A day picked in the form (`2026-11-23`) as the start of that day in Beijing time; `next` the start of the day after. */
function beijingDay(day: string | undefined, next = false): string | undefined {
  if (!day) return undefined;
  const d = new Date(`${day}T00:00:00+08:00`);
  if (next) d.setTime(d.getTime() + 86_400_000);
  // in +08:00 again, as the API takes it
  return new Date(d.getTime() + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
}

/** `readsCases`: the person may also read cases (a steward or a manager): case objects link to them. */
export default function AdminAudit({ readsCases }: { readsCases: boolean }) {
  const [form] = Form.useForm<FormValues>();
  // a link may name the object: /admin/audit?target=case:C20261122-ABC234
  const [initial] = useState<Filters>(() => ({ target: new URLSearchParams(location.search).get('target') ?? undefined }));
  const [filters, setFilters] = useState<Filters>(initial);
  const [people, setPeople] = useState<{ id: string; subject: string; name: string }[]>([]);

  useEffect(() => {
    api.get<{ items: { id: string; subject: string; name: string }[] }>('/api/admin/people').then(
      (r) => setPeople(r.items),
      // names are a help: the log reads with ids too
      () => undefined,
    );
  }, []);
  const names = new Map(people.map((p) => [p.id, p.name]));

  const { items: rows, loading, error, hasMore, more } = usePagedList<Entry, number>(async (before) => {
    const page = await api.get<{ items: Entry[]; nextBefore: number | null }>(
      `/api/audit${query({
        target: filters.target?.trim(),
        action: filters.action,
        personId: filters.personId,
        from: beijingDay(filters.from),
        to: beijingDay(filters.to, true),
        pageSize: PAGE,
        before,
      })}`,
    );
    return { items: page.items, next: page.nextBefore };
  }, [filters]);

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Title level={4} style={{ margin: 0 }}>
        审计日志
      </Typography.Title>
      <Typography.Text type="secondary">每一次修改，以及每一次查看案件中的企业信息，都记录在此（只增不改），最新的在前。时间为北京时间。</Typography.Text>
      <Form<FormValues>
        form={form}
        layout="inline"
        aria-label="审计日志筛选"
        initialValues={initial}
        onFinish={(v) =>
          setFilters({ target: v.target?.trim() || undefined, action: v.action, personId: v.personId, from: v.from?.format('YYYY-MM-DD'), to: v.to?.format('YYYY-MM-DD') })
        }
        style={{ rowGap: 8 }}
      >
        <Form.Item name="target" label="对象">
          {/* no allowClear: antd's clear button has no name a screen reader can read; 清空 clears */}
          <Input placeholder="如 case:C20261122-ABC234、catalogue:编码" style={{ width: 250 }} />
        </Form.Item>
        <Form.Item name="action" label="操作">
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder="全部操作"
            style={{ width: 200 }}
            options={Object.entries(ACTIONS).map(([value, label]) => ({ value, label }))}
          />
        </Form.Item>
        <Form.Item name="personId" label="人员">
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder="全部人员"
            style={{ width: 180 }}
            options={people.map((p) => ({ value: p.id, label: `${p.name}（${p.subject}）` }))}
          />
        </Form.Item>
        <Form.Item name="from" label="起始日期">
          <DatePicker placeholder="不限" style={{ width: 140 }} />
        </Form.Item>
        <Form.Item name="to" label="截止日期">
          <DatePicker placeholder="不限" style={{ width: 140 }} />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">
              查询
            </Button>
            <Button
              onClick={() => {
                form.setFieldsValue({ target: undefined, action: undefined, personId: undefined, from: null, to: null });
                setFilters({});
              }}
            >
              清空
            </Button>
          </Space>
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon message={error} role="alert" />}
      <Table<Entry>
        rowKey="id"
        size="small"
        loading={loading && !rows}
        dataSource={rows ?? []}
        pagination={false}
        scroll={{ x: 900 }}
        locale={{ emptyText: '没有符合条件的记录' }}
        expandable={{
          expandedRowRender: (e) => (
            <Descriptions size="small" column={{ xs: 1, sm: 2 }} bordered>
              <Descriptions.Item label="操作代码">{e.action}</Descriptions.Item>
              <Descriptions.Item label="对象原文">{e.target}</Descriptions.Item>
              <Descriptions.Item label="来源地址">{e.ip ?? '—'}</Descriptions.Item>
              <Descriptions.Item label="所属街道">{e.townId ?? '—'}</Descriptions.Item>
              <Descriptions.Item label="详情" span={2}>
                <code style={{ wordBreak: 'break-all' }}>{e.detail == null ? '—' : JSON.stringify(e.detail)}</code>
              </Descriptions.Item>
            </Descriptions>
          ),
          rowExpandable: () => true,
        }}
        columns={[
          { title: '时间', dataIndex: 'at', width: 140, render: (t: string) => bj(t) },
          {
            title: '人员',
            key: 'who',
            width: 150,
            render: (_, e) => {
              const name = e.personId ? names.get(e.personId) : undefined;
              if (!name && !e.subject) return <Typography.Text type="secondary">未登录</Typography.Text>;
              return (
                <>
                  {name ?? e.subject}
                  {name && e.subject && <div style={{ fontSize: 12, color: '#888' }}>{e.subject}</div>}
                </>
              );
            },
          },
          {
            title: '操作',
            key: 'action',
            width: 190,
            render: (_, e) => (
              <>
                {actionText(e.action)}
                {ACTIONS[e.action] && <div style={{ fontSize: 12, color: '#888' }}>{e.action}</div>}
              </>
            ),
          },
          { title: '对象', dataIndex: 'target', render: (t: string) => <Target target={t} readsCases={readsCases} /> },
          { title: '结果', dataIndex: 'status', width: 110, render: (s: number) => <Status code={s} /> },
          {
            title: '请求编号',
            dataIndex: 'requestId',
            width: 150,
            responsive: ['lg'],
            render: (r: string | null) => (r ? <Typography.Text copyable={{ text: r, tooltips: ['复制请求编号', '已复制'] }} style={{ fontSize: 12, fontFamily: 'monospace', wordBreak: 'break-all' }}>{r}</Typography.Text> : '—'),
          },
        ]}
      />
      {hasMore && (
        <Button block onClick={() => more()} loading={loading}>
          加载更多
        </Button>
      )}
    </Space>
  );
}
