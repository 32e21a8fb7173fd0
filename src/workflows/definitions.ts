/**
 * Everything a caller needs to talk to a case workflow — names of updates and queries, the
 * task queue, workflow ids — without importing workflow code (the early-return sample's
 * shared.ts pattern).
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ActionArgs, ActionName, RefusalCode } from '../domain/case-rules';
import type { CaseEvent, CaseState } from '../domain/case-model';

export const DEFAULT_TASK_QUEUE = 'steward-cases';
export const WORKFLOW_TYPE = 'caseWorkflow';
/**
 * A case's workflow task takes milliseconds; this is how long an action waits when the worker
 * holding its task dies mid-task (Temporal's default, 10 s, was felt by every caller of that case).
 * Continue-as-new keeps it.
 */
export const WORKFLOW_TASK_TIMEOUT = '3 seconds';

export const caseWorkflowId = (caseId: string): string => `case-${caseId}`;

export const getCaseStateQuery = defineQuery<CaseState>('getCaseState');

/** Resolves once every event recorded so far is in the database (used right after start). */
export const awaitRecordedUpdate = defineUpdate<CaseState>('awaitRecorded');

/**
 * What an action answers: the case as the action left it, without its history (which grows with
 * every step and would be kept again in Temporal's history with every answer), its version, and
 * the events this action added. The whole history is read from the read model. Nor does it carry
 * what the case froze when it opened, its policy and calendar: the caller has them already (the
 * intake built them; an action found the case's row first). Older workers answered with them.
 */
export type CaseAnswer = Omit<CaseState, 'history' | 'policy' | 'calendar'> &
  Partial<Pick<CaseState, 'policy' | 'calendar'>> & { version: number; events: CaseEvent[] };

export function answer(state: CaseState, from: number): CaseAnswer {
  const { history, policy: _policy, calendar: _calendar, ...rest } = state;
  return { ...rest, version: history.at(-1)?.seq ?? 0, events: history.slice(from) };
}

/** An answer made whole again with the policy and calendar the caller holds. */
export function withFrozenParts<T extends CaseAnswer>(a: T, frozen: Pick<CaseState, 'policy' | 'calendar'>): T & Pick<CaseState, 'policy' | 'calendar'> {
  return { ...a, policy: a.policy ?? frozen.policy, calendar: a.calendar ?? frozen.calendar };
}

/**
 * Answers at once with the case as it stands, its events so far (the read model catches up on its
 * own). Sent with the start (update-with-start) so an intake learns its case, or finds the one a
 * retry started. Older workers answered with the whole CaseState.
 */
export const intakeUpdate = defineUpdate<CaseAnswer | CaseState>('intake');

/**
 * What a case's workflow ends with (cases since 'lean-steps'): how it ended, not its state, which
 * the read model holds (written before the workflow ends) and would otherwise be kept a second
 * time, whole, in Temporal's history. Older runs ended with their whole CaseState.
 */
export interface CaseEnded {
  caseId: string;
  stage: CaseState['stage'];
  outcome: CaseState['outcome'] | null;
  version: number;
}

type ActionUpdate<K extends ActionName> = ReturnType<typeof defineUpdate<CaseAnswer, [ActionArgs[K]], K>>;

export const ACTION_UPDATES: { [K in ActionName]: ActionUpdate<K> } = {
  acknowledge: defineUpdate('acknowledge'),
  decline: defineUpdate('decline'),
  propose: defineUpdate('propose'),
  approve: defineUpdate('approve'),
  rejectProposal: defineUpdate('rejectProposal'),
  reassign: defineUpdate('reassign'),
  dispatch: defineUpdate('dispatch'),
  departmentAccept: defineUpdate('departmentAccept'),
  departmentReply: defineUpdate('departmentReply'),
  departmentReturn: defineUpdate('departmentReturn'),
  recordFollowUp: defineUpdate('recordFollowUp'),
  withdraw: defineUpdate('withdraw'),
  pause: defineUpdate('pause'),
  resume: defineUpdate('resume'),
  requestExtension: defineUpdate('requestExtension'),
  decideExtension: defineUpdate('decideExtension'),
};

/** ApplicationFailure `type` of a refused action; the API maps these to 403 / 409 / 400. */
export const REFUSAL_TYPES: Record<RefusalCode, string> = {
  forbidden: 'ActionForbidden',
  conflict: 'ActionRefused',
  invalid: 'ActionInvalid',
};

/** ApplicationFailure `type` of an action whose rule failed unexpectedly: recorded on the case, nothing changed. */
export const ACTION_FAILED = 'ActionFailed';

/** A client's Idempotency-Key reaches the workflow as the Update id, with this prefix. */
export const CLIENT_KEY_PREFIX = 'key:';

/**
 * Failure budgets the activities enforce (the workflow retries them without limit): a channel that
 * has failed this often is given up and the notice recorded as notification_failed; a department's
 * system, then the task is delivery_failed. Attempts lost to an unreachable database do not count.
 */
export const NOTIFY_MAX_ATTEMPTS = 8;
export const DISPATCH_MAX_ATTEMPTS = 6;
