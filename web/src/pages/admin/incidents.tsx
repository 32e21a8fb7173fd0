/**
 * 异常处理: what went wrong inside running cases and needs a person — a rule that threw on an
 * action or a timer, a batch of a case's records the database refused. The case went on either
 * way; the administrator reads what it means, fixes the cause, and marks the incident handled.
 */
import { useState } from 'react';
import { Alert, App, Button, Input, Popconfirm, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import { ACTION_NAMES, type ActionName } from '../../../../src/domain/case-rules';
import { api, query, usePagedList } from '../../api';
import { navigate } from '../../router';
import { bj, useWhileVisible } from '../../types';

type Kind = 'rule_failed' | 'record_refused';

interface Incident {
  id: number;
  kind: Kind | string;
  caseId: string | null;
  message: string;
  detail: Record<string, unknown> | null;
  at: string;
  resolvedAt: string | null;
  resolvedByName: string | null;
  /** what the administrator said they did */
  resolution: string | null;
}


const PAGE = 50;

/** Each kind in words: what it is, what it means for the case, what to do. */
const KINDS: Record<Kind, { name: string; color: string; means: string; todo: string }> = {
  rule_failed: {
    name: '规则执行异常',
    color: 'orange',
    means: '办理规则在处理一次操作或一个定时（临期提醒、超期、部门回复期限）时出错。操作出错时案件未作任何更改；定时出错时该提醒或超期处理未生效，直到案件有新的操作才重新计算。',
    todo: '打开案件核对环节和期限；排除原因（如工作日历未覆盖该年份则先更新日历），请承办人重新操作或继续办理，然后标记已处理。',
  },
  record_refused: {
    name: '记录写入异常',
    color: 'red',
    means: '数据库拒绝保存该案件的一批记录（清理文字后仍被拒绝）。流程照常进行，但列表、统计和导出中这几条记录可能缺失或不是最新。',
    todo: '根据原因修正（多为数据库无法保存的字符或超长内容），请技术人员补写记录并核对案件列表，然后标记已处理。',
  },
};

const TIMERS: Record<string, string> = { warn: '临期提醒', due: '到期（超期处理）', department: '部门回复期限' };

/** Where a rule failed (`timer due`, an action's name), in words. */
function whereText(where: unknown): string | undefined {
  if (typeof where !== 'string') return undefined;
  const timer = /^timer (\w+)$/.exec(where);
  if (timer) return `定时：${TIMERS[timer[1]!] ?? timer[1]}`;
  return `操作：${ACTION_NAMES[where as ActionName] ?? where}`;
}

/** The detail a person can use: where it failed, which of the case's records. */
function detailText(i: Incident): string[] {
  const d = i.detail ?? {};
  const out: string[] = [];
  const where = whereText(d.where);
  if (where) out.push(where);
  if (typeof d.fromSeq === 'number' && typeof d.toSeq === 'number') out.push(`案件记录第 ${d.fromSeq}–${d.toSeq} 条`);
  else if (typeof d.seq === 'number') out.push(`案件记录第 ${d.seq} 条`);
  return out;
}

const resolvePath = (id: number) => `/api/admin/incidents/${id}/resolve`;

/** `readsCases`: the person may also read cases (a steward or a manager): the case numbers link to them. */
export default function AdminIncidents({ readsCases }: { readsCases: boolean }) {
  const { message } = App.useApp();
  const [open, setOpen] = useState<'true' | 'all' | 'false'>('true');
  const [kind, setKind] = useState<Kind | 'all'>('all');
  const [caseId, setCaseId] = useState('');
  const [busy, setBusy] = useState<number>();
  const [note, setNote] = useState('');

  const { items, setItems, loading, error, hasMore, reload, more } = usePagedList<Incident, number>(async (before) => {
    const page = await api.get<{ items: Incident[]; nextBefore: number | null }>(
      `/api/admin/incidents${query({ open: open === 'all' ? undefined : open, kind: kind === 'all' ? undefined : kind, caseId: caseId.trim() || undefined, pageSize: PAGE, before })}`,
    );
    return { items: page.items, next: page.nextBefore };
  }, [open, kind, caseId]);
  // new incidents show without a reload, unless the administrator has walked past the first page
  useWhileVisible(() => ((items?.length ?? 0) <= PAGE ? reload() : undefined), 30_000);

  async function resolve(i: Incident) {
    setBusy(i.id);
    try {
      const done = await api.post<Incident>(resolvePath(i.id), note.trim() ? { note: note.trim() } : {});
      message.success(`已标记处理：事件 ${i.id}`);
      setItems((prev) => prev?.map((x) => (x.id === i.id ? done : x)));
      setNote('');
    } catch (err) {
      message.error((err as Error).message);
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Title level={4} style={{ margin: 0 }}>
        异常处理
      </Typography.Title>
      <Typography.Text type="secondary">办理中的诉求出现的异常。诉求不会因此停止，但需要管理员查明原因、处理后标记。</Typography.Text>
      <Space wrap>
        <Radio.Group
          aria-label="处理状态"
          value={open}
          onChange={(e) => setOpen(e.target.value as typeof open)}
          options={[
            { value: 'true', label: '未处理' },
            { value: 'false', label: '已处理' },
            { value: 'all', label: '全部' },
          ]}
          optionType="button"
        />
        <Select
          aria-label="异常类型"
          value={kind}
          onChange={setKind}
          style={{ width: 160 }}
          options={[{ value: 'all', label: '全部类型' }, ...Object.entries(KINDS).map(([k, v]) => ({ value: k, label: v.name }))]}
        />
        <Input.Search aria-label="按案件编号筛选" placeholder="案件编号（留空为全部）" enterButton="筛选" onSearch={(v) => setCaseId(v)} style={{ width: 260, maxWidth: '100%' }} />
        <Button onClick={() => reload()}>刷新</Button>
      </Space>
      {error && <Alert type="error" showIcon message={error} role="alert" />}
      <Table<Incident>
        rowKey="id"
        size="small"
        loading={loading && !items}
        dataSource={items ?? []}
        pagination={false}
        scroll={{ x: 900 }}
        locale={{ emptyText: open === 'true' ? '没有未处理的异常' : '没有符合条件的异常' }}
        columns={[
          {
            title: '异常',
            key: 'kind',
            width: 300,
            render: (_, i) => {
              const k = KINDS[i.kind as Kind];
              return (
                <>
                  <Tag color={k?.color}>{k?.name ?? i.kind}</Tag>
                  <span style={{ fontSize: 12, color: '#888' }}>#{i.id}</span>
                  {k && <div style={{ fontSize: 12, marginTop: 4 }}>{k.means}</div>}
                </>
              );
            },
          },
          {
            title: '案件',
            key: 'case',
            width: 160,
            render: (_, i) =>
              i.caseId && !readsCases ? (
                // an administrator alone does not read cases: the number is for telling the stewards
                <Typography.Text copyable>{i.caseId}</Typography.Text>
              ) : i.caseId ? (
                <a href={`/cases/${encodeURIComponent(i.caseId)}`} onClick={(e) => (e.preventDefault(), navigate(`/cases/${encodeURIComponent(i.caseId!)}`))}>
                  {i.caseId}
                </a>
              ) : (
                '—'
              ),
          },
          {
            title: '情况与处理建议',
            key: 'what',
            render: (_, i) => (
              <>
                <div style={{ wordBreak: 'break-word' }}>{i.message}</div>
                {detailText(i).length > 0 && <div style={{ fontSize: 12, color: '#888' }}>{detailText(i).join(' · ')}</div>}
                {KINDS[i.kind as Kind] && <div style={{ fontSize: 12, marginTop: 4 }}>处理建议：{KINDS[i.kind as Kind].todo}</div>}
              </>
            ),
          },
          { title: '发生时间', dataIndex: 'at', width: 140, render: (t: string) => bj(t) },
          {
            title: '状态',
            key: 'state',
            width: 150,
            render: (_, i) =>
              i.resolvedAt ? (
                <>
                  <Tag color="green">已处理</Tag>
                  <div style={{ fontSize: 12, color: '#888' }}>
                    {bj(i.resolvedAt)}
                    {i.resolvedByName && <div>处理人：{i.resolvedByName}</div>}
                    {i.resolution && <div>处理说明：{i.resolution}</div>}
                  </div>
                </>
              ) : (
                <Tag color="red">未处理</Tag>
              ),
          },
          {
            title: '操作',
            key: 'act',
            width: 110,
            render: (_, i) =>
              i.resolvedAt ? null : (
                <Popconfirm
                  title="标记为已处理？"
                  description={
                    <Space direction="vertical" style={{ maxWidth: 320 }}>
                      <span>请确认已查明原因并处理；标记后它将不在“未处理”中显示，操作记入审计日志。</span>
                      <Input.TextArea aria-label="处理说明" placeholder="处理说明（选填）：查明的原因和采取的措施" rows={2} maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} />
                    </Space>
                  }
                  onOpenChange={(opened) => opened && setNote('')}
                  okText="标记已处理"
                  cancelText="取消"
                  onConfirm={() => resolve(i)}
                >
                  <Button size="small" loading={busy === i.id} aria-label={`标记已处理 事件 ${i.id}`}>
                    标记已处理
                  </Button>
                </Popconfirm>
              ),
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
