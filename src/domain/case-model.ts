/** The case: stages, levels, actors, events and the workflow's serialisable state. */
import type { Duration } from './time';
import type { WorkingCalendar } from './working-time';

export const STAGES = [
  'submitted',
  'assigned',
  'acknowledged',
  'in_progress',
  'pending_approval',
  'resolved',
  'follow_up',
  'closed',
  'closed_no_feedback',
  'rejected',
  'withdrawn',
] as const;
export type Stage = (typeof STAGES)[number];
export const STAGE_NAMES: Record<Stage, string> = {
  submitted: '已提交',
  assigned: '待签收',
  acknowledged: '已签收',
  in_progress: '办理中',
  pending_approval: '待审核',
  resolved: '已办结',
  follow_up: '待回访',
  closed: '已结案',
  closed_no_feedback: '已结案（企业未评价）',
  rejected: '不予受理',
  withdrawn: '已撤回',
};

export const TERMINAL_STAGES = ['closed', 'closed_no_feedback', 'rejected', 'withdrawn'] as const;
export type TerminalStage = (typeof TERMINAL_STAGES)[number];

export function isTerminal(stage: Stage): stage is TerminalStage {
  return (TERMINAL_STAGES as readonly Stage[]).includes(stage);
}

/** Stages in which the enterprise's problem is still being worked on. */
export const OPEN_STAGES: readonly Stage[] = ['submitted', 'assigned', 'acknowledged', 'in_progress', 'pending_approval'];

export type Level = 1 | 2 | 3;
export const LEVEL_NAMES: Record<Level, string> = { 1: '点楼长', 2: '分楼长', 3: '总楼长' };

export const SATISFACTION = ['satisfied', 'basically_satisfied', 'dissatisfied'] as const;
export type Satisfaction = (typeof SATISFACTION)[number];
export const SATISFACTION_NAMES: Record<Satisfaction, string> = {
  satisfied: '满意',
  basically_satisfied: '基本满意',
  dissatisfied: '不满意',
};

export const URGENCIES = ['normal', 'urgent'] as const;
export type Urgency = (typeof URGENCIES)[number];
export const URGENCY_NAMES: Record<Urgency, string> = { normal: '普通', urgent: '紧急' };

export type ActorKind = 'steward' | 'department' | 'enterprise' | 'system';

export interface Actor {
  kind: ActorKind;
  id: string;
  name?: string;
  /** stewards only */
  level?: Level;
  /** the signed-in person (or department system) acting in this role: who did it, for the audit */
  personId?: string;
}

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'system', name: '系统' };

export interface StewardRef {
  id: string;
  name: string;
  level: Level;
}

/** The steward chain responsible for the building, snapshotted when the case opens. */
export type StewardChain = Record<Level, StewardRef>;

/** Time limits one case runs under, frozen into the case when it opens. */
export interface SlaPolicy {
  category: string;
  categoryName: string;
  /** acknowledge (签收) within this, from intake */
  response: Duration;
  /** replaces `response` for urgent cases */
  urgentResponse: Duration;
  /** resolution approved within this, from intake */
  resolution: Duration;
  /** window an escalated owner gets for the step that was missed, per level */
  escalation: Record<2 | 3, Duration>;
  /** 督办 reminder interval once the top level's window has passed */
  reminderEvery: Duration;
  /** department's time to reply to a dispatch */
  departmentReply: Duration;
  /** delay after resolution before the 回访 is due */
  followUpDelay: Duration;
  /** how long the 回访 stays open before the case closes as no feedback */
  followUpWindow: Duration;
  /** share of a window after which its owner is warned once (e.g. 0.75) */
  warnAt: number;
  /** most a resolution deadline may be extended (延期) in total */
  extensionCap: Duration;
  /** the enterprise may give its own 回访 answer (满意度) instead of waiting for the steward's call; absent in cases opened before it existed */
  enterpriseFeedback: boolean;
  /** the department usually responsible (catalogue's 责任部门) */
  departmentId?: string;
  /** catalogue version this policy was taken from */
  catalogueVersion: number;
}

/** The step the case is waiting for, with the deadline the current owner must meet. */
export type WindowStep = 'acknowledge' | 'resolve' | 'follow_up_delay' | 'follow_up';

export interface SlaWindow {
  step: WindowStep;
  level: Level;
  openedAt: string;
  dueAt: string;
  /** 'working': the deadline counts office time, so pauses and warnings do too */
  clock: 'working' | 'calendar';
  /** when the owner is warned (acknowledge / resolve windows only) */
  warnAt?: string;
  warned: boolean;
  /** past the top level: 督办 reminders are being sent at this interval */
  reminding: boolean;
}

export interface Pause {
  since: string;
  until?: string;
  reason: string;
  by: Actor;
  resumedBy?: Actor;
  /** time the deadlines were pushed back by (office time for working clocks) */
  shiftMs?: number;
}

export interface Extension {
  requestedAt: string;
  by: Actor;
  requesterLevel: Level;
  reason: string;
  fromDueAt: string;
  newDueAt: string;
  status: 'pending' | 'approved' | 'refused';
  decidedAt?: string;
  decidedBy?: Actor;
  decisionReason?: string;
}

export interface Proposal {
  text: string;
  by: Actor;
  at: string;
  source: 'steward' | 'department';
}

export const TASK_STATUSES = ['pending', 'dispatched', 'accepted', 'replied', 'returned', 'delivery_failed', 'closed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
/** a task the department still owes an answer on */
export const OPEN_TASK_STATUSES: readonly TaskStatus[] = ['pending', 'dispatched', 'accepted', 'delivery_failed'];

export interface Attachment {
  name: string;
  url?: string;
  size?: number;
  mimeType?: string;
}

/** One department's part in a case: 主办 (lead) or 协办 (assisting), with its own deadline. */
export interface DepartmentTask {
  /** index in `tasks`, stable for the life of the case */
  no: number;
  departmentId: string;
  departmentName: string;
  role: 'lead' | 'assist';
  status: TaskStatus;
  by: Actor;
  dispatchedAt: string;
  dueAt: string;
  instructions?: string;
  delivery?: { at: string; adapter?: string; reference?: string; error?: string };
  acceptedAt?: string;
  reply?: { text: string; attachments: Attachment[]; at: string; by: Actor };
  returned?: { reason: string; at: string; by: Actor };
  /** set while the department is past its deadline */
  overdueSince?: string;
  /** office time the department spent overdue, closed spans only (the steward's is separate) */
  overdueMs: number;
  reminders: number;
  nextReminderAt?: string;
}

export interface Escalation {
  at: string;
  step: WindowStep;
  fromLevel: Level;
  toLevel: Level;
  fromStewardId: string;
  toStewardId: string;
  missedDueAt: string;
}

export const EVENT_TYPES = [
  'opened',
  'assigned',
  'acknowledged',
  'declined',
  'proposed',
  'proposal_approved',
  'proposal_rejected',
  'reassigned',
  'dispatched',
  'dispatch_delivered',
  'dispatch_failed',
  'department_accepted',
  'department_replied',
  'department_returned',
  'department_overdue',
  'department_reminder',
  'escalated',
  'overdue_reminder',
  'follow_up_due',
  'follow_up_recorded',
  'reopened',
  'closed',
  'closed_no_feedback',
  'withdrawn',
  'notification_failed',
  'deadline_warning',
  'paused',
  'resumed',
  'extension_requested',
  'extension_approved',
  'extension_refused',
  'calendar_unknown',
  'calendar_updated',
  /** a rule failed unexpectedly (a bug or a value the calendar cannot compute): the action or timer did nothing */
  'rule_failed',
  /** the read model refused a batch of events even after cleaning their text; they live on in Temporal's history */
  'record_refused',
] as const;
export type CaseEventType = (typeof EVENT_TYPES)[number];
/** How a person reads each event in a case's history (the console's timeline). */
export const EVENT_NAMES: Record<CaseEventType, string> = {
  opened: '受理',
  assigned: '分派',
  acknowledged: '签收',
  declined: '不予受理',
  proposed: '提交办理意见',
  proposal_approved: '审核通过',
  proposal_rejected: '退回重办',
  reassigned: '转派',
  dispatched: '派单',
  dispatch_delivered: '派单送达',
  dispatch_failed: '派单失败',
  department_accepted: '部门接单',
  department_replied: '部门答复',
  department_returned: '部门退单',
  department_overdue: '部门超期',
  department_reminder: '部门催办',
  escalated: '超时升级',
  overdue_reminder: '督办提醒',
  follow_up_due: '待回访',
  follow_up_recorded: '回访',
  reopened: '重新办理',
  closed: '结案',
  closed_no_feedback: '结案（企业未评价）',
  withdrawn: '撤回',
  notification_failed: '通知发送失败',
  deadline_warning: '临期提醒',
  paused: '暂停',
  resumed: '恢复',
  extension_requested: '申请延期',
  extension_approved: '批准延期',
  extension_refused: '不批准延期',
  calendar_unknown: '工作日历缺失',
  calendar_updated: '工作日历更新',
  rule_failed: '规则执行异常',
  record_refused: '记录写入异常',
};

export interface CaseEvent {
  seq: number;
  at: string;
  type: CaseEventType;
  actor: Actor;
  from?: Stage;
  to?: Stage;
  reason?: string;
  detail: Record<string, unknown>;
}

export interface CaseParties {
  building: { id: string; name: string; areaId: string; townId: string };
  enterprise: { id: string; name: string; creditCode: string };
}

export interface CaseRequest {
  category: string;
  urgency: Urgency;
  title: string;
  description: string;
  contact: { name: string; phone: string };
  /** the enterprise's supporting files, by name (the files stay with the enterprise) */
  attachments?: Attachment[];
}

export interface CaseWorkflowInput {
  caseId: string;
  parties: CaseParties;
  request: CaseRequest;
  chain: StewardChain;
  policy: SlaPolicy;
  /** holidays, make-up days and office hours this case counts with, frozen at intake */
  calendar: WorkingCalendar;
  /** hold non-urgent notifications outside office hours (frozen at intake) */
  quietHours: boolean;
  openedBy: Actor;
  /** continue as new once the run's history passes this many events (default: when the server suggests it) */
  historyLimit?: number;
  /** set when the workflow continues as new: the state to carry on from */
  resume?: CaseState;
}

export interface CaseState {
  caseId: string;
  parties: CaseParties;
  request: CaseRequest;
  policy: SlaPolicy;
  calendar: WorkingCalendar;
  quietHours: boolean;
  /** set once a deadline had to count days the calendar data does not cover */
  calendarUnknown?: { since: string; message: string };
  chain: StewardChain;
  stage: Stage;
  outcome?: TerminalStage;
  owner: StewardRef;
  openedAt: string;
  openedBy: Actor;
  deadlines: {
    responseDueAt: string;
    resolutionDueAt: string;
    /** the resolution deadline before any 延期 (pauses included): the extension cap counts from it */
    resolutionBaseDueAt: string;
    followUpDueAt?: string;
  };
  window: SlaWindow | null;
  /** the current window has passed its warning point */
  atRisk: boolean;
  /** set while the case awaits the enterprise: the resolution clock is stopped */
  pause?: Pause;
  pauses: Pause[];
  extension?: Extension;
  extensions: Extension[];
  /** the current step is past its deadline (the case is 超期); cleared when the step is done */
  overdue: boolean;
  overdueSince?: string;
  breaches: { response?: string; resolution?: string };
  acknowledgedAt?: string;
  resolvedAt?: string;
  closedAt?: string;
  proposal?: Proposal;
  /** every department task of the case, in dispatch order */
  tasks: DepartmentTask[];
  satisfaction?: Satisfaction;
  escalations: Escalation[];
  reminders: number;
  /** ids of the last client-keyed actions (Idempotency-Key) applied, so a retry in a later run is not applied twice */
  appliedKeys?: string[];
  history: CaseEvent[];
}
