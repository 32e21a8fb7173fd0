import * as wf from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { createActivities } from '../activities';
import type { QuickNotice } from '../activities/notifications';
import type { NotificationContext } from '../domain/messages';
import type { CaseState, CaseWorkflowInput } from '../domain/case-model';
import { isTerminal } from '../domain/case-model';
import {
  ABOUT_THE_WINDOW,
  ACTION_NAMES,
  ACTIONS,
  CALLS_TO_ACT,
  learnCalendarYears,
  onRecordRefused,
  onRuleFailed,
  uncoveredDeadline,
  type ActionName,
  type Effects,
  type NotificationIntent,
  newCaseState,
  onTaskDelivered,
  onTaskDeliveryFailed,
  onNotificationFailed,
  onTimer,
  holdUntil,
  nextTimer,
  openAndAssign,
} from '../domain/case-rules';
import { ACTION_FAILED, ACTION_UPDATES, answer, type CaseAnswer, type CaseEnded, CLIENT_KEY_PREFIX, REFUSAL_TYPES, awaitRecordedUpdate, getCaseStateQuery, intakeUpdate } from './definitions';
import { notificationContext } from '../domain/messages';

type Activities = ReturnType<typeof createActivities>;

// The read model must eventually hold every event, so persistence retries without limit. A
// persist takes milliseconds; the timeout is how long a batch waits after its worker died.
const PERSIST_RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
const { persistCase } = wf.proxyActivities<Activities>({ startToCloseTimeout: '10 seconds', retry: PERSIST_RETRY });

// The same write as a local activity (cases started since 'persist-local'): it runs on the worker
// that holds the case, inside the workflow task that raised the events, so a step costs one task
// instead of three and no activity round trip through the server, and an action's answer leaves
// with its events recorded. Only one short attempt: a database that is slow or down must not hold
// the case's task (actions are answered while the read model is stalled), so a batch that fails
// here goes to the remote activity above, with its retries, and so do the next ones until it
// succeeds. Idempotent like the remote one: a worker dying mid-task just runs it again.
const { persistCase: persistCaseHere, recordStep } = wf.proxyLocalActivities<Activities>({
  startToCloseTimeout: '2 seconds',
  retry: { maximumAttempts: 1 },
});

// A failing channel must never block or fail the case. No attempt limit here: the activities give
// up, non-retryably, after NOTIFY_MAX_ATTEMPTS / DISPATCH_MAX_ATTEMPTS failures of the channel or
// the department's system, and do not count attempts that found the database down, so a notice or
// a dispatch raised during an hour-long outage goes out within 5 minutes of the database's return.
const { notify } = wf.proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

// the first retry later than a notice's: 6 failures span about 15 minutes of a department's system being down
const { dispatchToDepartment } = wf.proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '40 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

// small and local; a case that cannot learn a calendar year today tries again tomorrow
const { calendarYearsAfter } = wf.proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

// like persistence: the ledger must end up telling the truth
const { dropHeldNotice } = wf.proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** ApplicationFailure type persistence throws for a batch the database refuses even cleaned. */
const RECORD_REFUSED = 'RecordRefused';
const KEYS_KEPT = 50;
const DAY_MS = 86_400_000;

/**
 * Runs a rule on the state; if it throws, the state is put back as it was and the error is
 * returned instead, so a bug or an uncomputable value costs one action, never the workflow task.
 */
function guarded<T>(state: CaseState, rule: () => T): { ok: true; value: T } | { ok: false; message: string } {
  const { history, ...rest } = state;
  const before = JSON.parse(JSON.stringify(rest)) as Omit<CaseState, 'history'>;
  const length = history.length;
  try {
    return { ok: true, value: rule() };
  } catch (err) {
    for (const k of Object.keys(state) as (keyof CaseState)[]) if (k !== 'history' && !(k in before)) delete state[k];
    Object.assign(state, before);
    state.history.length = length;
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

const isRecordRefused = (err: unknown): err is wf.ActivityFailure & { cause: wf.ApplicationFailure } =>
  err instanceof wf.ActivityFailure && err.cause instanceof wf.ApplicationFailure && err.cause.type === RECORD_REFUSED;

const failureMessage = (err: unknown): string =>
  err instanceof wf.ActivityFailure && err.cause ? err.cause.message : err instanceof Error ? err.message : String(err);

export async function caseWorkflow(input: CaseWorkflowInput): Promise<CaseState | CaseEnded> {
  let state: CaseState;
  try {
    state = input.resume ?? newCaseState(input, new Date());
  } catch (err) {
    // the intake dry-runs these rules first; reaching this is a bug, so fail this case visibly
    throw wf.ApplicationFailure.nonRetryable(`case ${input.caseId} could not be opened: ${(err as Error).message}`, 'RuleFailed');
  }
  // Cases since 'lean-steps' take every change below that has its own patch at once, with one
  // marker (and one search-attribute upsert) instead of one per change, and send their notices
  // with the read-model write. Asked once, first: a case started before it replays as it ran.
  const lean = wf.patched('lean-steps');
  const since = (patch: string) => lean || wf.patched(patch);
  // a continued run starts with everything persisted and no side effect in flight
  let persisted = input.resume ? state.history.length : 0;
  let inFlight = 0;
  let calendarLogged = false;

  // notices raised since the last write, sent by the next one (lean cases, outside quiet hours)
  const outbox: QuickNotice[] = [];
  const carryOut = (effects: Effects): void => {
    for (const intent of effects.notify) {
      const context = notificationContext(state, intent); // as things stood when it was raised
      if (lean && !holdUntil(state, intent, new Date())) outbox.push({ intent, context });
      else sendNotification(intent, context);
    }
    for (const no of effects.deliver ?? []) deliverTask(no);
  };

  /** Through the notify activity: held for quiet hours, retried, given up after its budget. */
  function sendNotification(intent: NotificationIntent, context: NotificationContext, alreadySent?: string[]): void {
    inFlight++;
    const hold = holdUntil(state, intent, new Date());
    const windowOpenedAt = state.window?.openedAt;
    // a call to act lapses when the case finishes; a warning or reminder when its window closes
    const lapsed = () =>
      (CALLS_TO_ACT.has(intent.template) && isTerminal(state.stage)) ||
      (ABOUT_THE_WINDOW.has(intent.template) && state.window?.openedAt !== windowOpenedAt);
    (async () => {
      if (hold) {
        // quiet hours: recorded as held now, sent by a durable timer at the next working period
        await notify({ caseId: state.caseId, intent, context, holdUntil: hold.toISOString() });
        if (since('held-notice-recheck')) {
          if (await wf.condition(lapsed, hold.getTime() - Date.now())) {
            await dropHeldNotice({ caseId: state.caseId, intent, reason: `case moved on (${state.stage}) before the hold ended` });
            return;
          }
        } else {
          await wf.sleep(hold.getTime() - Date.now());
        }
      }
      await notify({ caseId: state.caseId, intent, context, ...(alreadySent ? { alreadySent } : {}) });
    })()
      .catch((err) => onNotificationFailed(state, new Date(), intent, failureMessage(err)))
      .finally(() => inFlight--);
  }

  function deliverTask(no: number): void {
    const task = state.tasks[no]!;
    inFlight++;
    dispatchToDepartment({ caseId: state.caseId, departmentId: task.departmentId, task: no, role: task.role, context: notificationContext(state, null, no) })
      .then((res) => carryOut(onTaskDelivered(state, no, new Date(), res)))
      .catch((err) => carryOut(onTaskDeliveryFailed(state, no, new Date(), failureMessage(err))))
      .finally(() => inFlight--);
  }

  const allRecorded = () => persisted === state.history.length && !outbox.length;

  wf.setHandler(getCaseStateQuery, () => state);
  // Answered once the case is opened and assigned (the handler runs first, in the same task); the
  // intake has the calendar it copied into the input, not the policy a retry under the same key found.
  let opened = !!input.resume;
  wf.setHandler(intakeUpdate, async () => {
    await wf.condition(() => opened);
    return { ...answer(state, 0), policy: state.policy };
  });
  wf.setHandler(awaitRecordedUpdate, async () => {
    const upTo = state.history.length;
    await wf.condition(() => persisted >= upTo);
    return state;
  });

  /** the caller's Idempotency-Key when this Update carries one: applied at most once, across runs too */
  const clientKey = () => {
    const id = wf.currentUpdateInfo()?.id;
    return id?.startsWith(CLIENT_KEY_PREFIX) ? id : undefined;
  };
  const alreadyApplied = () => {
    const key = clientKey();
    return !!key && !!state.appliedKeys?.includes(key);
  };

  function handleAction<K extends ActionName>(name: K): void {
    const rule = ACTIONS[name];
    const refuse = (args: Parameters<typeof rule.check>[1]) => {
      if (alreadyApplied()) return;
      let refusal;
      try {
        refusal = rule.check(state, args, new Date()); // checks only read the state
      } catch (err) {
        const message = (err as Error).message;
        refusal = { code: 'conflict' as const, message: `the rules could not check this action: ${message}`, zh: `规则无法校验此操作：${message}` };
      }
      if (refusal) {
        // the Chinese travels in the failure's details; the API answers in the caller's language
        throw wf.ApplicationFailure.create({ type: REFUSAL_TYPES[refusal.code], message: refusal.message, nonRetryable: true, details: [{ zh: refusal.zh }] });
      }
    };
    wf.setHandler(
      ACTION_UPDATES[name] as unknown as UpdateDefinition<CaseAnswer, [Parameters<typeof rule.check>[1]]>,
      async (args) => {
        if (alreadyApplied()) return answer(state, state.history.length);
        const from = state.history.length;
        refuse(args); // again: an earlier update in the same task may have moved the case on
        const applied = guarded(state, () => rule.apply(state, args, new Date()));
        if (!applied.ok) {
          onRuleFailed(state, new Date(), name, applied.message);
          wf.log.error('action failed in the rules; the case is unchanged', { caseId: state.caseId, action: name, error: applied.message });
          throw wf.ApplicationFailure.create({
            type: ACTION_FAILED,
            message: `${name} failed and changed nothing: ${applied.message}`,
            nonRetryable: true,
            details: [{ zh: `${ACTION_NAMES[name]}操作执行失败，案件未作任何更改（已记录在案件历史中）：${applied.message}` }],
          });
        }
        carryOut(applied.value);
        const key = clientKey();
        if (key) state.appliedKeys = [...(state.appliedKeys ?? []), key].slice(-KEYS_KEPT);
        // the caller gets the applied state and its version; the read model catches up on its own
        if (since('answer-before-record')) return answer(state, from);
        const upTo = state.history.length;
        await wf.condition(() => persisted >= upTo);
        return answer(state, from);
      },
      { validator: refuse },
    );
  }
  (Object.keys(ACTIONS) as ActionName[]).forEach(handleAction);

  // Single writer of the read model: batches of events in order, each batch idempotent.
  void (async () => {
    const local = since('persist-local');
    let degraded = false; // the last local attempt failed: the remote activity until one succeeds
    type Unsent = QuickNotice & { alreadySent?: string[] };
    /** Writes the batch; answers the notices still to send (through the notify activity). */
    const persist = async (batch: Parameters<typeof persistCase>[0], notices: QuickNotice[]): Promise<Unsent[]> => {
      if (local && !degraded) {
        try {
          if (!lean) {
            await persistCaseHere(batch);
            return notices;
          }
          const done = await recordStep({ ...batch, notices });
          return notices.flatMap((n, i) => {
            const o = done.notices[i];
            return o?.done ? [] : [{ ...n, ...(o?.alreadySent ? { alreadySent: o.alreadySent } : {}) }];
          });
        } catch (err) {
          if (isRecordRefused(err)) throw err;
          degraded = true;
          wf.log.warn('read model write failed locally; retrying through the activity', { caseId: state.caseId, error: failureMessage(err) });
        }
      }
      await persistCase(batch);
      degraded = false;
      return notices;
    };
    for (;;) {
      await wf.condition(() => state.history.length > persisted || outbox.length > 0);
      const upTo = state.history.length;
      const { history, ...snapshot } = state;
      const batch = history.slice(persisted, upTo);
      const notices = outbox.splice(0);
      let unsent: Unsent[] = notices;
      try {
        if (batch.length) unsent = await persist({ state: snapshot, events: batch }, notices);
      } catch (err) {
        if (!isRecordRefused(err)) throw err;
        // the events live on in Temporal's history; the case goes on, and says so (unless the
        // refused batch was only such notes: no loop of notes about notes)
        wf.log.error('read model refused a batch; case continues', { caseId: state.caseId, fromSeq: batch[0]?.seq, toSeq: batch.at(-1)?.seq });
        if (batch.some((e) => e.type !== 'record_refused')) onRecordRefused(state, new Date(), batch[0]!.seq, batch.at(-1)!.seq, err.cause.message);
      }
      persisted = upTo;
      for (const n of unsent) sendNotification(n.intent, n.context, n.alreadySent);
    }
  })();

  if (!input.resume) {
    try {
      carryOut(openAndAssign(state, new Date()));
      opened = true;
    } catch (err) {
      throw wf.ApplicationFailure.nonRetryable(`case ${state.caseId} could not be opened: ${(err as Error).message}`, 'RuleFailed');
    }
  }

  const runIsLong = () => {
    const info = wf.workflowInfo();
    return info.continueAsNewSuggested || (input.historyLimit !== undefined && info.historyLength > input.historyLimit);
  };
  // a new run only once nothing is in flight; the wait below wakes up for it, so the
  // deadlines never stall behind it (a notice held over a holiday stays in flight for days)
  const readyToContinue = () => runIsLong() && allRecorded() && inFlight === 0 && wf.allHandlersFinished();

  let brokenTimer: string | undefined; // a timer whose rule failed: not retried in a tight loop
  let calendarCheckedAt = -Infinity;
  // Cases since 'keep-timer' keep the deadline's timer across steps that leave the deadline as it
  // was (a proposal, a department's reply…) instead of cancelling and starting it again at each:
  // two history events and two server commands fewer per such step.
  const keepTimer = since('keep-timer');
  let armed: { key: string; fired: Promise<boolean>; scope: wf.CancellationScope } | undefined;
  const arm = (key: string, at: string) => {
    const scope = new wf.CancellationScope();
    // resolves false once cancelled, so an abandoned timer never rejects into the workflow
    const fired = scope.run(() => wf.sleep(Math.max(Date.parse(at) - Date.now(), 1))).then(() => true, () => false);
    return { key, fired, scope };
  };
  /** true when the case moved (or is ready to continue), false when `timer` fell due first */
  const waitKeepingTimer = async (timer: { kind: string; at: string } | null, woken: () => boolean): Promise<boolean> => {
    const key = timer && `${timer.kind}@${timer.at}`;
    if (armed && armed.key !== key) {
      armed.scope.cancel();
      armed = undefined;
    }
    if (timer && !armed) armed = arm(key!, timer.at);
    const waiting = new wf.CancellationScope();
    const moved = waiting.run(() => wf.condition(woken)).then(() => true, () => false);
    if (!armed) return moved;
    const due = armed.fired.then(() => false);
    const first = await Promise.race([moved, due]);
    if (!first) {
      waiting.cancel(); // the condition is no longer wanted: it would be checked at every activation
      armed = undefined;
    }
    return first;
  };
  while (!isTerminal(state.stage)) {
    if (readyToContinue()) await wf.continueAsNew<typeof caseWorkflow>({ ...input, resume: state });
    if (!state.window) throw new Error(`case ${state.caseId} in stage ${state.stage} has no deadline window`);
    if (state.calendarUnknown && uncoveredDeadline(state) && Date.now() - calendarCheckedAt >= DAY_MS && since('calendar-refresh')) {
      calendarCheckedAt = Date.now();
      try {
        const data = await calendarYearsAfter(Math.max(...state.calendar.data.years, new Date(state.openedAt).getUTCFullYear() - 1));
        learnCalendarYears(state, new Date(), data);
      } catch (err) {
        wf.log.warn('calendar years could not be fetched; trying again tomorrow', { caseId: state.caseId, error: failureMessage(err) });
      }
      // an action taken while the activity ran may have finished the case: waiting below for the
      // next change would wait for ever (seen: a case withdrawn during a refresh stayed Running).
      // Only then: a path that used to hang has no history a replay could disagree with.
      if (isTerminal(state.stage)) continue;
    }
    const seen = state.history.length;
    const woken = () => state.history.length !== seen || readyToContinue();
    const next = nextTimer(state); // null when nothing is due: paused, and no department task open
    const timer = next && `${next.kind}@${next.at}` !== brokenTimer ? next : null;
    const moved = keepTimer
      ? await waitKeepingTimer(timer, woken)
      : timer
        ? await wf.condition(woken, Math.max(Date.parse(timer.at) - Date.now(), 1))
        : (await wf.condition(woken), true);
    if (!moved && timer) {
      // stamped with the deadline that passed, even when noticed late (a worker or server was down)
      const onTime = since('breach-at-deadline');
      const now = new Date();
      const fired = guarded(state, () => (onTime ? onTimer(state, new Date(Math.min(Date.parse(timer.at), now.getTime())), now) : onTimer(state, now)));
      if (fired.ok) carryOut(fired.value);
      else {
        brokenTimer = `${timer.kind}@${timer.at}`;
        onRuleFailed(state, now, `timer ${timer.kind}`, fired.message);
        wf.log.error('timer rule failed; waiting for an action on the case', { caseId: state.caseId, timer, error: fired.message });
      }
    }
    if (state.calendarUnknown && !calendarLogged) {
      calendarLogged = true;
      wf.log.warn('calendar unknown, counted as weekdays', { caseId: state.caseId, ...state.calendarUnknown });
    }
  }

  await wf.condition(() => allRecorded() && inFlight === 0 && wf.allHandlersFinished());
  if (!lean) return state;
  return { caseId: state.caseId, stage: state.stage, outcome: state.outcome ?? null, version: state.history.at(-1)?.seq ?? 0 };
}
