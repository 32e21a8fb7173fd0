/**
 * 组织目录: the district's towns, areas, buildings, steward posts, departments, enterprises and
 * people, with references shown by name. Each kind is created and edited through the same PUT the
 * import uses, so the server's checks (and its field errors) are the only rules; secrets go in and
 * are only ever shown as 已设置.
 */
import { LEVEL_NAMES as LEVELS } from '../../../../src/domain/case-model';
import { ROLE_NAMES as ROLES } from '../../../../src/domain/roles';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Alert, App, Button, Form, Input, Modal, Popconfirm, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { api, ApiError } from '../../api';
import { bj } from '../../types';
import { issuesToFields, labelled } from './http';

// ---------------------------------------------------------------------------------------------
// What GET /api/admin/directory and /api/admin/people answer

interface Channel {
  type: string;
  address?: string;
  addressSet?: boolean;
}
interface Town {
  id: string;
  name: string;
  chiefStewardId: string | null;
}
interface Area {
  id: string;
  name: string;
  townId: string;
  areaStewardId: string | null;
}
interface Building {
  id: string;
  name: string;
  address: string;
  areaId: string;
  pointStewardId: string;
}
interface Steward {
  id: string;
  name: string;
  level: number;
  townId: string;
  areaId: string | null;
  phone: string | null;
  email: string | null;
  active: boolean;
  channels: Channel[] | null;
}
interface Department {
  id: string;
  name: string;
  townId: string;
  adapter: string;
  contact: string | null;
  webhookUrl: string | null;
  webhookSecretSet: boolean;
  channels: Channel[] | null;
}
interface Enterprise {
  id: string;
  creditCode: string;
  name: string;
  buildingId: string;
  contactName: string | null;
  contactPhone: string | null;
  channels: Channel[] | null;
}
interface Grant {
  id: number;
  personId: string;
  role: string;
  scopeId: string | null;
  grantedBy: string;
  grantedAt: string;
}
interface Person {
  id: string;
  subject: string;
  name: string;
  kind: string;
  active: boolean;
  grants: Grant[];
}
interface Directory {
  towns: Town[];
  areas: Area[];
  buildings: Building[];
  stewards: Steward[];
  departments: Department[];
  enterprises: Enterprise[];
}
interface Holder {
  grantId: number;
  personId: string;
  subject: string;
  name: string;
  grantedAt: string;
  grantedBy: string;
  revokedAt: string | null;
  revokedBy: string | null;
  current: boolean;
}

// looked up by the values the API answers (numbers, strings): the domain's names, read loosely
const LEVEL_NAMES: Record<number, string> = LEVELS;
const ROLE_NAMES: Record<string, string> = ROLES;

type Row = { [k: string]: unknown };
type Kind = 'towns' | 'areas' | 'buildings' | 'stewards' | 'departments' | 'enterprises' | 'people';

const CHANNEL_NAMES: Record<string, string> = { log: '日志', webhook: '网络回调', wecom: '企业微信', email: '邮件', sms: '短信' };
/** wecom and webhook addresses carry their tokens: sealed by the server, never shown again */
const SECRET_CHANNELS = new Set(['wecom', 'webhook']);

/** Names by id, for every kind a row may point at. */
interface Names {
  towns: Map<string, string>;
  areas: Map<string, string>;
  buildings: Map<string, string>;
  stewards: Map<string, string>;
  departments: Map<string, string>;
  enterprises: Map<string, string>;
  people: Map<string, string>;
}

const byId = <T extends { id: string; name: string }>(rows: T[]) => new Map(rows.map((r) => [r.id, r.name]));

/** A reference as a cell: the name, its id beside it in grey; an id the directory lacks says so. */
function Ref({ map, id }: { map: Map<string, string>; id: string | null | undefined }) {
  if (!id) return <>—</>;
  const name = map.get(id);
  return (
    <span>
      {name ?? <Typography.Text type="danger">（不存在）</Typography.Text>}
      <Typography.Text type="secondary" style={{ fontSize: 12, marginLeft: 4 }}>
        {id}
      </Typography.Text>
    </span>
  );
}

const channelsText = (cs: Channel[] | null) =>
  cs?.length ? cs.map((c) => `${CHANNEL_NAMES[c.type] ?? c.type}：${c.addressSet ? '已设置' : (c.address ?? '')}`).join('；') : '—';

const YesNo = ({ on, yes, no }: { on: boolean; yes: string; no: string }) => <Tag color={on ? 'green' : 'default'}>{on ? yes : no}</Tag>;

// ---------------------------------------------------------------------------------------------
// The kinds: their columns, their form fields, and the body a form makes

interface Field {
  name: string;
  label: string;
  required?: boolean;
  input?: 'text' | 'select' | 'switch' | 'secret';
  options?: (d: Directory, people: Person[]) => { value: string | number; label: string }[];
  extra?: string;
  placeholder?: string;
}

interface KindDef {
  kind: Kind;
  tab: string;
  noun: string;
  keyField: 'id' | 'creditCode';
  keyLabel: string;
  keyExtra: string;
  fields: Field[];
  /** the form has the replace-all notification channels section */
  channels?: boolean;
  defaults?: Row;
  rows(d: Directory, people: Person[]): Row[];
  columns(n: Names): ColumnsType<Row>;
}

const ID_EXTRA = '字母、数字、“.”“_”“-”，以字母或数字开头，最多 64 位；保存后不可修改';
const townOptions = (d: Directory) => d.towns.map((t) => ({ value: t.id, label: labelled(t.name, t.id) }));
const stewardOptions = (level: number) => (d: Directory) => {
  const towns = byId(d.towns);
  return d.stewards
    .filter((s) => s.level === level)
    .map((s) => ({ value: s.id, label: `${s.name}（${s.id}，${towns.get(s.townId) ?? s.townId}${s.active ? '' : '，已停用'}）` }));
};

const text = (name: string, label: string, required = false, extra?: string): Field => ({ name, label, required, extra });
const str = (v: unknown) => (typeof v === 'string' ? v : '');

const KINDS: KindDef[] = [
  {
    kind: 'towns',
    tab: '街道',
    noun: '街道',
    keyField: 'id',
    keyLabel: '街道编号',
    keyExtra: ID_EXTRA,
    fields: [
      text('name', '街道名称', true),
      { name: 'chiefStewardId', label: '总楼长', input: 'select', options: stewardOptions(3), extra: '本街道在岗的总楼长岗位；新街道可先留空，建好总楼长岗位后再指定' },
    ],
    rows: (d) => d.towns as unknown as Row[],
    columns: (n) => [
      { title: '编号', dataIndex: 'id', width: 150 },
      { title: '名称', dataIndex: 'name' },
      { title: '总楼长', dataIndex: 'chiefStewardId', render: (v: string | null) => <Ref map={n.stewards} id={v} /> },
    ],
  },
  {
    kind: 'areas',
    tab: '园区',
    noun: '园区',
    keyField: 'id',
    keyLabel: '园区编号',
    keyExtra: ID_EXTRA,
    fields: [
      text('name', '园区名称', true),
      { name: 'townId', label: '所属街道', required: true, input: 'select', options: townOptions },
      { name: 'areaStewardId', label: '分楼长', input: 'select', options: stewardOptions(2), extra: '本园区在岗的分楼长岗位' },
    ],
    rows: (d) => d.areas as unknown as Row[],
    columns: (n) => [
      { title: '编号', dataIndex: 'id', width: 150 },
      { title: '名称', dataIndex: 'name' },
      { title: '所属街道', dataIndex: 'townId', render: (v: string) => <Ref map={n.towns} id={v} /> },
      { title: '分楼长', dataIndex: 'areaStewardId', render: (v: string | null) => <Ref map={n.stewards} id={v} /> },
    ],
  },
  {
    kind: 'buildings',
    tab: '楼宇',
    noun: '楼宇',
    keyField: 'id',
    keyLabel: '楼宇编号',
    keyExtra: ID_EXTRA,
    fields: [
      text('name', '楼宇名称', true),
      text('address', '地址', true),
      { name: 'areaId', label: '所属园区', required: true, input: 'select', options: (d) => d.areas.map((a) => ({ value: a.id, label: labelled(a.name, a.id) })) },
      { name: 'pointStewardId', label: '点楼长', required: true, input: 'select', options: stewardOptions(1), extra: '同一街道在岗的点楼长岗位' },
    ],
    rows: (d) => d.buildings as unknown as Row[],
    columns: (n) => [
      { title: '编号', dataIndex: 'id', width: 140 },
      { title: '名称', dataIndex: 'name' },
      { title: '地址', dataIndex: 'address', responsive: ['md'] },
      { title: '所属园区', dataIndex: 'areaId', render: (v: string) => <Ref map={n.areas} id={v} /> },
      { title: '点楼长', dataIndex: 'pointStewardId', render: (v: string) => <Ref map={n.stewards} id={v} /> },
    ],
  },
  {
    kind: 'stewards',
    tab: '楼长岗位',
    noun: '楼长岗位',
    keyField: 'id',
    keyLabel: '岗位编号',
    keyExtra: ID_EXTRA,
    fields: [
      text('name', '姓名', true, '岗位上的楼长姓名；登录的人员在“交接”中指定'),
      { name: 'level', label: '级别', required: true, input: 'select', options: () => [1, 2, 3].map((l) => ({ value: l, label: LEVEL_NAMES[l]! })) },
      { name: 'townId', label: '所属街道', required: true, input: 'select', options: townOptions },
      {
        name: 'areaId',
        label: '所属园区',
        input: 'select',
        options: (d) => d.areas.map((a) => ({ value: a.id, label: labelled(a.name, a.id) })),
        extra: '点楼长、分楼长必填；总楼长负责整个街道，留空',
      },
      text('phone', '电话'),
      text('email', '电子邮箱'),
      { name: 'active', label: '在岗', input: 'switch' },
    ],
    channels: true,
    defaults: { active: true, level: 1 },
    rows: (d) => d.stewards as unknown as Row[],
    columns: (n) => [
      { title: '编号', dataIndex: 'id', width: 140 },
      { title: '姓名', dataIndex: 'name' },
      { title: '级别', dataIndex: 'level', width: 90, render: (l: number) => <Tag>{LEVEL_NAMES[l] ?? l}</Tag> },
      { title: '所属街道', dataIndex: 'townId', render: (v: string) => <Ref map={n.towns} id={v} />, responsive: ['md'] },
      { title: '所属园区', dataIndex: 'areaId', render: (v: string | null) => <Ref map={n.areas} id={v} /> },
      { title: '电话', dataIndex: 'phone', render: (v: string | null) => v ?? '—', responsive: ['md'] },
      { title: '通知渠道', dataIndex: 'channels', render: channelsText, responsive: ['lg'] },
      { title: '状态', dataIndex: 'active', width: 80, render: (v: boolean) => <YesNo on={v} yes="在岗" no="停用" /> },
    ],
  },
  {
    kind: 'departments',
    tab: '部门',
    noun: '部门',
    keyField: 'id',
    keyLabel: '部门编号',
    keyExtra: ID_EXTRA,
    fields: [
      text('name', '部门名称', true),
      { name: 'townId', label: '所属街道', required: true, input: 'select', options: townOptions },
      {
        // omitted keeps the current one; the API takes no null here
        name: 'adapter',
        label: '对接方式',
        required: true,
        input: 'select',
        options: () => [
          { value: 'portal', label: '门户（部门人员登录本平台办理）' },
          { value: 'webhook', label: '接口（派单推送到部门业务系统）' },
        ],
      },
      text('contact', '联系人/联系方式'),
      text('webhookUrl', '接口地址', false, '接口对接时必填：接收派单的 http(s) 网址'),
      { name: 'webhookSecret', label: '签名密钥', input: 'secret', extra: '接口对接时必填：16–200 位可见字符，不含空格；只写不读，保存后仅显示“已设置”' },
    ],
    channels: true,
    defaults: { adapter: 'portal' },
    rows: (d) => d.departments as unknown as Row[],
    columns: (n) => [
      { title: '编号', dataIndex: 'id', width: 130 },
      { title: '名称', dataIndex: 'name' },
      { title: '所属街道', dataIndex: 'townId', render: (v: string) => <Ref map={n.towns} id={v} />, responsive: ['md'] },
      { title: '对接方式', dataIndex: 'adapter', width: 90, render: (v: string) => (v === 'webhook' ? '接口' : '门户') },
      { title: '接口地址', dataIndex: 'webhookUrl', render: (v: string | null) => v ?? '—', responsive: ['lg'] },
      { title: '签名密钥', dataIndex: 'webhookSecretSet', width: 90, render: (v: boolean) => <YesNo on={v} yes="已设置" no="未设置" /> },
      { title: '通知渠道', dataIndex: 'channels', render: channelsText, responsive: ['lg'] },
    ],
  },
  {
    kind: 'enterprises',
    tab: '企业',
    noun: '企业',
    keyField: 'creditCode',
    keyLabel: '统一社会信用代码',
    keyExtra: '18 位，含校验位；保存后不可修改',
    fields: [
      text('name', '企业名称', true),
      { name: 'buildingId', label: '所在楼宇', required: true, input: 'select', options: (d) => d.buildings.map((b) => ({ value: b.id, label: labelled(b.name, b.id) })) },
      text('contactName', '联系人'),
      text('contactPhone', '联系电话'),
    ],
    channels: true,
    rows: (d) => d.enterprises as unknown as Row[],
    columns: (n) => [
      { title: '统一社会信用代码', dataIndex: 'creditCode', width: 190 },
      { title: '名称', dataIndex: 'name' },
      { title: '所在楼宇', dataIndex: 'buildingId', render: (v: string) => <Ref map={n.buildings} id={v} /> },
      { title: '联系人', key: 'contact', render: (_, r) => [r.contactName, r.contactPhone].filter(Boolean).join(' ') || '—', responsive: ['md'] },
      { title: '通知渠道', dataIndex: 'channels', render: channelsText, responsive: ['lg'] },
    ],
  },
  {
    kind: 'people',
    tab: '人员',
    noun: '人员',
    keyField: 'id',
    keyLabel: '人员编号',
    keyExtra: ID_EXTRA,
    fields: [
      text('subject', '登录账号', true, '统一身份认证中的账号（subject）；部门业务系统填其客户端编号'),
      text('name', '姓名', true),
      {
        name: 'kind',
        label: '类型',
        required: true,
        input: 'select',
        options: () => [
          { value: 'person', label: '人员' },
          { value: 'machine', label: '系统（部门业务系统）' },
        ],
      },
      { name: 'active', label: '启用', input: 'switch' },
    ],
    defaults: { kind: 'person', active: true },
    rows: (_d, people) => people as unknown as Row[],
    columns: (n) => [
      { title: '编号', dataIndex: 'id', width: 150 },
      { title: '姓名', dataIndex: 'name' },
      { title: '登录账号', dataIndex: 'subject', responsive: ['md'] },
      { title: '类型', dataIndex: 'kind', width: 70, render: (v: string) => (v === 'machine' ? '系统' : '人员'), responsive: ['md'] },
      {
        title: '角色',
        dataIndex: 'grants',
        render: (gs: Grant[]) =>
          gs.length ? (
            <Space size={[0, 4]} wrap>
              {gs.map((g) => (
                <Tag key={g.id}>{grantText(g, n)}</Tag>
              ))}
            </Space>
          ) : (
            '—'
          ),
      },
      { title: '状态', dataIndex: 'active', width: 80, render: (v: boolean) => <YesNo on={v} yes="启用" no="停用" /> },
    ],
  },
];

function scopeMap(role: string, n: Names) {
  return role === 'enterprise' ? n.enterprises : role === 'steward' ? n.stewards : role === 'manager' ? n.towns : role === 'admin' ? null : n.departments;
}

function grantText(g: Grant, n: Names) {
  const role = ROLE_NAMES[g.role] ?? g.role;
  if (!g.scopeId) return g.role === 'manager' ? `${role} · 全区` : role;
  return `${role} · ${scopeMap(g.role, n)?.get(g.scopeId) ?? g.scopeId}`;
}

/** What a row shows in the form; channels are not prefilled (the sealed ones cannot be). */
function formOf(def: KindDef, row: Row): Row {
  const v: Row = { [def.keyField]: row[def.keyField] };
  for (const f of def.fields) if (f.input !== 'secret') v[f.name] = row[f.name] ?? undefined;
  return v;
}

/** The PUT body: emptied optional fields are cleared (null), secrets only when typed, channels only when replaced. */
function bodyOf(def: KindDef, v: Row): Row {
  const body: Row = {};
  for (const f of def.fields) {
    const value = v[f.name];
    if (f.input === 'switch') body[f.name] = !!value;
    else if (f.input === 'secret') {
      if (str(value).trim()) body[f.name] = str(value).trim();
    } else if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) {
      // a field the form leaves empty: required ones go as they are, for the server to name
      if (!f.required) body[f.name] = null;
    } else body[f.name] = typeof value === 'string' ? value.trim() : value;
  }
  if (def.channels && v.replaceChannels) {
    const list = ((v.channels as Channel[] | undefined) ?? []).map((c) => ({ type: c.type, address: str(c.address).trim() }));
    body.channels = list.length ? list : null;
  }
  return body;
}

// ---------------------------------------------------------------------------------------------
// The page

export default function AdminDirectory() {
  const [dir, setDir] = useState<Directory>();
  const [people, setPeople] = useState<Person[]>([]);
  const [error, setError] = useState<string>();
  const [tab, setTab] = useState<Kind>(() => {
    const t = new URLSearchParams(location.search).get('tab');
    return (KINDS.some((k) => k.kind === t) ? t : 'towns') as Kind;
  });
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<{ def: KindDef; row?: Row }>();
  const [handover, setHandover] = useState<Steward>();
  const [granting, setGranting] = useState<string>();

  const load = useCallback(async () => {
    setError(undefined);
    try {
      const [d, p] = await Promise.all([api.get<Directory>('/api/admin/directory'), api.get<{ items: Person[] }>('/api/admin/people')]);
      setDir(d);
      setPeople(p.items);
    } catch (err) {
      setError((err as Error).message);
    }
  }, []);
  useEffect(() => void load(), [load]);

  const names: Names = useMemo(
    () => ({
      towns: byId(dir?.towns ?? []),
      areas: byId(dir?.areas ?? []),
      buildings: byId(dir?.buildings ?? []),
      stewards: byId(dir?.stewards ?? []),
      departments: byId(dir?.departments ?? []),
      enterprises: byId(dir?.enterprises ?? []),
      people: byId(people),
    }),
    [dir, people],
  );

  const def = KINDS.find((k) => k.kind === tab)!;
  const rows = dir ? def.rows(dir, people) : [];
  const needle = search.trim().toLowerCase();
  // a row matches on its own values and on the names of what it points at
  const shown = needle
    ? rows.filter((r) => {
        const words = Object.values(r).flatMap((v) =>
          typeof v === 'string' ? [v, ...Object.values(names).map((m) => m.get(v) ?? '')] : Array.isArray(v) ? v.map((g) => JSON.stringify(g)) : [],
        );
        if (Array.isArray(r.grants)) words.push(...(r.grants as Grant[]).map((g) => grantText(g, names)));
        return words.join(' ').toLowerCase().includes(needle);
      })
    : rows;

  const actions: ColumnsType<Row>[number] = {
    title: '操作',
    key: 'actions',
    width: tab === 'stewards' || tab === 'people' ? 130 : 70,
    fixed: 'right',
    render: (_, r) => {
      const name = String(r.name ?? r[def.keyField]);
      return (
        <Space size={4} wrap>
          <Button size="small" aria-label={`编辑 ${name}`} onClick={() => setEditing({ def, row: r })}>
            编辑
          </Button>
          {tab === 'stewards' && (
            <Button size="small" aria-label={`交接 ${name}`} onClick={() => setHandover(r as unknown as Steward)}>
              交接
            </Button>
          )}
          {tab === 'people' && (
            <Button size="small" aria-label={`授权 ${name}`} onClick={() => setGranting(String(r.id))}>
              授权
            </Button>
          )}
        </Space>
      );
    },
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Title level={4} style={{ margin: 0 }}>
        组织目录
      </Typography.Title>
      {error && <Alert type="error" showIcon message={error} role="alert" />}
      <Tabs
        activeKey={tab}
        onChange={(k) => {
          setTab(k as Kind);
          setSearch('');
          history.replaceState(null, '', `/admin/directory?tab=${k}`);
        }}
        items={KINDS.map((k) => ({ key: k.kind, label: `${k.tab}${dir ? `（${k.rows(dir, people).length}）` : ''}` }))}
      />
      <Space wrap>
        <Input
          aria-label={`搜索${def.noun}`}
          placeholder={`搜索${def.noun}：编号、名称、关联名称`}
          allowClear
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          style={{ width: 280, maxWidth: '100%' }}
        />
        <Button type="primary" onClick={() => setEditing({ def })} disabled={!dir}>
          新增{def.noun}
        </Button>
        <Button onClick={() => load()}>刷新</Button>
      </Space>
      <Table<Row>
        rowKey={def.keyField}
        size="small"
        loading={!dir && !error}
        dataSource={shown}
        columns={[...def.columns(names), actions]}
        pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
        scroll={{ x: 720 }}
        locale={{ emptyText: needle ? `没有符合“${search.trim()}”的${def.noun}` : `暂无${def.noun}` }}
      />
      {editing && dir && (
        <EditModal
          def={editing.def}
          row={editing.row}
          dir={dir}
          people={people}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            void load();
          }}
        />
      )}
      {handover && <HandoverModal post={handover} people={people} onClose={() => setHandover(undefined)} onDone={() => void load()} />}
      {granting && dir && (
        <GrantsModal
          person={people.find((p) => p.id === granting)!}
          dir={dir}
          names={names}
          onClose={() => setGranting(undefined)}
          onChanged={() => void load()}
        />
      )}
    </Space>
  );
}

// ---------------------------------------------------------------------------------------------
// Create / edit

function EditModal(props: { def: KindDef; row?: Row; dir: Directory; people: Person[]; onClose(): void; onSaved(): void }) {
  const { def, row } = props;
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string[]>();
  const replaceChannels = Form.useWatch('replaceChannels', form) as boolean | undefined;
  const known = new Set([def.keyField, ...def.fields.map((f) => f.name), 'channels']);
  const existingChannels = (row?.channels as Channel[] | null | undefined) ?? [];

  async function submit(v: Row) {
    setBusy(true);
    setProblem(undefined);
    const key = str(v[def.keyField]).trim();
    try {
      const { created } = await api.put(`/api/admin/${def.kind}/${encodeURIComponent(key)}`, bodyOf(def, v));
      message.success(`${created ? '已新增' : '已保存'}${def.noun}：${str(v.name) || key}`);
      props.onSaved();
    } catch (err) {
      const { onFields, elsewhere } = issuesToFields(err, known);
      form.setFields(onFields);
      setProblem(onFields.length ? ['未保存：请按标出的字段修改', ...elsewhere] : elsewhere);
    } finally {
      setBusy(false);
    }
  }

  const input = (f: Field): ReactNode => {
    if (f.input === 'switch') return <Switch checkedChildren="是" unCheckedChildren="否" />;
    if (f.input === 'secret') {
      const set = !!row?.[`${f.name}Set`];
      return <Input.Password autoComplete="new-password" placeholder={set ? '已设置（留空则不变）' : '未设置'} />;
    }
    if (f.input === 'select')
      return <Select allowClear={!f.required} showSearch={{ optionFilterProp: 'label' }} options={f.options!(props.dir, props.people)} placeholder="请选择" />;
    return <Input />;
  };

  return (
    <Modal
      open
      title={`${row ? '编辑' : '新增'}${def.noun}`}
      okText="保存"
      cancelText="取消"
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={props.onClose}
      destroyOnHidden
      width={560}
    >
      {problem && (
        <Alert
          type="error"
          showIcon
          role="alert"
          style={{ marginBottom: 12 }}
          message={problem[0]}
          description={problem.length > 1 ? problem.slice(1).join('；') : undefined}
        />
      )}
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={row ? formOf(def, row) : def.defaults}
        aria-label={`${def.noun}表单`}
      >
        <Form.Item name={def.keyField} label={def.keyLabel} extra={def.keyExtra} rules={[{ required: true, whitespace: true, message: `请填写${def.keyLabel}` }]}>
          <Input disabled={!!row} />
        </Form.Item>
        {def.fields.map((f) => (
          <Form.Item
            key={f.name}
            name={f.name}
            label={f.label}
            extra={f.extra}
            valuePropName={f.input === 'switch' ? 'checked' : 'value'}
            rules={f.required ? [{ required: true, whitespace: f.input !== 'select', message: `请填写${f.label}` }] : []}
          >
            {input(f)}
          </Form.Item>
        ))}
        {def.channels && (
          <>
            <Form.Item label="通知渠道" extra={`现有：${channelsText(existingChannels)}`}>
              <Typography.Text type="secondary">企业微信、网络回调的地址含密钥，只写不读。</Typography.Text>
            </Form.Item>
            <Form.Item
              name="replaceChannels"
              label="替换通知渠道"
              valuePropName="checked"
              extra="打开后以下列渠道替换全部现有渠道（不填则清空）；关闭则保持不变"
            >
              <Switch
                checkedChildren="替换"
                unCheckedChildren="不变"
                onChange={(on) => {
                  // start from what can be shown; sealed addresses must be typed again
                  if (on && !form.getFieldValue('channels')) form.setFieldValue('channels', existingChannels.map((c) => ({ type: c.type, address: c.address ?? '' })));
                }}
              />
            </Form.Item>
            {replaceChannels && (
              <Form.List name="channels">
                {(items, { add, remove }) => (
                  <>
                    {items.map((item, i) => (
                      <Space key={item.key} align="start" wrap style={{ width: '100%' }}>
                        <Form.Item name={[item.name, 'type']} label={`渠道 ${i + 1} 类型`} rules={[{ required: true, message: '请选择类型' }]}>
                          <Select style={{ width: 130 }} options={Object.entries(CHANNEL_NAMES).map(([value, label]) => ({ value, label }))} />
                        </Form.Item>
                        <Form.Item
                          name={[item.name, 'address']}
                          label={`渠道 ${i + 1} 地址`}
                          rules={[{ required: true, whitespace: true, message: '请填写地址' }]}
                          extra={SECRET_CHANNELS.has(form.getFieldValue(['channels', item.name, 'type'])) ? '含密钥：保存后仅显示“已设置”' : undefined}
                        >
                          <Input style={{ width: 260, maxWidth: '70vw' }} placeholder="邮箱、手机号或 https 网址" />
                        </Form.Item>
                        <Button aria-label={`删除渠道 ${i + 1}`} onClick={() => remove(item.name)} style={{ marginTop: 30 }}>
                          删除
                        </Button>
                      </Space>
                    ))}
                    <Button onClick={() => add({ type: 'sms', address: '' })} disabled={items.length >= 10}>
                      添加渠道
                    </Button>
                  </>
                )}
              </Form.List>
            )}
          </>
        )}
      </Form>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------------
// 交接: a steward post to another person, and who held it when

function HandoverModal(props: { post: Steward; people: Person[]; onClose(): void; onDone(): void }) {
  const { post } = props;
  const { message } = App.useApp();
  const [holders, setHolders] = useState<Holder[]>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();

  const load = useCallback(() => {
    api
      .get<{ holders: Holder[] }>(`/api/admin/stewards/${encodeURIComponent(post.id)}/holders`)
      .then((r) => setHolders(r.holders), (e: Error) => setError(e.message));
  }, [post.id]);
  useEffect(load, [load]);

  async function submit({ personId }: { personId: string }) {
    setBusy(true);
    setError(undefined);
    try {
      const { data } = await api.put<{ holder: { name: string }; revoked: unknown[] }>(`/api/admin/stewards/${encodeURIComponent(post.id)}/holder`, { personId });
      message.success(`已交接给 ${data.holder.name}${data.revoked.length ? `，撤销原持有人授权 ${data.revoked.length} 项` : ''}`);
      form.resetFields();
      load();
      props.onDone();
    } catch (err) {
      const { onFields, elsewhere } = issuesToFields(err, new Set(['personId']));
      form.setFields(onFields);
      if (elsewhere.length) setError(elsewhere.join('；'));
    } finally {
      setBusy(false);
    }
  }

  const candidates = props.people.filter((p) => p.active && p.kind === 'person').map((p) => ({ value: p.id, label: `${p.name}（${p.subject}）` }));
  return (
    <Modal open title={`交接楼长岗位：${post.name}（${LEVEL_NAMES[post.level]}，${post.id}）`} footer={null} onCancel={props.onClose} destroyOnHidden width={720}>
      {error && <Alert type="error" showIcon message={error} role="alert" style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" onFinish={submit} aria-label="交接表单">
        <Form.Item name="personId" label="交接给" rules={[{ required: true, message: '请选择接任人员' }]} extra="交接后，原持有人在本岗位的楼长授权即被撤销；岗位上的诉求仍归本岗位">
          <Select showSearch={{ optionFilterProp: 'label' }} options={candidates} placeholder="选择人员" />
        </Form.Item>
        <Popconfirm title="确认交接？" description="原持有人将不再能以本岗位办理诉求" okText="交接" cancelText="取消" onConfirm={() => form.submit()}>
          <Button type="primary" loading={busy}>
            交接
          </Button>
        </Popconfirm>
      </Form>
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        历任持有人
      </Typography.Title>
      <Table<Holder>
        rowKey="grantId"
        size="small"
        loading={!holders && !error}
        dataSource={holders ?? []}
        pagination={false}
        scroll={{ x: 560 }}
        locale={{ emptyText: '尚无人员持有本岗位' }}
        columns={[
          { title: '人员', key: 'who', render: (_, h) => `${h.name}（${h.subject}）` },
          { title: '状态', dataIndex: 'current', width: 80, render: (c: boolean) => <YesNo on={c} yes="现任" no="已交接" /> },
          { title: '授予时间', dataIndex: 'grantedAt', width: 140, render: (t: string) => bj(t) },
          { title: '撤销时间', dataIndex: 'revokedAt', width: 140, render: (t: string | null) => bj(t) },
          { title: '经办', key: 'by', render: (_, h) => [h.grantedBy, h.revokedBy].filter(Boolean).join(' / '), responsive: ['md'] },
        ]}
      />
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------------
// 授权: a person's role grants, granted and revoked

function GrantsModal(props: { person: Person; dir: Directory; names: Names; onClose(): void; onChanged(): void }) {
  const { person, dir, names } = props;
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const role = Form.useWatch('role', form);

  const scopeOptions =
    role === 'enterprise'
      ? dir.enterprises.map((e) => ({ value: e.id, label: labelled(e.name, e.id) }))
      : role === 'steward'
        ? dir.stewards.filter((s) => s.active).map((s) => ({ value: s.id, label: `${s.name}（${LEVEL_NAMES[s.level]}，${s.id}）` }))
        : role === 'department_staff' || role === 'department_system'
          ? dir.departments.map((d) => ({ value: d.id, label: labelled(d.name, d.id) }))
          : role === 'manager'
            ? dir.towns.map((t) => ({ value: t.id, label: labelled(t.name, t.id) }))
            : [];

  async function grant(v: { role: string; scopeId?: string }) {
    setBusy(true);
    setError(undefined);
    try {
      await api.post(`/api/admin/people/${encodeURIComponent(person.id)}/grants`, { role: v.role, scopeId: v.scopeId ?? null });
      message.success(`已授予${ROLE_NAMES[v.role]}角色`);
      form.resetFields();
      props.onChanged();
    } catch (err) {
      const { onFields, elsewhere } = issuesToFields(err, new Set(['role', 'scopeId']));
      form.setFields(onFields);
      if (elsewhere.length) setError(elsewhere.join('；'));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(g: Grant) {
    setError(undefined);
    try {
      await api.del(`/api/admin/people/${encodeURIComponent(person.id)}/grants/${g.id}`);
      message.success(`已撤销：${grantText(g, names)}`);
      props.onChanged();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : (err as Error).message);
    }
  }

  return (
    <Modal open title={`角色授权：${person.name}（${person.subject}）`} footer={null} onCancel={props.onClose} destroyOnHidden width={680}>
      {error && <Alert type="error" showIcon message={error} role="alert" style={{ marginBottom: 12 }} />}
      <Table<Grant>
        rowKey="id"
        size="small"
        dataSource={person.grants}
        pagination={false}
        scroll={{ x: 520 }}
        locale={{ emptyText: '暂无在用授权' }}
        columns={[
          { title: '角色', dataIndex: 'role', render: (r: string) => ROLE_NAMES[r] ?? r },
          {
            title: '范围',
            dataIndex: 'scopeId',
            render: (s: string | null, g) => (s ? <Ref map={scopeMap(g.role, names) ?? new Map()} id={s} /> : g.role === 'manager' ? '全区' : '—'),
          },
          { title: '授予时间', dataIndex: 'grantedAt', width: 140, render: (t: string) => bj(t), responsive: ['md'] },
          {
            title: '操作',
            key: 'revoke',
            width: 70,
            render: (_, g) => (
              <Popconfirm title="撤销该授权？" description={grantText(g, names)} okText="撤销" okButtonProps={{ danger: true }} cancelText="取消" onConfirm={() => revoke(g)}>
                <Button size="small" danger aria-label={`撤销 ${grantText(g, names)}`}>
                  撤销
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        授予角色
      </Typography.Title>
      <Form form={form} layout="vertical" onFinish={grant} aria-label="授予角色表单">
        <Form.Item name="role" label="角色" rules={[{ required: true, message: '请选择角色' }]}>
          <Select
            options={Object.entries(ROLE_NAMES).map(([value, label]) => ({ value, label }))}
            onChange={() => form.setFieldValue('scopeId', undefined)}
            placeholder="请选择"
          />
        </Form.Item>
        {role && role !== 'admin' && (
          <Form.Item
            name="scopeId"
            label="范围"
            extra={role === 'manager' ? '督查的街道；留空为全区' : undefined}
            rules={role === 'manager' ? [] : [{ required: true, message: '请选择范围' }]}
          >
            <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={scopeOptions} placeholder="请选择" />
          </Form.Item>
        )}
        <Button type="primary" htmlType="submit" loading={busy}>
          授予
        </Button>
      </Form>
    </Modal>
  );
}
