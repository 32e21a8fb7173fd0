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
  type CaseEvent,
  type CaseEventType,
  type CaseState,
  type CaseWorkflowInput,
  type Level,
  type Satisfaction,
  type Stage,
  type StewardRef,
  OPEN_STAGES,
  SYSTEM_ACTOR,
  isTerminal,
  LEVEL_NAMES,
} from './case-model';
import { addDuration } from './time';

export type RefusalCode = 'forbidden' | 'conflict' | 'invalid';

export interface Refusal {
  code: RefusalCode;
  message: string;
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
  'follow_up_due',
  'reopened_to_you',
  'case_resolved',
  'case_declined',
  'case_withdrawn',
] as const;
export type Template = (typeof TEMPLATES)[number];

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
  /** the case was just dispatched: deliver it to the department */
  dispatch?: boolean;
}

const iso = (d: Date) => d.toISOString();

// ---------------------------------------------------------------- state and history

export function newCaseState(input: CaseWorkflowInput, now: Date): CaseState {
  const { policy, request } = input;
  const response = request.urgency === 'urgent' ? policy.urgentResponse : policy.response;
  return {
    caseId: input.caseId,
    parties: input.parties,
    request,
    policy,
    chain: input.chain,
    stage: 'submitted',
    owner: input.chain[1],
    openedAt: iso(now),
    openedBy: input.openedBy,
    deadlines: {
      responseDueAt: iso(addDuration(now, response)),
      resolutionDueAt: iso(addDuration(now, policy.resolution)),
    },
    window: null,
    overdue: false,
    breaches: {},
    escalations: [],
    reminders: 0,
    history: [],
  };
}

function record(
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

const toSteward = (s: StewardRef): Recipient => ({ kind: 'steward', id: s.id });
const urgent = (state: CaseState) => state.request.urgency === 'urgent';

function finish(state: CaseState, now: Date): void {
  state.window = null;
  state.overdue = false;
  delete state.overdueSince;
  state.closedAt = iso(now);
  if (isTerminal(state.stage)) state.outcome = state.stage;
}

function markOverdue(state: CaseState, now: Date, which: 'response' | 'resolution'): void {
  if (!state.overdue) {
    state.overdue = true;
    state.overdueSince = iso(now);
  }
  state.breaches[which] ??= iso(now);
}

function clearOverdue(state: CaseState): void {
  state.overdue = false;
  delete state.overdueSince;
}

/** After acknowledgement (or a reopen) the owner must get a resolution approved. */
function enterResolveStep(state: CaseState, now: Date): void {
  const level = state.owner.level;
  const due = new Date(state.deadlines.resolutionDueAt);
  if (due.getTime() > now.getTime()) {
    state.window = { step: 'resolve', level, openedAt: iso(now), dueAt: iso(due), reminding: false };
    return;
  }
  // The case-level resolution deadline has already passed (a late acknowledgement by an
  // escalated owner): the case is overdue at once and this owner gets its level's window.
  markOverdue(state, now, 'resolution');
  const dueAt = level === 1 ? now : addDuration(now, state.policy.escalation[level]);
  state.window = { step: 'resolve', level, openedAt: iso(now), dueAt: iso(dueAt), reminding: false };
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
  state.window = {
    step: 'acknowledge',
    level: 1,
    openedAt: iso(now),
    dueAt: state.deadlines.responseDueAt,
    reminding: false,
  };
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
      const dueAt = addDuration(now, state.policy.followUpWindow);
      state.deadlines.followUpDueAt = iso(dueAt);
      state.window = { step: 'follow_up', level: state.owner.level, openedAt: iso(now), dueAt: iso(dueAt), reminding: false };
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
        const dueAt = addDuration(now, state.policy.escalation[toLevel as 2 | 3]);
        state.owner = to;
        state.window = { step: w.step, level: toLevel, openedAt: iso(now), dueAt: iso(dueAt), reminding: false };
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
      const dueAt = addDuration(now, state.policy.reminderEvery);
      state.window = { ...w, reminding: true, dueAt: iso(dueAt) };
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

export function onDispatchDelivered(state: CaseState, now: Date, detail: Record<string, unknown>): Effects {
  if (!state.dispatch || state.dispatch.status !== 'pending') return { notify: [] };
  state.dispatch.status = 'dispatched';
  record(state, now, 'dispatch_delivered', SYSTEM_ACTOR, { detail: { departmentId: state.dispatch.departmentId, ...detail } });
  return { notify: [] };
}

export function onDispatchFailed(state: CaseState, now: Date, error: string): Effects {
  if (!state.dispatch || state.dispatch.status !== 'pending') return { notify: [] };
  state.dispatch.status = 'delivery_failed';
  const ev = record(state, now, 'dispatch_failed', SYSTEM_ACTOR, {
    reason: error,
    detail: { departmentId: state.dispatch.departmentId },
  });
  return { notify: [{ recipient: toSteward(state.owner), template: 'dispatch_failed', eventSeq: ev.seq, urgent: true }] };
}

export function onNotificationFailed(state: CaseState, now: Date, intent: NotificationIntent, error: string): void {
  record(state, now, 'notification_failed', SYSTEM_ACTOR, {
    reason: error,
    detail: { recipient: intent.recipient, template: intent.template, eventSeq: intent.eventSeq },
  });
}

// ---------------------------------------------------------------- authorisation

/** Highest level at which the actor stands in this case's chain, or null. */
export function chainLevel(state: CaseState, actor: Actor): Level | null {
  if (actor.kind !== 'steward') return null;
  for (const level of [3, 2, 1] as const) if (state.chain[level].id === actor.id) return level;
  return null;
}

function needStage(state: CaseState, action: string, allowed: readonly Stage[]): Refusal | null {
  if (allowed.includes(state.stage)) return null;
  return {
    code: 'conflict',
    message: `cannot ${action}: the case is ${state.stage}; ${action} is allowed only when it is ${allowed.join(' or ')}`,
  };
}

/** The owner, or a steward above the owner in this case's chain. */
function needOwnerOrAbove(state: CaseState, actor: Actor, action: string): Refusal | null {
  const level = chainLevel(state, actor);
  if (level === null) {
    return { code: 'forbidden', message: `${actor.kind} ${actor.id} is not a steward of this case's chain and cannot ${action}` };
  }
  if (level < state.owner.level) {
    return {
      code: 'forbidden',
      message: `the case is owned by ${LEVEL_NAMES[state.owner.level]} ${state.owner.id}; ${LEVEL_NAMES[level]} ${actor.id} cannot ${action} it`,
    };
  }
  return null;
}

const needText = (value: string | undefined, field: string): Refusal | null =>
  value && value.trim() ? null : { code: 'invalid', message: `${field} must not be empty` };

const first = (...checks: (Refusal | null)[]): Refusal | null => checks.find((c) => c !== null) ?? null;

// ---------------------------------------------------------------- actions

export interface ActionArgs {
  acknowledge: { actor: Actor; note?: string };
  decline: { actor: Actor; reason: string };
  propose: { actor: Actor; text: string };
  approve: { actor: Actor; note?: string };
  rejectProposal: { actor: Actor; reason: string };
  reassign: { actor: Actor; to: StewardRef; reason?: string };
  dispatch: { actor: Actor; department: { id: string; name: string }; instructions?: string };
  departmentReply: { actor: Actor; text: string };
  recordFollowUp: { actor: Actor; satisfaction: Satisfaction; comment?: string };
  withdraw: { actor: Actor; reason?: string };
}
export type ActionName = keyof ActionArgs;

interface ActionRule<A> {
  check(state: CaseState, args: A): Refusal | null;
  apply(state: CaseState, args: A, now: Date): Effects;
}

const WORKING_STAGES: readonly Stage[] = ['acknowledged', 'in_progress'];
const UNRESOLVED_STAGES: readonly Stage[] = OPEN_STAGES.filter((s) => s !== 'submitted');

export const ACTIONS: { [K in ActionName]: ActionRule<ActionArgs[K]> } = {
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
      const followUpAt = addDuration(now, s.policy.followUpDelay);
      const ev = record(s, now, 'proposal_approved', actor, {
        to: 'resolved',
        detail: { text: s.proposal?.text, late, followUpAt: iso(followUpAt), ...(note ? { note } : {}) },
      });
      clearOverdue(s);
      s.window = { step: 'follow_up_delay', level: s.owner.level, openedAt: iso(now), dueAt: iso(followUpAt), reminding: false };
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
      if (proposal?.source === 'department' && s.dispatch) {
        // back to the department that replied, with the reason
        s.dispatch.status = 'dispatched';
        delete s.dispatch.reply;
        return { notify: [{ recipient: { kind: 'department', id: s.dispatch.departmentId }, template: 'reply_rejected', eventSeq: ev.seq, urgent: false }] };
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
          ? { code: 'conflict', message: `a case owned at ${LEVEL_NAMES[s.owner.level]} level can only be reassigned to another ${LEVEL_NAMES[s.owner.level]}; ${to.id} is ${LEVEL_NAMES[to.level]}` }
          : null,
        to.id === s.owner.id ? { code: 'conflict', message: `${to.id} already owns the case` } : null,
      ),
    apply(s, { actor, to, reason }, now) {
      const from = s.owner;
      s.owner = to;
      s.chain[to.level] = to;
      const ev = record(s, now, 'reassigned', actor, { ...(reason ? { reason } : {}), detail: { from, to } });
      return { notify: [{ recipient: toSteward(to), template: 'assigned_to_you', eventSeq: ev.seq, urgent: urgent(s) }] };
    },
  },

  dispatch: {
    check: (s, { actor, department }) =>
      first(
        needStage(s, 'dispatch', WORKING_STAGES),
        needOwnerOrAbove(s, actor, 'dispatch'),
        s.dispatch && (s.dispatch.status === 'pending' || s.dispatch.status === 'dispatched')
          ? { code: 'conflict', message: `the case is already dispatched to ${s.dispatch.departmentName} (${s.dispatch.departmentId}) and awaits its reply` }
          : null,
        needText(department.id, 'departmentId'),
      ),
    apply(s, { actor, department, instructions }, now) {
      const dueAt = addDuration(now, s.policy.departmentReply);
      s.dispatch = {
        departmentId: department.id,
        departmentName: department.name,
        by: actor,
        at: iso(now),
        dueAt: iso(dueAt),
        status: 'pending',
        ...(instructions ? { instructions } : {}),
      };
      record(s, now, 'dispatched', actor, { to: 'in_progress', detail: { department, instructions, dueAt: iso(dueAt) } });
      return { notify: [], dispatch: true };
    },
  },

  departmentReply: {
    check: (s, { actor, text }) => {
      if (actor.kind !== 'department') return { code: 'forbidden', message: 'only a department can send a department reply' };
      if (!s.dispatch || s.dispatch.status === 'replied') {
        return { code: 'conflict', message: 'the case has no dispatch awaiting a department reply' };
      }
      if (s.dispatch.departmentId !== actor.id) {
        return { code: 'forbidden', message: `the case is dispatched to ${s.dispatch.departmentId}, not ${actor.id}` };
      }
      return first(needStage(s, 'reply', ['in_progress']), needText(text, 'text'));
    },
    apply(s, { actor, text }, now) {
      const d = s.dispatch!;
      d.status = 'replied';
      d.reply = { text, at: iso(now), by: actor };
      s.proposal = { text, by: actor, at: iso(now), source: 'department' };
      const ev = record(s, now, 'department_replied', actor, { to: 'pending_approval', detail: { text } });
      return approvalNeeded(s, actor, ev);
    },
  },

  recordFollowUp: {
    check: (s, { actor }) =>
      first(
        needStage(s, 'record a follow-up', ['follow_up']),
        chainLevel(s, actor) === null ? { code: 'forbidden', message: `${actor.id} is not a steward of this case's chain` } : null,
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
      s.deadlines.resolutionDueAt = iso(addDuration(now, s.policy.resolution));
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
          ? { code: 'forbidden', message: 'only the enterprise that filed the case can withdraw it' }
          : null,
        needStage(s, 'withdraw', UNRESOLVED_STAGES),
      ),
    apply(s, { actor, reason }, now) {
      const ev = record(s, now, 'withdrawn', actor, { to: 'withdrawn', ...(reason ? { reason } : {}) });
      finish(s, now);
      return { notify: [{ recipient: toSteward(s.owner), template: 'case_withdrawn', eventSeq: ev.seq, urgent: false }] };
    },
  },
};

function approvalNeeded(s: CaseState, actor: Actor, ev: CaseEvent): Effects {
  // the owner approves; no need to tell the owner about their own proposal
  if (actor.kind === 'steward' && actor.id === s.owner.id) return { notify: [] };
  return { notify: [{ recipient: toSteward(s.owner), template: 'approval_needed', eventSeq: ev.seq, urgent: false }] };
}
