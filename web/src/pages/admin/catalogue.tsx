/**
 * 服务目录: the catalogue's items with their time limits as a person reads them, each item's
 * versions with what changed, and a change (a new version; running cases keep theirs).
 */
import { DEFAULT_POLICY } from '../../../../src/domain/policy';
import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Descriptions, Form, Input, InputNumber, Modal, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { api } from '../../api';
import { bj } from '../../types';
import { issuesToFields, labelled } from './http';

interface Duration {
  value: number;
  unit: string;
}
type Durations = Record<SimpleKey, Duration> & { escalation: { 2: Duration; 3: Duration }; warnAt: number; enterpriseFeedback: boolean };
type PolicyText = Record<SimpleKey, string> & { escalation: { 2: string; 3: string }; warnAt: string };

interface Item {
  code: string;
  version: number;
  name: string;
  departmentId: string | null;
  departmentHint: string | null;
  active: boolean;
  changedBy: string;
  note: string | null;
  createdAt: string;
  policy: Durations;
  policyText: PolicyText;
}

const SIMPLE_KEYS = ['response', 'urgentResponse', 'resolution', 'reminderEvery', 'departmentReply', 'followUpDelay', 'followUpWindow', 'extensionCap'] as const;
type SimpleKey = (typeof SIMPLE_KEYS)[number];

/** every duration of a policy, with its path in the policy and its name */
const LIMITS: { path: [string] | ['escalation', '2' | '3']; label: string }[] = [
  { path: ['response'], label: '签收时限' },
  { path: ['urgentResponse'], label: '紧急诉求签收时限' },
  { path: ['resolution'], label: '办结时限' },
  { path: ['escalation', '2'], label: '上报分楼长后时限' },
  { path: ['escalation', '3'], label: '上报总楼长后时限' },
  { path: ['reminderEvery'], label: '督办提醒间隔' },
  { path: ['departmentReply'], label: '部门回复时限' },
  { path: ['followUpDelay'], label: '办结后回访等待' },
  { path: ['followUpWindow'], label: '回访期限' },
  { path: ['extensionCap'], label: '延期累计上限' },
];

const UNITS = [
  { value: 'working_days', label: '个工作日' },
  { value: 'working_hours', label: '个工作小时' },
  { value: 'days', label: '个自然日' },
  { value: 'hours', label: '小时' },
  { value: 'minutes', label: '分钟' },
  { value: 'seconds', label: '秒' },
];

const at = (obj: unknown, path: readonly string[]) => path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
const same = (a?: Duration, b?: Duration) => a?.value === b?.value && a?.unit === b?.unit;

/** What changed from one version to the next, in words. */
function changes(prev: Item | undefined, next: Item, departments: Map<string, string>): string[] {
  if (!prev) return ['初始版本'];
  const out: string[] = [];
  if (prev.name !== next.name) out.push(`名称：${prev.name} → ${next.name}`);
  if (prev.departmentId !== next.departmentId) {
    const dn = (id: string | null) => (id ? (departments.get(id) ?? id) : '无');
    out.push(`责任部门：${dn(prev.departmentId)} → ${dn(next.departmentId)}`);
  }
  if (prev.departmentHint !== next.departmentHint) out.push(`部门说明：${prev.departmentHint ?? '无'} → ${next.departmentHint ?? '无'}`);
  if (prev.active !== next.active) out.push(`状态：${prev.active ? '启用' : '停用'} → ${next.active ? '启用' : '停用'}`);
  for (const l of LIMITS) {
    const [a, b] = [at(prev.policyText, l.path), at(next.policyText, l.path)];
    if (a !== b) out.push(`${l.label}：${String(a)} → ${String(b)}`);
  }
  if (prev.policyText.warnAt !== next.policyText.warnAt) out.push(`临期提醒点：${prev.policyText.warnAt} → ${next.policyText.warnAt}`);
  if (!!prev.policy.enterpriseFeedback !== !!next.policy.enterpriseFeedback) out.push(`企业自评：${feedbackText(prev)} → ${feedbackText(next)}`);
  return out.length ? out : ['时限未变'];
}

/** whether the enterprise may give its own 回访 answer (versions before the setting existed: no) */
const feedbackText = (i: Item) => (i.policy.enterpriseFeedback ? '允许' : '不允许');

const Active = ({ on }: { on: boolean }) => <Tag color={on ? 'green' : 'default'}>{on ? '启用' : '停用'}</Tag>;

export default function AdminCatalogue() {
  const [items, setItems] = useState<Item[]>();
  const [departments, setDepartments] = useState<{ id: string; name: string }[]>([]);
  const [error, setError] = useState<string>();
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<{ item?: Item }>();
  const [history, setHistory] = useState<Item>();

  const load = useCallback(async () => {
    setError(undefined);
    try {
      setItems((await api.get<{ items: Item[] }>('/api/catalogue')).items);
    } catch (err) {
      setError((err as Error).message);
    }
  }, []);
  useEffect(() => {
    void load();
    api.get<{ departments: { id: string; name: string }[] }>('/api/admin/directory').then(
      (d) => setDepartments(d.departments),
      (e: Error) => setError(e.message),
    );
  }, [load]);

  const deptNames = new Map(departments.map((d) => [d.id, d.name]));
  const needle = search.trim().toLowerCase();
  const shown = (items ?? []).filter(
    (i) => !needle || [i.code, i.name, i.departmentHint ?? '', i.departmentId ? (deptNames.get(i.departmentId) ?? '') : ''].join(' ').toLowerCase().includes(needle),
  );

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Title level={4} style={{ margin: 0 }}>
        服务目录
      </Typography.Title>
      <Typography.Text type="secondary">修改事项即生成新版本；已受理的诉求仍按受理时的版本计时。</Typography.Text>
      {error && <Alert type="error" showIcon message={error} role="alert" />}
      <Space wrap>
        <Input
          aria-label="搜索服务事项"
          placeholder="搜索：事项名称、编码、部门"
          allowClear
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          style={{ width: 260, maxWidth: '100%' }}
        />
        <Button type="primary" onClick={() => setEditing({})} disabled={!items}>
          新增事项
        </Button>
        <Button onClick={() => load()}>刷新</Button>
      </Space>
      <Table<Item>
        rowKey="code"
        size="small"
        loading={!items && !error}
        dataSource={shown}
        pagination={false}
        scroll={{ x: 720 }}
        expandable={{
          expandedRowRender: (i) => <Limits item={i} />,
          rowExpandable: () => true,
        }}
        locale={{ emptyText: needle ? `没有符合“${search.trim()}”的事项` : '暂无服务事项' }}
        columns={[
          {
            title: '事项',
            key: 'name',
            render: (_, i) => (
              <>
                {i.name}
                <div style={{ fontSize: 12, color: '#888' }}>{i.code}</div>
              </>
            ),
          },
          {
            title: '责任部门',
            key: 'dept',
            render: (_, i) => (i.departmentId ? labelled(deptNames.get(i.departmentId), i.departmentId) : (i.departmentHint ?? '—')),
            responsive: ['md'],
          },
          {
            title: '签收时限',
            key: 'response',
            render: (_, i) => (
              <>
                {i.policyText.response}
                <div style={{ fontSize: 12, color: '#888' }}>紧急 {i.policyText.urgentResponse}</div>
              </>
            ),
          },
          { title: '办结时限', key: 'resolution', render: (_, i) => <span data-testid={`resolution-${i.code}`}>{i.policyText.resolution}</span> },
          {
            title: '版本',
            key: 'version',
            width: 130,
            render: (_, i) => (
              <>
                第 {i.version} 版<div style={{ fontSize: 12, color: '#888' }}>{bj(i.createdAt)}</div>
              </>
            ),
            responsive: ['sm'],
          },
          {
            title: '企业自评',
            key: 'feedback',
            width: 90,
            render: (_, i) => <span data-testid={`feedback-${i.code}`}>{feedbackText(i)}</span>,
            responsive: ['lg'],
          },
          { title: '状态', dataIndex: 'active', width: 70, render: (a: boolean) => <Active on={a} /> },
          {
            title: '操作',
            key: 'actions',
            width: 150,
            render: (_, i) => (
              <Space size={4} wrap>
                <Button size="small" aria-label={`编辑 ${i.name}`} onClick={() => setEditing({ item: i })}>
                  编辑
                </Button>
                <Button size="small" aria-label={`版本记录 ${i.name}`} onClick={() => setHistory(i)}>
                  版本记录
                </Button>
              </Space>
            ),
          },
        ]}
      />
      {editing && (
        <EditItem
          item={editing.item}
          departments={departments}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            void load();
          }}
        />
      )}
      {history && <Versions item={history} departments={deptNames} onClose={() => setHistory(undefined)} />}
    </Space>
  );
}

function Limits({ item }: { item: Item }) {
  return (
    <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }} bordered>
      {LIMITS.map((l) => (
        <Descriptions.Item key={l.path.join('.')} label={l.label}>
          {String(at(item.policyText, l.path))}
        </Descriptions.Item>
      ))}
      <Descriptions.Item label="临期提醒点">时限过去 {item.policyText.warnAt} 时</Descriptions.Item>
      <Descriptions.Item label="企业自评">{item.policy.enterpriseFeedback ? '允许：回访时企业可自行评价满意度' : '不允许：由楼长回访登记'}</Descriptions.Item>
      <Descriptions.Item label="最近修改">
        {item.changedBy}
        {item.note ? `：${item.note}` : ''}
      </Descriptions.Item>
    </Descriptions>
  );
}

function Versions({ item, departments, onClose }: { item: Item; departments: Map<string, string>; onClose(): void }) {
  const [versions, setVersions] = useState<Item[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api.get<{ versions: Item[] }>(`/api/catalogue/${encodeURIComponent(item.code)}`).then(
      (r) => setVersions(r.versions),
      (e: Error) => setError(e.message),
    );
  }, [item.code]);
  return (
    <Modal open title={`版本记录：${item.name}（${item.code}）`} footer={null} onCancel={onClose} width={760} destroyOnHidden>
      {error && <Alert type="error" showIcon message={error} role="alert" />}
      <Table<Item>
        rowKey="version"
        size="small"
        loading={!versions && !error}
        dataSource={versions ?? []}
        pagination={false}
        scroll={{ x: 600 }}
        columns={[
          { title: '版本', dataIndex: 'version', width: 70, render: (v: number, i) => (i.version === versions?.[0]?.version ? `第 ${v} 版（现行）` : `第 ${v} 版`) },
          { title: '时间', dataIndex: 'createdAt', width: 140, render: (t: string) => bj(t) },
          { title: '修改人', dataIndex: 'changedBy', width: 110 },
          {
            title: '变更',
            key: 'changes',
            render: (_, v, idx) => (
              <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                {changes(versions?.[idx + 1], v, departments).map((c) => (
                  <li key={c}>{c}</li>
                ))}
              </ul>
            ),
          },
          { title: '说明', dataIndex: 'note', render: (n: string | null) => n ?? '—' },
        ]}
      />
    </Modal>
  );
}

interface FormValues {
  code: string;
  name: string;
  departmentId?: string | null;
  departmentHint?: string;
  active: boolean;
  note?: string;
  policy: Durations;
  warnAtPercent: number;
}

function EditItem(props: { item?: Item; departments: { id: string; name: string }[]; onClose(): void; onSaved(): void }) {
  const { item } = props;
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string[]>();
  const base = item?.policy ?? (DEFAULT_POLICY as unknown as Durations);

  async function submit(v: FormValues) {
    // only what was changed: the version's audit names the changed parts, and the rest carries over
    const policy: Record<string, unknown> = {};
    for (const k of SIMPLE_KEYS) if (!item || !same(v.policy[k], base[k])) policy[k] = v.policy[k];
    if (!item || !same(v.policy.escalation[2], base.escalation[2]) || !same(v.policy.escalation[3], base.escalation[3])) policy.escalation = v.policy.escalation;
    const warnAt = Math.round(v.warnAtPercent) / 100;
    if (!item || warnAt !== base.warnAt) policy.warnAt = warnAt;
    if (!item || v.policy.enterpriseFeedback !== !!base.enterpriseFeedback) policy.enterpriseFeedback = v.policy.enterpriseFeedback;
    const body: Record<string, unknown> = {};
    if (!item || v.name.trim() !== item.name) body.name = v.name.trim();
    const departmentId = v.departmentId ?? null;
    if (!item || departmentId !== item.departmentId) body.departmentId = departmentId;
    const hint = v.departmentHint?.trim() || null;
    if (!item || hint !== item.departmentHint) body.departmentHint = hint;
    if (!item || v.active !== item.active) body.active = v.active;
    if (Object.keys(policy).length) body.policy = policy;
    if (item && !Object.keys(body).length) {
      setProblem(['没有修改任何内容，未生成新版本']);
      return;
    }
    if (v.note?.trim()) body.note = v.note.trim();

    setBusy(true);
    setProblem(undefined);
    try {
      const { data } = await api.put<Item>(`/api/catalogue/${encodeURIComponent(v.code.trim())}`, body);
      message.success(`已保存：${data.name} 第 ${data.version} 版`);
      props.onSaved();
    } catch (err) {
      const { onFields, elsewhere } = issuesToFields(err, new Set(['code', 'name', 'departmentId', 'departmentHint', 'active', 'note', 'policy']));
      // the form shows warnAt as a percentage
      for (const f of onFields) if (f.name.join('.') === 'policy.warnAt') f.name = ['warnAtPercent'];
      form.setFields(onFields as never);
      setProblem(onFields.length ? ['未保存：请按标出的字段修改', ...elsewhere] : elsewhere);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      title={item ? `编辑服务事项：${item.name}` : '新增服务事项'}
      okText="保存（生成新版本）"
      cancelText="取消"
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={props.onClose}
      destroyOnHidden
      width={640}
    >
      {problem && (
        <Alert type="error" showIcon role="alert" style={{ marginBottom: 12 }} message={problem[0]} description={problem.length > 1 ? problem.slice(1).join('；') : undefined} />
      )}
      <Form<FormValues>
        form={form}
        layout="vertical"
        onFinish={submit}
        aria-label="服务事项表单"
        initialValues={{
          code: item?.code,
          name: item?.name,
          departmentId: item?.departmentId ?? undefined,
          departmentHint: item?.departmentHint ?? undefined,
          active: item?.active ?? true,
          policy: { ...Object.fromEntries(SIMPLE_KEYS.map((k) => [k, base[k]])), escalation: base.escalation, enterpriseFeedback: !!base.enterpriseFeedback } as Durations,
          warnAtPercent: Math.round(base.warnAt * 100),
        }}
      >
        <Form.Item
          name="code"
          label="事项编码"
          extra="小写字母开头，小写字母、数字和下划线，2–50 位；保存后不可修改"
          rules={[{ required: true, whitespace: true, message: '请填写事项编码' }]}
        >
          <Input disabled={!!item} />
        </Form.Item>
        <Form.Item name="name" label="事项名称" rules={[{ required: true, whitespace: true, message: '请填写事项名称' }]}>
          <Input />
        </Form.Item>
        <Form.Item name="departmentId" label="责任部门">
          <Select allowClear showSearch={{ optionFilterProp: 'label' }} placeholder="不指定" options={props.departments.map((d) => ({ value: d.id, label: labelled(d.name, d.id) }))} />
        </Form.Item>
        <Form.Item name="departmentHint" label="部门说明" extra="未指定责任部门时给楼长的提示，如“市场监管所”">
          <Input />
        </Form.Item>
        <Form.Item name="active" label="启用" valuePropName="checked" extra="停用后企业不能再选此事项提交诉求">
          <Switch checkedChildren="启用" unCheckedChildren="停用" />
        </Form.Item>
        <Typography.Title level={5}>时限</Typography.Title>
        <Typography.Paragraph type="secondary" style={{ marginTop: -4 }}>
          工作日、工作小时按法定工作日历和办公时间计算；每种单位最长约一年。
        </Typography.Paragraph>
        {LIMITS.map((l) => (
          // one label over two controls: each control names itself for screen readers, errors of either show here
          <Form.Item key={l.path.join('.')} label={l.label} required>
            <Space.Compact>
              <Form.Item name={['policy', ...l.path, 'value']} noStyle rules={[{ required: true, message: `请填写${l.label}` }]}>
                <InputNumber aria-label={`${l.label} 数值`} min={1} precision={0} style={{ width: 110 }} />
              </Form.Item>
              <Form.Item name={['policy', ...l.path, 'unit']} noStyle rules={[{ required: true, message: '请选择单位' }]}>
                <Select aria-label={`${l.label} 单位`} options={UNITS} style={{ width: 130 }} />
              </Form.Item>
            </Space.Compact>
          </Form.Item>
        ))}
        <Form.Item name="warnAtPercent" label="临期提醒点" extra="时限过去这一比例时提醒承办人（黄灯），5%–95%" rules={[{ required: true, message: '请填写临期提醒点' }]}>
          <InputNumber min={5} max={95} precision={0} suffix="%" style={{ width: 130 }} />
        </Form.Item>
        <Typography.Title level={5}>回访</Typography.Title>
        <Form.Item
          name={['policy', 'enterpriseFeedback']}
          label="企业自评"
          valuePropName="checked"
          extra="允许后，回访阶段企业可自行评价满意度，不必等楼长回访；已受理的诉求仍按受理时的设定"
        >
          <Switch checkedChildren="允许" unCheckedChildren="不允许" />
        </Form.Item>
        <Form.Item name="note" label="变更说明" extra="记入版本记录，如“区政府新规”">
          <Input.TextArea rows={2} maxLength={1000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
