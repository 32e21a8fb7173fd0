/**
 * The case's state machine as pure functions over `CaseState`.
 *
 * Each steward/enterprise action has a `check` (may this actor do this now? — used by the
 * workflow's Update validators, so a refusal reaches the caller synchronously) and an
 * `apply` that mutates the state, appends history events and returns the side effects the
 * workflow must carry out (notifications, a department dispatch). Timer outcomes
 * (deadline breach, follow-up window) live here too, so the whole lifecycle is testable
 * without Temporal and the workflow stays a thin shell.
 */
import {
  type Actor,
  type CaseState,
  type CaseWorkflowInput,
  type Extension,
  type Level,
  type Satisfaction,
  type StewardRef,
  SYSTEM_ACTOR,
  LEVEL_NAMES,
} from './case-model';
import {
  type ActionRule,
  approvalNeeded,
  chainLevel,
  clearOverdue,
  clockOf,
  closeOpenTasks,
  due,
  type Effects,
  endPause,
  finish,
  first,
  flagCalendarUnknown,
  iso,
  markOverdue,
  needOwnerOrAbove,
  needStage,
  needText,
  type NotificationIntent,
  openWindow,
  record,
  recordCalendarUnknown,
  toSteward,
  UNRESOLVED_STAGES,
  urgent,
  who,
  WORKING_STAGES,
} from './case-kernel';
import { beijingTime } from './readable-time';
import { durationInEnglish, formatDuration, reckon } from './time';
import { type CalendarData, calendarCovers } from './working-time';
import { DEPARTMENT_ACTIONS, type DepartmentActionArgs, nextDepartmentTimer, onDepartmentDue, reopenLeadTask } from './department-rules';

export { onTaskDelivered, onTaskDeliveryFailed } from './department-rules';

export { ABOUT_THE_WINDOW, CALLS_TO_ACT, chainLevel, holdUntil, TEMPLATES } from './case-kernel';
export type { Effects, NotificationIntent, Recipient, Refusal, RefusalCode, Template } from './case-kernel';

// ---------------------------------------------------------------- state and history

export function newCaseState(input: CaseWorkflowInput, now: Date): CaseState {
  const { policy, request } = input;
  const response = request.urgency === 'urgent' ? policy.urgentResponse : policy.response;
  const state: CaseState = {
    caseId: input.caseId,
    parties: input.parties,
    request,
    policy,
    calendar: input.calendar,
    quietHours: input.quietHours,
    chain: input.chain,
    stage: 'submitted',
    owner: input.chain[1],
    openedAt: iso(now),
    openedBy: input.openedBy,
    deadlines: { responseDueAt: '', resolutionDueAt: '', resolutionBaseDueAt: '' },
    window: null,
    atRisk: false,
    overdue: false,
    breaches: {},
    pauses: [],
    extensions: [],
    tasks: [],
    escalations: [],
    reminders: 0,
    history: [],
  };
  state.deadlines.responseDueAt = iso(due(state, now, response));
  state.deadlines.resolutionDueAt = iso(due(state, now, policy.resolution));
  state.deadlines.resolutionBaseDueAt = state.deadlines.resolutionDueAt;
  return state;
}


/** After acknowledgement (or a reopen) the owner must get a resolution approved. */
function enterResolveStep(state: CaseState, now: Date): void {
  const level = state.owner.level;
  const dueAt = new Date(state.deadlines.resolutionDueAt);
  if (dueAt.getTime() > now.getTime()) {
    openWindow(state, 'resolve', level, now, dueAt, clockOf(state.policy.resolution));
    return;
  }
  // The case-level resolution deadline has already passed (a late acknowledgement by an
  // escalated owner): the case is overdue at once and this owner gets its level's window.
  markOverdue(state, now, 'resolution');
  if (level === 1) {
    openWindow(state, 'resolve', 1, now, now, 'calendar');
    return;
  }
  const window = state.policy.escalation[level];
  openWindow(state, 'resolve', level, now, due(state, now, window), clockOf(window));
}

// ---------------------------------------------------------------- system steps

/** 受理 + 派单: the case is recorded and the building's 点楼长 owns it. */
export function openAndAssign(state: CaseState, now: Date): Effects {
  record(state, now, 'opened', state.openedBy, {
    detail: { category: state.request.category, urgency: state.request.urgency, policy: state.policy },
  });
  const ev = record(state, now, 'assigned', SYSTEM_ACTOR, {
    to: 'assigned',
    detail: { owner: state.owner, responseDueAt: state.deadlines.responseDueAt },
  });
  const response = state.request.urgency === 'urgent' ? state.policy.urgentResponse : state.policy.response;
  openWindow(state, 'acknowledge', 1, now, new Date(state.deadlines.responseDueAt), clockOf(response));
  if (state.calendarUnknown) recordCalendarUnknown(state, now);
  return { notify: [{ recipient: toSteward(state.owner), template: 'assigned_to_you', eventSeq: ev.seq, urgent: urgent(state) }] };
}

/**
 * The current window's deadline passed without the required step. A breach is a business
 * outcome: escalate one level, or past 总楼长 send a 督办 reminder and keep waiting.
 */
export function onWindowElapsed(state: CaseState, now: Date): Effects {
  const w = state.window;
  if (!w) return { notify: [] };
  switch (w.step) {
    case 'follow_up_delay': {
      const dueAt = due(state, now, state.policy.followUpWindow);
      state.deadlines.followUpDueAt = iso(dueAt);
      openWindow(state, 'follow_up', state.owner.level, now, dueAt, clockOf(state.policy.followUpWindow));
      const ev = record(state, now, 'follow_up_due', SYSTEM_ACTOR, { to: 'follow_up', detail: { followUpDueAt: iso(dueAt) } });
      return { notify: [{ recipient: toSteward(state.chain[1]), template: 'follow_up_due', eventSeq: ev.seq, urgent: false }] };
    }
    case 'follow_up': {
      record(state, now, 'closed_no_feedback', SYSTEM_ACTOR, {
        to: 'closed_no_feedback',
        reason: '回访期限内未取得企业评价',
      });
      finish(state, now);
      return { notify: [] };
    }
    case 'acknowledge':
    case 'resolve': {
      markOverdue(state, now, w.step === 'acknowledge' ? 'response' : 'resolution');
      if (w.level < 3 && !w.reminding) {
        const toLevel = (w.level + 1) as Level;
        const from = state.owner;
        const to = state.chain[toLevel];
        const window = state.policy.escalation[toLevel as 2 | 3];
        const dueAt = due(state, now, window);
        state.owner = to;
        openWindow(state, w.step, toLevel, now, dueAt, clockOf(window));
        state.escalations.push({
          at: iso(now),
          step: w.step,
          fromLevel: w.level,
          toLevel,
          fromStewardId: from.id,
          toStewardId: to.id,
          missedDueAt: w.dueAt,
        });
        const ev = record(state, now, 'escalated', SYSTEM_ACTOR, {
          reason: `${LEVEL_NAMES[w.level]}未在期限内${w.step === 'acknowledge' ? '签收' : '办结'}`,
          detail: { step: w.step, fromLevel: w.level, toLevel, from, to, missedDueAt: w.dueAt, newDueAt: iso(dueAt) },
        });
        return {
          notify: [
            { recipient: toSteward(to), template: 'escalated_to_you', eventSeq: ev.seq, urgent: true },
            { recipient: toSteward(from), template: 'escalated_from_you', eventSeq: ev.seq, urgent: false },
          ],
        };
      }
      state.reminders += 1;
      const dueAt = due(state, now, state.policy.reminderEvery);
      state.window = { ...w, reminding: true, dueAt: iso(dueAt), clock: clockOf(state.policy.reminderEvery) };
      state.atRisk = false;
      const ev = record(state, now, 'overdue_reminder', SYSTEM_ACTOR, {
        reason: `超期未${w.step === 'acknowledge' ? '签收' : '办结'}，督办第${state.reminders}次`,
        detail: { step: w.step, count: state.reminders, nextReminderAt: iso(dueAt) },
      });
      const recipients = uniqueStewards([state.owner, state.chain[1]]);
      return { notify: recipients.map((s) => ({ recipient: toSteward(s), template: 'overdue_reminder' as const, eventSeq: ev.seq, urgent: true })) };
    }
  }
}

function uniqueStewards(list: StewardRef[]): StewardRef[] {
  return list.filter((s, i) => list.findIndex((o) => o.id === s.id) === i);
}

/** The owner is warned once, at the window's warning point (default 75 %). */
export function onWarning(state: CaseState, now: Date): Effects {
  const w = state.window;
  if (!w || w.warned) return { notify: [] };
  w.warned = true;
  state.atRisk = true;
  const ev = record(state, now, 'deadline_warning', SYSTEM_ACTOR, {
    reason: `${w.step === 'acknowledge' ? '签收' : '办结'}期限将至`,
    detail: { step: w.step, level: w.level, dueAt: w.dueAt, share: state.policy.warnAt },
  });
  return { notify: [{ recipient: toSteward(state.owner), template: 'deadline_warning', eventSeq: ev.seq, urgent: false }] };
}

export type Timer = { at: string; kind: 'warn' | 'due' } | { at: string; kind: 'department'; task: number };

/** What the workflow waits for next: a warning, a deadline, a department's deadline, or nothing. */
export function nextTimer(state: CaseState): Timer | null {
  const w = state.window;
  let timer: Timer | null = null;
  // while awaiting the enterprise the case's own clocks stop; departments' do not
  if (w && !state.pause) {
    timer = w.warnAt && !w.warned && !w.reminding && w.warnAt < w.dueAt ? { at: w.warnAt, kind: 'warn' } : { at: w.dueAt, kind: 'due' };
  }
  const dept = nextDepartmentTimer(state);
  if (dept && (!timer || dept.at < timer.at)) timer = { at: dept.at, kind: 'department', task: dept.task };
  return timer;
}

/**
 * The next timer has fired. `at` stamps what it records: the deadline itself, so a breach noticed
 * late (a worker or server was down) still says when it happened. Given `now`, a warning whose
 * deadline has already passed is skipped: it would only arrive after the breach it announces.
 */
export function onTimer(state: CaseState, at: Date, now?: Date): Effects {
  const timer = nextTimer(state);
  if (!timer) return { notify: [] };
  if (timer.kind === 'department') return onDepartmentDue(state, timer.task, at);
  if (timer.kind === 'due') return onWindowElapsed(state, at);
  if (now && state.window && now.getTime() >= Date.parse(state.window.dueAt)) {
    state.window.warned = true;
    return { notify: [] };
  }
  return onWarning(state, at);
}

/**
 * Calendar years published after the case opened (a new `chinese-days` on the worker). Deadlines
 * counted from now on use them; deadlines already set stay as announced, since moving a promised
 * deadline silently would mislead more than a weekday count did.
 */
export function learnCalendarYears(state: CaseState, now: Date, data: CalendarData): boolean {
  const have = state.calendar.data;
  const fresh = data.years.filter((y) => !have.years.includes(y));
  if (!fresh.length) return false;
  const inFresh = (d: string) => fresh.includes(Number(d.slice(0, 4)));
  state.calendar = {
    ...state.calendar,
    data: {
      source: data.source,
      years: [...have.years, ...fresh].sort((a, b) => a - b),
      holidays: [...have.holidays, ...data.holidays.filter(inFresh)].sort(),
      workdays: [...have.workdays, ...data.workdays.filter(inFresh)].sort(),
    },
  };
  const covered = !uncoveredDeadline(state);
  if (covered) delete state.calendarUnknown;
  record(state, now, 'calendar_updated', SYSTEM_ACTOR, {
    reason: `日历数据新增 ${fresh.join('、')} 年（${data.source}）：此后计算的期限按新数据，已定的期限不变`,
    detail: { years: fresh, source: data.source, allDeadlinesCovered: covered },
  });
  return true;
}

/** Whether a deadline the case now holds lies in a year its calendar does not cover. */
export function uncoveredDeadline(state: CaseState): boolean {
  const times = [state.deadlines.responseDueAt, state.deadlines.resolutionDueAt, state.window?.dueAt, ...state.tasks.map((t) => t.dueAt)];
  const last = Math.max(...times.filter((t): t is string => !!t).map(Date.parse));
  return !calendarCovers(new Date(state.openedAt), new Date(last), state.calendar.data);
}

/** Something in the rules failed unexpectedly: recorded on the case, visibly, instead of wedging it. */
export function onRuleFailed(state: CaseState, now: Date, where: string, message: string): void {
  record(state, now, 'rule_failed', SYSTEM_ACTOR, { reason: `规则执行失败（${where}）：${message}`, detail: { where, message } });
}

/** The read model refused a batch even after cleaning its text (see persistence.ts). */
export function onRecordRefused(state: CaseState, now: Date, fromSeq: number, toSeq: number, message: string): void {
  record(state, now, 'record_refused', SYSTEM_ACTOR, { reason: message, detail: { fromSeq, toSeq } });
}

export function onNotificationFailed(state: CaseState, now: Date, intent: NotificationIntent, error: string): void {
  record(state, now, 'notification_failed', SYSTEM_ACTOR, {
    reason: error,
    detail: { recipient: intent.recipient, template: intent.template, eventSeq: intent.eventSeq },
  });
}


// ---------------------------------------------------------------- actions

export interface ActionArgs extends DepartmentActionArgs {
  acknowledge: { actor: Actor; note?: string };
  decline: { actor: Actor; reason: string };
  propose: { actor: Actor; text: string };
  approve: { actor: Actor; note?: string };
  rejectProposal: { actor: Actor; reason: string };
  reassign: { actor: Actor; to: StewardRef; reason?: string };
  recordFollowUp: { actor: Actor; satisfaction: Satisfaction; comment?: string };
  withdraw: { actor: Actor; reason?: string };
  pause: { actor: Actor; reason: string };
  resume: { actor: Actor; info?: string };
  requestExtension: { actor: Actor; reason: string; newDueAt: string };
  decideExtension: { actor: Actor; approve: boolean; reason?: string };
}
export type ActionName = keyof ActionArgs;

/** What each action is called, for the messages a steward reads. */
export const ACTION_NAMES: Record<ActionName, string> = {
  acknowledge: '签收',
  decline: '不予受理',
  propose: '提交办理意见',
  approve: '审核通过',
  rejectProposal: '退回办理意见',
  reassign: '改派',
  dispatch: '派单',
  departmentAccept: '部门签收',
  departmentReply: '部门答复',
  departmentReturn: '部门退单',
  recordFollowUp: '登记回访',
  withdraw: '撤回',
  pause: '暂停计时',
  resume: '补充材料并恢复计时',
  requestExtension: '申请延期',
  decideExtension: '审批延期',
};



export const ACTIONS: { [K in ActionName]: ActionRule<ActionArgs[K]> } = {
  ...DEPARTMENT_ACTIONS,
  acknowledge: {
    check: (s, { actor }) => first(needStage(s, 'acknowledge', ['assigned']), needOwnerOrAbove(s, actor, 'acknowledge')),
    apply(s, { actor, note }, now) {
      const late = now.getTime() > new Date(s.deadlines.responseDueAt).getTime();
      s.acknowledgedAt = iso(now);
      record(s, now, 'acknowledged', actor, { to: 'acknowledged', detail: { late, ...(note ? { note } : {}) } });
      clearOverdue(s);
      enterResolveStep(s, now);
      return { notify: [] };
    },
  },

  decline: {
    check: (s, { actor, reason }) =>
      first(needStage(s, 'decline', ['assigned', 'acknowledged']), needOwnerOrAbove(s, actor, 'decline'), needText(reason, 'reason')),
    apply(s, { actor, reason }, now) {
      const ev = record(s, now, 'declined', actor, { to: 'rejected', reason });
      finish(s, now);
      return { notify: [{ recipient: { kind: 'enterprise', id: s.parties.enterprise.id }, template: 'case_declined', eventSeq: ev.seq, urgent: false }] };
    },
  },

  propose: {
    check: (s, { actor, text }) => first(needStage(s, 'propose', WORKING_STAGES), needOwnerOrAbove(s, actor, 'propose'), needText(text, 'text')),
    apply(s, { actor, text }, now) {
      s.proposal = { text, by: actor, at: iso(now), source: 'steward' };
      const ev = record(s, now, 'proposed', actor, { to: 'pending_approval', detail: { text } });
      return approvalNeeded(s, actor, ev);
    },
  },

  approve: {
    check: (s, { actor }) => first(needStage(s, 'approve', ['pending_approval']), needOwnerOrAbove(s, actor, 'approve')),
    apply(s, { actor, note }, now) {
      const late = now.getTime() > new Date(s.deadlines.resolutionDueAt).getTime();
      s.resolvedAt = iso(now);
      if (s.pause) endPause(s, now, actor);
      closeOpenTasks(s, now);
      const followUpAt = due(s, now, s.policy.followUpDelay);
      const ev = record(s, now, 'proposal_approved', actor, {
        to: 'resolved',
        detail: { text: s.proposal?.text, late, followUpAt: iso(followUpAt), ...(note ? { note } : {}) },
      });
      clearOverdue(s);
      if (s.extension) delete s.extension;
      openWindow(s, 'follow_up_delay', s.owner.level, now, followUpAt, clockOf(s.policy.followUpDelay));
      return { notify: [{ recipient: { kind: 'enterprise', id: s.parties.enterprise.id }, template: 'case_resolved', eventSeq: ev.seq, urgent: false }] };
    },
  },

  rejectProposal: {
    check: (s, { actor, reason }) =>
      first(needStage(s, 'reject the proposal', ['pending_approval']), needOwnerOrAbove(s, actor, 'reject the proposal'), needText(reason, 'reason')),
    apply(s, { actor, reason }, now) {
      const proposal = s.proposal;
      delete s.proposal;
      const ev = record(s, now, 'proposal_rejected', actor, { to: 'in_progress', reason, detail: { text: proposal?.text, source: proposal?.source } });
      const lead = proposal?.source === 'department' ? reopenLeadTask(s, now) : undefined;
      if (lead) {
        // back to the department that replied, with the reason and a new deadline
        return { notify: [{ recipient: { kind: 'department', id: lead.departmentId }, template: 'reply_rejected', eventSeq: ev.seq, urgent: false }] };
      }
      return { notify: [] };
    },
  },

  reassign: {
    check: (s, { actor, to }) =>
      first(
        needStage(s, 'reassign', UNRESOLVED_STAGES),
        needOwnerOrAbove(s, actor, 'reassign'),
        to.level !== s.owner.level
          ? {
              code: 'conflict',
              message: `a case owned at ${LEVEL_NAMES[s.owner.level]} level can only be reassigned to another ${LEVEL_NAMES[s.owner.level]}; ${to.id} is ${LEVEL_NAMES[to.level]}`,
              zh: `本案件由${LEVEL_NAMES[s.owner.level]}负责，只能改派给另一位${LEVEL_NAMES[s.owner.level]}；${who(to)}是${LEVEL_NAMES[to.level]}`,
            }
          : null,
        to.id === s.owner.id ? { code: 'conflict', message: `${to.id} already owns the case`, zh: `${who(to)}已是本案件的负责人` } : null,
      ),
    apply(s, { actor, to, reason }, now) {
      const from = s.owner;
      s.owner = to;
      s.chain[to.level] = to;
      const ev = record(s, now, 'reassigned', actor, { ...(reason ? { reason } : {}), detail: { from, to } });
      return { notify: [{ recipient: toSteward(to), template: 'assigned_to_you', eventSeq: ev.seq, urgent: urgent(s) }] };
    },
  },

  recordFollowUp: {
    check: (s, { actor }) =>
      first(
        needStage(s, 'record a follow-up', ['follow_up']),
        actor.kind === 'enterprise'
          ? actor.id === s.parties.enterprise.id && s.policy.enterpriseFeedback === true
            ? null
            : { code: 'forbidden', message: 'for this category the steward records the follow-up; the enterprise cannot rate the case itself', zh: '本事项的回访由楼长登记，企业不能自行评价' }
          : chainLevel(s, actor) === null
            ? { code: 'forbidden', message: `${actor.id} is not a steward of this case's chain`, zh: `${who(actor)}不是本案件楼长链中的楼长，不能登记回访` }
            : null,
      ),
    apply(s, { actor, satisfaction, comment }, now) {
      s.satisfaction = satisfaction;
      const detail = { satisfaction, ...(comment ? { comment } : {}) };
      if (satisfaction !== 'dissatisfied') {
        record(s, now, 'follow_up_recorded', actor, { detail });
        record(s, now, 'closed', SYSTEM_ACTOR, { to: 'closed', detail: { satisfaction } });
        finish(s, now);
        return { notify: [] };
      }
      record(s, now, 'follow_up_recorded', actor, { detail });
      // 不满意 reopens the case one level up, with a fresh resolution deadline
      const toLevel = Math.min(s.owner.level + 1, 3) as Level;
      const from = s.owner;
      s.owner = s.chain[toLevel];
      s.deadlines.resolutionDueAt = iso(due(s, now, s.policy.resolution));
      s.deadlines.resolutionBaseDueAt = s.deadlines.resolutionDueAt;
      delete s.deadlines.followUpDueAt;
      delete s.proposal;
      delete s.resolvedAt;
      const ev = record(s, now, 'reopened', SYSTEM_ACTOR, {
        to: 'in_progress',
        reason: '企业不满意',
        detail: { from, to: s.owner, resolutionDueAt: s.deadlines.resolutionDueAt },
      });
      enterResolveStep(s, now);
      return { notify: [{ recipient: toSteward(s.owner), template: 'reopened_to_you', eventSeq: ev.seq, urgent: true }] };
    },
  },

  withdraw: {
    check: (s, { actor }) =>
      first(
        actor.kind !== 'enterprise' || actor.id !== s.parties.enterprise.id
          ? { code: 'forbidden', message: 'only the enterprise that filed the case can withdraw it', zh: '只有提出诉求的企业可以撤回本案件' }
          : null,
        needStage(s, 'withdraw', UNRESOLVED_STAGES),
      ),
    apply(s, { actor, reason }, now) {
      const ev = record(s, now, 'withdrawn', actor, { to: 'withdrawn', ...(reason ? { reason } : {}) });
      finish(s, now);
      return { notify: [{ recipient: toSteward(s.owner), template: 'case_withdrawn', eventSeq: ev.seq, urgent: false }] };
    },
  },

  // 等待企业补充材料: the resolution clock stops until the enterprise supplies what was asked
  pause: {
    check: (s, { actor, reason }) =>
      first(
        needStage(s, 'pause', WORKING_STAGES),
        needOwnerOrAbove(s, actor, 'pause'),
        s.pause
          ? { code: 'conflict', message: `the case is already awaiting the enterprise since ${s.pause.since}`, zh: `本案件自 ${beijingTime(s.pause.since)} 起已在等待企业补充材料` }
          : null,
        s.window?.reminding
          ? { code: 'conflict', message: 'the case is already past its last deadline; it cannot be paused', zh: '本案件已超过最后办理期限，不能暂停计时' }
          : null,
        needText(reason, 'reason'),
      ),
    apply(s, { actor, reason }, now) {
      s.pause = { since: iso(now), reason, by: actor };
      const ev = record(s, now, 'paused', actor, { reason, detail: { resolutionDueAt: s.deadlines.resolutionDueAt } });
      return { notify: [{ recipient: { kind: 'enterprise', id: s.parties.enterprise.id }, template: 'info_requested', eventSeq: ev.seq, urgent: false }] };
    },
  },

  resume: {
    check: (s, { actor }) => {
      if (!s.pause) return { code: 'conflict', message: 'the case is not awaiting the enterprise', zh: '本案件未在等待企业补充材料，无需恢复计时' };
      const isFiler = actor.kind === 'enterprise' && actor.id === s.parties.enterprise.id;
      return isFiler ? null : needOwnerOrAbove(s, actor, 'resume');
    },
    apply(s, { actor, info }, now) {
      const ended = endPause(s, now, actor);
      const ev = record(s, now, 'resumed', actor, {
        detail: { pausedSince: ended.since, shiftMs: ended.shiftMs, resolutionDueAt: s.deadlines.resolutionDueAt, ...(info ? { info } : {}) },
      });
      return { notify: actor.id === s.owner.id ? [] : [{ recipient: toSteward(s.owner), template: 'info_supplied', eventSeq: ev.seq, urgent: false }] };
    },
  },

  // 延期: asked before the deadline, decided by a steward above the one asking, capped in total
  requestExtension: {
    check: (s, { actor, reason, newDueAt }, now) => {
      const refusal = first(
        needStage(s, 'request an extension', ['acknowledged', 'in_progress', 'pending_approval']),
        needOwnerOrAbove(s, actor, 'request an extension'),
        needText(reason, 'reason'),
        s.extension
          ? {
              code: 'conflict',
              message: `an extension to ${s.extension.newDueAt} is already awaiting a decision`,
              zh: `已有延期至 ${beijingTime(s.extension.newDueAt)} 的申请在等待审批`,
            }
          : null,
      );
      if (refusal) return refusal;
      if (chainLevel(s, actor) === 3) return { code: 'conflict', message: '总楼长 has no level above to approve an extension', zh: '总楼长没有上级审批延期' };
      const w = s.window;
      if (!w || w.step !== 'resolve' || w.reminding || s.overdue || Date.parse(w.dueAt) <= now.getTime()) {
        return { code: 'conflict', message: 'an extension must be requested before the resolution deadline passes', zh: '延期须在办结期限届满前申请' };
      }
      const wanted = Date.parse(newDueAt);
      if (!(wanted > Date.parse(s.deadlines.resolutionDueAt))) {
        return {
          code: 'invalid',
          message: `newDueAt must be after the current deadline ${s.deadlines.resolutionDueAt}`,
          zh: `申请的新期限须晚于当前办结期限 ${beijingTime(s.deadlines.resolutionDueAt)}`,
        };
      }
      const cap = reckon(new Date(s.deadlines.resolutionBaseDueAt), s.policy.extensionCap, s.calendar).at;
      if (wanted > cap.getTime()) {
        return {
          code: 'conflict',
          message: `extensions are capped at ${durationInEnglish(s.policy.extensionCap)} in total: the latest possible deadline is ${iso(cap)}`,
          zh: `延期累计不得超过 ${formatDuration(s.policy.extensionCap)}：办结期限最晚可延至 ${beijingTime(iso(cap))}`,
        };
      }
      return null;
    },
    apply(s, { actor, reason, newDueAt }, now) {
      const requesterLevel = chainLevel(s, actor)!;
      s.extension = {
        requestedAt: iso(now),
        by: actor,
        requesterLevel,
        reason,
        fromDueAt: s.deadlines.resolutionDueAt,
        newDueAt: iso(new Date(newDueAt)),
        status: 'pending',
      };
      const ev = record(s, now, 'extension_requested', actor, { reason, detail: { fromDueAt: s.extension.fromDueAt, newDueAt: s.extension.newDueAt } });
      const approver = s.chain[(requesterLevel + 1) as Level];
      return { notify: [{ recipient: toSteward(approver), template: 'extension_requested', eventSeq: ev.seq, urgent: false }] };
    },
  },

  decideExtension: {
    check: (s, { actor, approve, reason }) => {
      const pending = s.extension;
      if (!pending) return { code: 'conflict', message: 'no extension is awaiting a decision', zh: '没有待审批的延期申请' };
      const level = chainLevel(s, actor);
      if (level === null || level <= pending.requesterLevel) {
        return {
          code: 'forbidden',
          message: `an extension asked by ${LEVEL_NAMES[pending.requesterLevel]} is decided by a steward above it in this case's chain`,
          zh: `${LEVEL_NAMES[pending.requesterLevel]}提出的延期申请，须由本案件楼长链中更高一级的楼长审批`,
        };
      }
      return approve ? null : needText(reason, 'reason');
    },
    apply(s, { actor, approve, reason }, now) {
      const decided: Extension = {
        ...s.extension!,
        status: approve ? 'approved' : 'refused',
        decidedAt: iso(now),
        decidedBy: actor,
        ...(reason ? { decisionReason: reason } : {}),
      };
      delete s.extension;
      s.extensions.push(decided);
      const w = s.window;
      if (approve) {
        // the deadline is given, not counted, but its warning point and any later count run into its year
        if (!calendarCovers(now, new Date(decided.newDueAt), s.calendar.data)) flagCalendarUnknown(s, now);
        s.deadlines.resolutionDueAt = decided.newDueAt;
        if (w && w.step === 'resolve' && !w.reminding && decided.newDueAt > w.dueAt) {
          openWindow(s, 'resolve', w.level, now, new Date(decided.newDueAt), w.clock);
        }
      }
      const ev = record(s, now, approve ? 'extension_approved' : 'extension_refused', actor, {
        ...(reason ? { reason } : {}),
        detail: { requestedBy: decided.by.id, newDueAt: decided.newDueAt, resolutionDueAt: s.deadlines.resolutionDueAt },
      });
      return { notify: [{ recipient: { kind: 'steward', id: decided.by.id }, template: 'extension_decided', eventSeq: ev.seq, urgent: false }] };
    },
  },
};
