/** The forms of the case actions: one entry per URL action, its fields as the API's body takes them. */
export interface ActionField {
  name: string;
  label: string;
  kind: 'text' | 'textarea' | 'department' | 'departments' | 'steward' | 'satisfaction' | 'approve' | 'datetime';
  required?: boolean;
}

export interface ActionForm {
  label: string;
  danger?: boolean;
  fields: ActionField[];
}

export const ACTION_FORMS: Record<string, ActionForm> = {
  acknowledge: { label: '签收', fields: [{ name: 'note', label: '签收说明', kind: 'textarea' }] },
  decline: { label: '不予受理', danger: true, fields: [{ name: 'reason', label: '不予受理理由', kind: 'textarea', required: true }] },
  propose: { label: '提交办理意见', fields: [{ name: 'text', label: '办理意见', kind: 'textarea', required: true }] },
  approve: { label: '审核通过', fields: [{ name: 'note', label: '审核意见', kind: 'textarea' }] },
  reject: { label: '退回重办', danger: true, fields: [{ name: 'reason', label: '退回理由', kind: 'textarea', required: true }] },
  reassign: {
    label: '转派楼长',
    fields: [
      { name: 'toStewardId', label: '转派给', kind: 'steward', required: true },
      { name: 'reason', label: '转派理由', kind: 'textarea' },
    ],
  },
  dispatch: {
    label: '派单',
    fields: [
      { name: 'departmentId', label: '主办部门', kind: 'department', required: true },
      { name: 'assisting', label: '协办部门', kind: 'departments' },
      { name: 'instructions', label: '办理要求', kind: 'textarea' },
    ],
  },
  'department-accept': { label: '部门接单', fields: [] },
  'department-reply': {
    label: '部门答复',
    fields: [
      { name: 'text', label: '答复内容', kind: 'textarea', required: true },
      { name: 'attachments', label: '附件名称（每行一个）', kind: 'textarea' },
    ],
  },
  'department-return': { label: '退单', danger: true, fields: [{ name: 'reason', label: '退单理由', kind: 'textarea', required: true }] },
  'follow-up': {
    // a steward records the enterprise's answer; where the category allows, the enterprise gives it itself
    label: '回访评价',
    fields: [
      { name: 'satisfaction', label: '企业满意度', kind: 'satisfaction', required: true },
      { name: 'comment', label: '回访记录', kind: 'textarea' },
    ],
  },
  withdraw: { label: '撤回诉求', danger: true, fields: [{ name: 'reason', label: '撤回理由', kind: 'textarea' }] },
  pause: { label: '暂停（待企业补充材料）', fields: [{ name: 'reason', label: '需企业补充的内容', kind: 'textarea', required: true }] },
  'supply-info': { label: '补充材料', fields: [{ name: 'info', label: '补充内容', kind: 'textarea' }] },
  'request-extension': {
    label: '申请延期',
    fields: [
      { name: 'reason', label: '延期理由', kind: 'textarea', required: true },
      { name: 'newDueAt', label: '新的办结期限（北京时间）', kind: 'datetime', required: true },
    ],
  },
  'decide-extension': {
    label: '审批延期',
    fields: [
      { name: 'approve', label: '审批结果', kind: 'approve', required: true },
      { name: 'reason', label: '审批意见', kind: 'textarea' },
    ],
  },
};

export const SATISFACTION_OPTIONS = [
  { value: 'satisfied', label: '满意' },
  { value: 'basically_satisfied', label: '基本满意' },
  { value: 'dissatisfied', label: '不满意' },
];

/** The form's values as the API's body: empty optional fields left out, lists and instants shaped. */
export function bodyOf(action: string, values: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of ACTION_FORMS[action]?.fields ?? []) {
    const v = values[f.name];
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    if (action === 'department-reply' && f.name === 'attachments') {
      body.attachments = String(v)
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((name) => ({ name }));
    } else if (f.kind === 'datetime') {
      // the picked wall-clock time is Beijing time, whatever the browser's own zone
      body[f.name] = (v as { format(f: string): string }).format('YYYY-MM-DD[T]HH:mm:00+08:00');
    } else body[f.name] = v;
  }
  return body;
}
