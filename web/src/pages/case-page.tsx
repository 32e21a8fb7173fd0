/** One case: parties, request, clocks with their countdowns, tasks, history, and the allowed actions. */
import { EVENT_NAMES, LEVEL_NAMES, SATISFACTION_NAMES, URGENCY_NAMES, type Satisfaction, type Urgency } from '../../../src/domain/case-model';
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, DatePicker, Descriptions, Form, Input, Modal, Radio, Select, Space, Spin, Table, Tag, Timeline, Typography } from 'antd';
import { api, ApiError, fieldOf } from '../api';
import { bj, lightOf, STAGE_NAMES, useWhileVisible } from '../types';
import { ActionBodies, checked } from '../validation';
import { ACTION_FORMS, bodyOf, SATISFACTION_OPTIONS } from './actions';

interface Clock {
  dueAt?: string;
  metAt?: string | null;
  remainingText?: string | null;
  breached?: boolean;
  paused?: boolean;
  overdue?: boolean;
  atRisk?: boolean;
}

interface CaseView {
  caseId: string;
  stage: string;
  parties: { building: { id: string; name: string }; enterprise: { id: string; name: string } };
  request: { category: string; title: string; description: string; urgency: string; contact?: { name?: string; phone?: string }; attachments?: Attachment[] };
  openedAt: string;
  outcome?: string;
  owner?: { id: string; name: string; level: number };
  /** the steward chain (not in a department's view) */
  chain?: Record<string, { id: string; name: string; level: number }>;
  overdue?: boolean;
  atRisk?: boolean;
  tasks: Task[];
  pauses?: { since: string; until?: string; reason: string; by: Who; resumedBy?: Who }[];
  /** the pause under way (the case awaits the enterprise): `pauses` holds only those that ended */
  pause?: { since: string; reason: string; by: Who };
  extensions?: { requestedAt: string; by: Who; reason: string; fromDueAt: string; newDueAt: string; status: 'pending' | 'approved' | 'refused'; decidedAt?: string; decidedBy?: Who; decisionReason?: string }[];
  /** the extension awaiting its decision: `extensions` holds only those decided */
  extension?: { requestedAt: string; by: Who; reason: string; fromDueAt: string; newDueAt: string; status: 'pending' };
  proposal?: { text: string; by: Who; at: string; source: 'steward' | 'department' };
  satisfaction?: Satisfaction;
  clocks?: { response?: Clock; resolution?: Clock; current?: (Clock & { step?: string; level?: number }) | null };
  history?: { seq: number; at: string; type: string; actor: { kind: string; id: string }; reason?: string; detail: Record<string, unknown> }[];
  allowedActions?: string[];
}

interface Who {
  kind: string;
  id: string;
}
interface Attachment {
  name: string;
  url?: string;
}
interface Task {
  no: number;
  departmentId: string;
  departmentName?: string;
  role: string;
  status: string;
  dueAt: string;
  instructions?: string;
  reply?: { text: string; attachments: Attachment[]; at: string };
  returned?: { reason: string; at: string };
}

interface Directory {
  departments: { id: string; name: string }[];
  stewards: { id: string; name: string; level: number }[];
}

/** Who did a step, as a person reads it: the name the case itself knows them by, else their id. */
function actorName(view: CaseView, actor: Who): string {
  if (actor.kind === 'system') return '系统';
  if (actor.kind === 'enterprise' && actor.id === view.parties.enterprise.id) return view.parties.enterprise.name;
  if (actor.kind === 'department') return view.tasks.find((t) => t.departmentId === actor.id)?.departmentName ?? actor.id;
  const steward = [view.owner, ...Object.values(view.chain ?? {})].find((s) => s?.id === actor.id);
  return steward ? `${steward.name}（${levelName(steward.level)}）` : actor.id;
}

const levelName = (level: number) => LEVEL_NAMES[level as 1 | 2 | 3] ?? `第 ${level} 级`;
const EXTENSION_STATUS: Record<string, { color: string; text: string }> = {
  pending: { color: 'gold', text: '待审批' },
  approved: { color: 'green', text: '已批准' },
  refused: { color: 'red', text: '未批准' },
};
const files = (list?: Attachment[]) => (list ?? []).map((a) => (a.url ? <a key={a.name} href={a.url} target="_blank" rel="noreferrer noopener">{a.name} </a> : <Tag key={a.name}>{a.name}</Tag>));

/** What a step said, where it said something: its reason, the satisfaction given, its note, comment or the material supplied. */
function said(e: { reason?: string; detail: Record<string, unknown> }): string {
  const d = e.detail;
  const words = [
    e.reason,
    typeof d.satisfaction === 'string' ? SATISFACTION_NAMES[d.satisfaction as Satisfaction] : undefined,
    typeof d.note === 'string' ? d.note : undefined,
    typeof d.comment === 'string' ? d.comment : undefined,
    typeof d.info === 'string' ? d.info : undefined,
  ].filter(Boolean);
  return words.length ? `：${words.join('；')}` : '';
}

const CLOCK_NAMES: Record<string, string> = { response: '签收时限', resolution: '办结时限', current: '当前环节' };
const TASK_STATUS: Record<string, string> = { pending: '待派发', dispatched: '待接单', accepted: '办理中', replied: '已答复', returned: '已退单', delivery_failed: '派发失败', closed: '已关闭' };

export function CasePage({ id }: { id: string }) {
  const [view, setView] = useState<CaseView>();
  const [error, setError] = useState<string>();
  const [action, setAction] = useState<string>();
  const [directory, setDirectory] = useState<Directory>();
  const [categories, setCategories] = useState<Record<string, string>>({});

  const load = useCallback(async () => {
    try {
      setView(await api.get<CaseView>(`/api/cases/${encodeURIComponent(id)}`));
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [id]);

  useEffect(() => {
    void load();
    api.get<Directory>('/api/directory').then(setDirectory, () => undefined);
    api
      .get<{ items: { code: string; name: string }[] }>('/api/catalogue')
      .then((c) => setCategories(Object.fromEntries(c.items.map((i) => [i.code, i.name]))), () => undefined);
  }, [load]);
  // others act on the case too: a short poll keeps the page current without a reload
  useWhileVisible(load, 15_000);

  if (error && !view) return <Alert type="error" showIcon message={error} />;
  if (!view) return <Spin />;
  const light = lightOf(view);
  const allowed = view.allowedActions ?? [];
  const deptName = (d: string) => directory?.departments.find((x) => x.id === d)?.name ?? d;
  // the ended pauses, then the one under way (shown 暂停中)
  const pauses: NonNullable<CaseView['pauses']> = [...(view.pauses ?? []), ...(view.pause ? [view.pause] : [])];
  // the decided extensions, then the one awaiting its decision (shown 待审批)
  const extensions: NonNullable<CaseView['extensions']> = [...(view.extensions ?? []), ...(view.extension ? [view.extension] : [])];
  const clocks = Object.entries(view.clocks ?? {}).filter((e): e is [string, Clock] => !!e[1] && typeof e[1] === 'object' && 'dueAt' in e[1]);

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap align="center">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {view.request.title}
        </Typography.Title>
        <Tag color="blue" data-testid="stage">
          {STAGE_NAMES[view.stage] ?? view.stage}
        </Tag>
        <Tag color={light.color}>{light.text}</Tag>
        <Typography.Text type="secondary">{view.caseId}</Typography.Text>
      </Space>
      {error && <Alert type="warning" showIcon message={error} />}
      <Card size="small" title="可执行的操作">
        {allowed.length === 0 ? (
          <Typography.Text type="secondary">当前没有您可以执行的操作</Typography.Text>
        ) : (
          <Space wrap>
            {allowed
              .filter((a) => ACTION_FORMS[a])
              .map((a) => (
                <Button key={a} type={ACTION_FORMS[a]!.danger ? 'default' : 'primary'} danger={ACTION_FORMS[a]!.danger} onClick={() => setAction(a)}>
                  {ACTION_FORMS[a]!.label}
                </Button>
              ))}
          </Space>
        )}
      </Card>
      <Card size="small" title="诉求">
        <Descriptions size="small" column={{ xs: 1, sm: 2 }}>
          <Descriptions.Item label="企业">{view.parties.enterprise.name}</Descriptions.Item>
          <Descriptions.Item label="楼宇">{view.parties.building.name}</Descriptions.Item>
          <Descriptions.Item label="事项">{categories[view.request.category] ?? view.request.category}</Descriptions.Item>
          <Descriptions.Item label="紧急程度">{URGENCY_NAMES[view.request.urgency as Urgency] ?? view.request.urgency}</Descriptions.Item>
          <Descriptions.Item label="受理时间">{bj(view.openedAt)}</Descriptions.Item>
          <Descriptions.Item label="承办楼长">{view.owner ? `${view.owner.name}（${levelName(view.owner.level)}）` : '—'}</Descriptions.Item>
          {view.satisfaction && <Descriptions.Item label="满意度">{SATISFACTION_NAMES[view.satisfaction]}</Descriptions.Item>}
          {view.request.contact?.name && (
            <Descriptions.Item label="联系人">
              {view.request.contact.name} {view.request.contact.phone}
            </Descriptions.Item>
          )}
          <Descriptions.Item label="描述" span={2}>
            {view.request.description}
          </Descriptions.Item>
          {!!view.request.attachments?.length && (
            <Descriptions.Item label="附件" span={2}>
              {files(view.request.attachments)}
            </Descriptions.Item>
          )}
        </Descriptions>
      </Card>
      {view.proposal && (
        <Card size="small" title="办理意见">
          <div>{view.proposal.text}</div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {actorName(view, view.proposal.by)}{view.proposal.source === 'department' ? '（部门答复）' : ''} {bj(view.proposal.at)}
          </Typography.Text>
        </Card>
      )}
      {clocks.length > 0 && (
        <Card size="small" title="时限（北京时间，按工作时间计）">
          <Space direction="vertical">
            {clocks.map(([name, c]) => (
              <div key={name}>
                <b>{CLOCK_NAMES[name] ?? name}</b>：截止 {bj(c.dueAt)}{' '}
                {c.metAt ? (
                  <Tag color={c.breached ? 'red' : 'green'}>{c.breached ? '已超时完成' : '按时完成'} {bj(c.metAt)}</Tag>
                ) : (
                  <Tag color={c.breached || c.overdue ? 'red' : c.atRisk ? 'gold' : c.paused ? 'default' : 'green'}>{c.remainingText ?? '—'}</Tag>
                )}
              </div>
            ))}
          </Space>
        </Card>
      )}
      {view.tasks.length > 0 && (
        <Card size="small" title="部门任务">
          <Table
            size="small"
            rowKey="no"
            pagination={false}
            dataSource={view.tasks}
            expandable={{
              rowExpandable: (t) => !!(t.instructions || t.reply || t.returned),
              expandedRowRender: (t) => (
                <Space direction="vertical" size={2}>
                  {t.instructions && <div>办理要求：{t.instructions}</div>}
                  {t.reply && (
                    <div>
                      答复（{bj(t.reply.at)}）：{t.reply.text} {files(t.reply.attachments)}
                    </div>
                  )}
                  {t.returned && (
                    <div>
                      退单（{bj(t.returned.at)}）：{t.returned.reason}
                    </div>
                  )}
                </Space>
              ),
            }}
            columns={[
              { title: '部门', dataIndex: 'departmentId', render: deptName },
              { title: '角色', dataIndex: 'role', render: (r: string) => (r === 'lead' ? '主办' : '协办') },
              { title: '状态', dataIndex: 'status', render: (s: string) => TASK_STATUS[s] ?? s },
              { title: '期限', dataIndex: 'dueAt', render: bj },
            ]}
          />
        </Card>
      )}
      {pauses.length > 0 && (
        <Card size="small" title="暂停记录（待企业补充材料，期间时限暂停计算）">
          <Table
            size="small"
            rowKey="since"
            pagination={false}
            dataSource={pauses}
            columns={[
              { title: '暂停时间', dataIndex: 'since', render: bj },
              { title: '恢复时间', dataIndex: 'until', render: (u?: string) => (u ? bj(u) : <Tag color="default">暂停中</Tag>) },
              { title: '需补充的内容', dataIndex: 'reason' },
              { title: '发起人', key: 'by', render: (_, p) => actorName(view, p.by), responsive: ['sm'] },
            ]}
          />
        </Card>
      )}
      {extensions.length > 0 && (
        <Card size="small" title="延期申请">
          <Table
            size="small"
            rowKey="requestedAt"
            pagination={false}
            dataSource={extensions}
            columns={[
              { title: '申请时间', dataIndex: 'requestedAt', render: bj },
              { title: '原期限 → 申请期限', key: 'due', render: (_, e) => `${bj(e.fromDueAt)} → ${bj(e.newDueAt)}` },
              { title: '理由', dataIndex: 'reason' },
              {
                title: '审批',
                key: 'status',
                render: (_, e) => (
                  <>
                    <Tag color={EXTENSION_STATUS[e.status]?.color}>{EXTENSION_STATUS[e.status]?.text ?? e.status}</Tag>
                    {e.decidedBy && `${actorName(view, e.decidedBy)} ${bj(e.decidedAt)}`}
                    {e.decisionReason && `：${e.decisionReason}`}
                  </>
                ),
              },
            ]}
          />
        </Card>
      )}
      <Card size="small" title="办理过程">
        <Timeline
          items={(view.history ?? []).map((e) => ({
            children: (
              <div>
                <b>{EVENT_NAMES[e.type as keyof typeof EVENT_NAMES] ?? e.type}</b> <Typography.Text type="secondary">{bj(e.at)}</Typography.Text>
                <div style={{ fontSize: 12 }}>
                  {actorName(view, e.actor)}
                  {said(e)}
                </div>
              </div>
            ),
          }))}
        />
      </Card>
      {action && (
        <ActionModal
          caseId={view.caseId}
          action={action}
          directory={directory}
          owner={view.owner}
          onClose={() => setAction(undefined)}
          onRefused={() => void load()}
          onDone={(next) => {
            setAction(undefined);
            setView((v) => ({ ...v!, stage: next.stage }));
            void load();
          }}
        />
      )}
    </Space>
  );
}


function ActionModal(props: { caseId: string; action: string; directory?: Directory; owner?: CaseView['owner']; onClose(): void; onDone(next: { stage: string }): void; onRefused(): void }) {
  const spec = ACTION_FORMS[props.action]!;
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string>();
  const departments = (props.directory?.departments ?? []).map((d) => ({ value: d.id, label: d.name }));
  // a case goes only to another steward of its owner's level (src/domain/case-rules.ts reassign)
  const stewards = (props.directory?.stewards ?? [])
    .filter((s) => !props.owner || (s.level === props.owner.level && s.id !== props.owner.id))
    .map((s) => ({ value: s.id, label: `${s.name}（${levelName(s.level)}）` }));

  async function submit(values: Record<string, unknown>) {
    setBusy(true);
    setRefusal(undefined);
    try {
      const body = checked(ActionBodies[props.action as keyof typeof ActionBodies], bodyOf(props.action, values));
      const next = await api.post<{ stage: string }>(`/api/cases/${encodeURIComponent(props.caseId)}/${props.action}`, body, {
        'Idempotency-Key': crypto.randomUUID(),
      });
      props.onDone(next);
    } catch (err) {
      if (err instanceof ApiError) {
        setRefusal(err.message);
        // the page was stale: show the case as it is now (and the actions it now allows)
        if (err.status === 409) props.onRefused();
        const known = new Set(spec.fields.map((f) => f.name));
        form.setFields(err.issues.map((i) => ({ name: fieldOf(i.field).split('.')[0]!, errors: [i.message] })).filter((f) => known.has(f.name)));
      } else setRefusal((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal open title={spec.label} okText="提交" cancelText="取消" confirmLoading={busy} onOk={() => form.submit()} onCancel={props.onClose} destroyOnHidden>
      {refusal && <Alert type="error" showIcon message={refusal} role="alert" style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" onFinish={submit}>
        {spec.fields.length === 0 && <Typography.Text>确认{spec.label}？</Typography.Text>}
        {spec.fields.map((f) => (
          <Form.Item key={f.name} name={f.name} label={f.label} rules={f.required ? [{ required: true, message: `请填写${f.label}` }] : []}>
            {f.kind === 'textarea' ? (
              <Input.TextArea rows={3} />
            ) : f.kind === 'department' ? (
              <Select options={departments} showSearch optionFilterProp="label" />
            ) : f.kind === 'departments' ? (
              <Select mode="multiple" options={departments} optionFilterProp="label" />
            ) : f.kind === 'steward' ? (
              <Select options={stewards} showSearch optionFilterProp="label" />
            ) : f.kind === 'satisfaction' ? (
              <Radio.Group options={SATISFACTION_OPTIONS} />
            ) : f.kind === 'datetime' ? (
              <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} placeholder="选择日期和时间（北京时间）" />
            ) : f.kind === 'approve' ? (
              <Radio.Group options={[{ value: true, label: '同意' }, { value: false, label: '不同意' }]} />
            ) : (
              <Input />
            )}
          </Form.Item>
        ))}
      </Form>
    </Modal>
  );
}
