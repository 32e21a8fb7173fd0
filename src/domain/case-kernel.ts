/**
 * The shared core of the case rules: the history, deadlines and windows, authorisation
 * checks and the shapes of effects. Pure; imported by the steward and department rules.
 */
import {
  type Actor,
  type CaseEvent,
  type CaseEventType,
  type CaseState,
  type DepartmentTask,
  type Level,
  type Pause,
  type SlaWindow,
  type Stage,
  type StewardRef,
  type WindowStep,
  OPEN_STAGES,
  OPEN_TASK_STATUSES,
  SYSTEM_ACTOR,
  isTerminal,
  LEVEL_NAMES,
  STAGE_NAMES,
} from './case-model';
import { type Duration, isWorking, reckon } from './time';
import { addWorkingMs, nextWorkingStart, workingMsBetween } from './working-time';

export type RefusalCode = 'forbidden' | 'conflict' | 'invalid';

/** Why an action is refused: `message` in English (instants in ISO), `zh` for the stewards (instants in Beijing time). */
export interface Refusal {
  code: RefusalCode;
  message: string;
  zh: string;
}

export const TEMPLATES = [
  'assigned_to_you',
  'escalated_to_you',
  'escalated_from_you',
  'overdue_reminder',
  'approval_needed',
  'dispatch_to_department',
  'reply_rejected',
  'dispatch_failed',
  'department_returned',
  'department_overdue',
  'department_reminder',
  'department_replied',
  'follow_up_due',
  'reopened_to_you',
  'case_resolved',
  'case_declined',
  'case_withdrawn',
  'deadline_warning',
  'extension_requested',
  'extension_decided',
  'info_requested',
  'info_supplied',
] as const;
export type Template = (typeof TEMPLATES)[number];

/**
 * Notices that ask someone to act on the case: once the case is finished they no longer apply,
 * so one held for quiet hours is dropped rather than sent. The others tell of an outcome and are
 * sent whenever they fall due.
 */
export const CALLS_TO_ACT: ReadonlySet<Template> = new Set<Template>([
  'assigned_to_you',
  'escalated_to_you',
  'escalated_from_you',
  'overdue_reminder',
  'approval_needed',
  'dispatch_to_department',
  'reply_rejected',
  'department_overdue',
  'department_reminder',
  'follow_up_due',
  'reopened_to_you',
  'deadline_warning',
  'extension_requested',
  'info_requested',
]);

/** Warnings and reminders about one window: they lapse when that window closes. */
export const ABOUT_THE_WINDOW: ReadonlySet<Template> = new Set<Template>(['deadline_warning', 'overdue_reminder']);

export interface Recipient {
  kind: 'steward' | 'department' | 'enterprise';
  id: string;
}

export interface NotificationIntent {
  recipient: Recipient;
  template: Template;
  eventSeq: number;
  urgent: boolean;
}

export interface Effects {
  notify: NotificationIntent[];
  /** department tasks (by `no`) to deliver through their departments' adapters */
  deliver?: number[];
}

export const iso = (d: Date) => d.toISOString();

/**
 * Every deadline goes through here: `from` + `d` on the case's own calendar. Counting days the
 * calendar data does not cover is recorded once, visibly, rather than silently.
 */
export function due(state: CaseState, from: Date, d: Duration): Date {
  const r = reckon(from, d, state.calendar);
  if (r.assumedWeekdays) flagCalendarUnknown(state, from);
  return r.at;
}

/** Records, once, that a deadline counted days the calendar data does not cover. */
export function flagCalendarUnknown(state: CaseState, from: Date): void {
  if (!state.calendarUnknown) {
    state.calendarUnknown = {
      since: iso(from),
      message: `日历数据（${state.calendar.data.source}，覆盖 ${state.calendar.data.years.join('、') || '无'} 年）不含期限所在年份：按周一至周五计算工作日 (calendar unknown, counted as weekdays)`,
    };
    // at intake the history does not exist yet; openAndAssign records it then
    if (state.history.length) recordCalendarUnknown(state, from);
  }
}

export function recordCalendarUnknown(state: CaseState, now: Date): void {
  record(state, now, 'calendar_unknown', SYSTEM_ACTOR, { reason: state.calendarUnknown!.message, detail: { years: state.calendar.data.years } });
}

/** The instant `share` of the way through a window, on the window's own clock. */
export function pointIn(state: CaseState, from: Date, to: Date, share: number, clock: SlaWindow['clock']): Date {
  if (clock === 'working') {
    const span = workingMsBetween(from, to, state.calendar);
    if (span > 0) return addWorkingMs(from, span * share, state.calendar).at;
  }
  return new Date(from.getTime() + (to.getTime() - from.getTime()) * share);
}

/** Opens the window the current owner must meet; acknowledge and resolve windows warn first. */
export function openWindow(state: CaseState, step: WindowStep, level: Level, now: Date, dueAt: Date, clock: SlaWindow['clock']): void {
  const warns = step === 'acknowledge' || step === 'resolve';
  state.window = {
    step,
    level,
    openedAt: iso(now),
    dueAt: iso(dueAt),
    clock,
    warned: false,
    reminding: false,
    ...(warns && dueAt.getTime() > now.getTime() ? { warnAt: iso(pointIn(state, now, dueAt, state.policy.warnAt, clock)) } : {}),
  };
  state.atRisk = false;
}

export const clockOf = (d: Duration): SlaWindow['clock'] => (isWorking(d) ? 'working' : 'calendar');

/** Pushes an instant back by a pause, on the given clock. */
export function shift(state: CaseState, at: string, pause: { workingMs: number; elapsedMs: number }, clock: SlaWindow['clock']): string {
  const t = new Date(at);
  return iso(clock === 'working' ? addWorkingMs(t, pause.workingMs, state.calendar).at : new Date(t.getTime() + pause.elapsedMs));
}

export function record(
  state: CaseState,
  now: Date,
  type: CaseEventType,
  actor: Actor,
  opts: { to?: Stage; reason?: string; detail?: Record<string, unknown> } = {},
): CaseEvent {
  const event: CaseEvent = {
    seq: state.history.length + 1,
    at: iso(now),
    type,
    actor,
    detail: opts.detail ?? {},
  };
  if (opts.to && opts.to !== state.stage) {
    event.from = state.stage;
    event.to = opts.to;
    state.stage = opts.to;
  }
  if (opts.reason) event.reason = opts.reason;
  state.history.push(event);
  return event;
}

export const toSteward = (s: StewardRef): Recipient => ({ kind: 'steward', id: s.id });
export const urgent = (state: CaseState) => state.request.urgency === 'urgent';

export function finish(state: CaseState, now: Date): void {
  closeOpenTasks(state, now);
  state.window = null;
  state.atRisk = false;
  if (state.pause) endPause(state, now, SYSTEM_ACTOR);
  if (state.extension) delete state.extension;
  clearOverdue(state);
  state.closedAt = iso(now);
  if (isTerminal(state.stage)) state.outcome = state.stage;
}

export function markOverdue(state: CaseState, now: Date, which: 'response' | 'resolution'): void {
  state.atRisk = false;
  if (!state.overdue) {
    state.overdue = true;
    state.overdueSince = iso(now);
  }
  state.breaches[which] ??= iso(now);
}

export function clearOverdue(state: CaseState): void {
  state.overdue = false;
  delete state.overdueSince;
}

/** Ends a pause: the resolution deadline and the running window move back by the paused time. */
export function endPause(state: CaseState, now: Date, by: Actor): Pause {
  const pause = state.pause!;
  const span = {
    workingMs: workingMsBetween(new Date(pause.since), now, state.calendar),
    elapsedMs: now.getTime() - new Date(pause.since).getTime(),
  };
  const resolutionClock = clockOf(state.policy.resolution);
  state.deadlines.resolutionDueAt = shift(state, state.deadlines.resolutionDueAt, span, resolutionClock);
  state.deadlines.resolutionBaseDueAt = shift(state, state.deadlines.resolutionBaseDueAt, span, resolutionClock);
  const w = state.window;
  if (w && w.step === 'resolve') {
    w.dueAt = shift(state, w.dueAt, span, w.clock);
    if (w.warnAt && !w.warned) w.warnAt = shift(state, w.warnAt, span, w.clock);
  }
  const ended: Pause = { ...pause, until: iso(now), resumedBy: by, shiftMs: resolutionClock === 'working' ? span.workingMs : span.elapsedMs };
  state.pauses.push(ended);
  delete state.pause;
  return ended;
}

// ---------------------------------------------------------------- authorisation

/** Highest level at which the actor stands in this case's chain, or null. */
export function chainLevel(state: CaseState, actor: Actor): Level | null {
  if (actor.kind !== 'steward') return null;
  for (const level of [3, 2, 1] as const) if (state.chain[level].id === actor.id) return level;
  return null;
}

/** The actions a refusal names, as the English message says them and as a steward calls them. */
const ACTION_ZH = {
  acknowledge: '签收',
  decline: '作出不予受理决定',
  propose: '提交办理意见',
  approve: '审核通过',
  'reject the proposal': '退回办理意见',
  reassign: '改派',
  'record a follow-up': '登记回访',
  withdraw: '撤回',
  pause: '暂停计时',
  resume: '恢复计时',
  'request an extension': '申请延期',
  dispatch: '派单',
  'reply as lead department': '以主办部门身份答复',
  reply: '答复',
} as const;
export type ActionPhrase = keyof typeof ACTION_ZH;

const KIND_ZH: Record<Actor['kind'], string> = { steward: '楼长', department: '部门', enterprise: '企业', system: '系统' };
const FIELD_ZH: Record<string, string> = { reason: '原因', text: '内容' };

/** `李明（stw-area-east）`; `（dept-x）` when there is no name */
export const who = (x: { id: string; name?: string }): string => `${x.name && x.name !== x.id ? x.name : ''}（${x.id}）`;

export function needStage(state: CaseState, action: ActionPhrase, allowed: readonly Stage[]): Refusal | null {
  if (allowed.includes(state.stage)) return null;
  return {
    code: 'conflict',
    message: `cannot ${action}: the case is ${state.stage}; ${action} is allowed only when it is ${allowed.join(' or ')}`,
    zh: `无法${ACTION_ZH[action]}：案件当前状态为“${STAGE_NAMES[state.stage]}”，仅在“${allowed.map((a) => STAGE_NAMES[a]).join('”或“')}”状态下可以${ACTION_ZH[action]}`,
  };
}

/** The owner, or a steward above the owner in this case's chain. */
export function needOwnerOrAbove(state: CaseState, actor: Actor, action: ActionPhrase): Refusal | null {
  const level = chainLevel(state, actor);
  if (level === null) {
    return {
      code: 'forbidden',
      message: `${actor.kind} ${actor.id} is not a steward of this case's chain and cannot ${action}`,
      zh: `${KIND_ZH[actor.kind]}${who(actor)}不在本案件的楼长链中，无权${ACTION_ZH[action]}`,
    };
  }
  if (level < state.owner.level) {
    return {
      code: 'forbidden',
      message: `the case is owned by ${LEVEL_NAMES[state.owner.level]} ${state.owner.id}; ${LEVEL_NAMES[level]} ${actor.id} cannot ${action} it`,
      zh: `本案件现由${LEVEL_NAMES[state.owner.level]}${who(state.owner)}负责，${LEVEL_NAMES[level]}${who(actor)}无权${ACTION_ZH[action]}`,
    };
  }
  return null;
}

export const needText = (value: string | undefined, field: 'reason' | 'text'): Refusal | null =>
  value && value.trim() ? null : { code: 'invalid', message: `${field} must not be empty`, zh: `${FIELD_ZH[field]}不能为空` };

export const first = (...checks: (Refusal | null)[]): Refusal | null => checks.find((c) => c !== null) ?? null;

export interface ActionRule<A> {
  check(state: CaseState, args: A, now: Date): Refusal | null;
  apply(state: CaseState, args: A, now: Date): Effects;
}

export const WORKING_STAGES: readonly Stage[] = ['acknowledged', 'in_progress'];
export const UNRESOLVED_STAGES: readonly Stage[] = OPEN_STAGES.filter((s) => s !== 'submitted');

export function approvalNeeded(s: CaseState, actor: Actor, ev: CaseEvent): Effects {
  // the owner approves; no need to tell the owner about their own proposal
  if (actor.kind === 'steward' && actor.id === s.owner.id) return { notify: [] };
  return { notify: [{ recipient: toSteward(s.owner), template: 'approval_needed', eventSeq: ev.seq, urgent: false }] };
}

export const isOpenTask = (t: DepartmentTask) => OPEN_TASK_STATUSES.includes(t.status);

/** Ends a department's overdue span, adding its office time to the department's account. */
export function settleOverdue(state: CaseState, task: DepartmentTask, now: Date): void {
  if (!task.overdueSince) return;
  task.overdueMs += workingMsBetween(new Date(task.overdueSince), now, state.calendar);
  delete task.overdueSince;
  delete task.nextReminderAt;
}

/** The case no longer needs these departments (resolved, withdrawn, ...). */
export function closeOpenTasks(state: CaseState, now: Date): void {
  for (const task of state.tasks) {
    if (!isOpenTask(task)) continue;
    settleOverdue(state, task, now);
    task.status = 'closed';
  }
}

/**
 * Quiet hours: a non-urgent notice raised outside office hours or on a day off waits for the
 * start of the next working period (nobody wants escalation mail at midnight). Returns when to
 * send it, or null for now.
 */
export function holdUntil(state: CaseState, intent: NotificationIntent, now: Date): Date | null {
  if (intent.urgent || urgent(state) || !state.quietHours) return null;
  const next = nextWorkingStart(now, state.calendar).at;
  return next.getTime() > now.getTime() ? next : null;
}
