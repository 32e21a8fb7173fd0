import * as wf from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { createActivities } from '../activities';
import type { CaseState, CaseWorkflowInput } from '../domain/case-model';
import { isTerminal } from '../domain/case-model';
import {
  ACTIONS,
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
import { ACTION_UPDATES, NOTIFY_MAX_ATTEMPTS, REFUSAL_TYPES, awaitRecordedUpdate, getCaseStateQuery, intakeUpdate } from './definitions';
import { notificationContext } from '../domain/messages';

type Activities = ReturnType<typeof createActivities>;

// The read model must eventually hold every event, so persistence retries without limit.
const { persistCase } = wf.proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// A failing channel must never block or fail the case: bounded retries, then a recorded failure.
const { notify } = wf.proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: NOTIFY_MAX_ATTEMPTS },
});

const { dispatchToDepartment } = wf.proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 6 },
});

const failureMessage = (err: unknown): string =>
  err instanceof wf.ActivityFailure && err.cause ? err.cause.message : err instanceof Error ? err.message : String(err);

export async function caseWorkflow(input: CaseWorkflowInput): Promise<CaseState> {
  const state: CaseState = input.resume ?? newCaseState(input, new Date());
  // a continued run starts with everything persisted and no side effect in flight
  let persisted = input.resume ? state.history.length : 0;
  let inFlight = 0;
  let calendarLogged = false;

  const carryOut = (effects: Effects): void => {
    for (const intent of effects.notify) sendNotification(intent);
    for (const no of effects.deliver ?? []) deliverTask(no);
  };

  function sendNotification(intent: NotificationIntent): void {
    inFlight++;
    const context = notificationContext(state, intent); // as things stood when it was raised
    const hold = holdUntil(state, intent, new Date());
    (async () => {
      if (hold) {
        // quiet hours: recorded as held now, sent by a durable timer at the next working period
        await notify({ caseId: state.caseId, intent, context, holdUntil: hold.toISOString() });
        await wf.sleep(hold.getTime() - Date.now());
      }
      await notify({ caseId: state.caseId, intent, context });
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

  const allRecorded = () => persisted === state.history.length;

  wf.setHandler(getCaseStateQuery, () => state);
  wf.setHandler(intakeUpdate, () => state);
  wf.setHandler(awaitRecordedUpdate, async () => {
    const upTo = state.history.length;
    await wf.condition(() => persisted >= upTo);
    return state;
  });

  function handleAction<K extends ActionName>(name: K): void {
    const rule = ACTIONS[name];
    const refuse = (args: Parameters<typeof rule.check>[1]) => {
      const refusal = rule.check(state, args, new Date());
      if (refusal) {
        throw wf.ApplicationFailure.create({ type: REFUSAL_TYPES[refusal.code], message: refusal.message, nonRetryable: true });
      }
    };
    wf.setHandler(
      ACTION_UPDATES[name] as unknown as UpdateDefinition<CaseState, [Parameters<typeof rule.check>[1]]>,
      async (args) => {
        refuse(args); // again: an earlier update in the same task may have moved the case on
        carryOut(rule.apply(state, args, new Date()));
        // answer once the action is durable in the read model too, so lists agree with the caller
        const upTo = state.history.length;
        await wf.condition(() => persisted >= upTo);
        return state;
      },
      { validator: refuse },
    );
  }
  (Object.keys(ACTIONS) as ActionName[]).forEach(handleAction);

  // Single writer of the read model: batches of events in order, each batch idempotent.
  void (async () => {
    for (;;) {
      await wf.condition(() => state.history.length > persisted);
      const upTo = state.history.length;
      const { history, ...snapshot } = state;
      await persistCase({ state: snapshot, events: history.slice(persisted, upTo) });
      persisted = upTo;
    }
  })();

  if (!input.resume) carryOut(openAndAssign(state, new Date()));

  const runIsLong = () => {
    const info = wf.workflowInfo();
    return info.continueAsNewSuggested || (input.historyLimit !== undefined && info.historyLength > input.historyLimit);
  };
  // a new run only once nothing is in flight; the wait below wakes up for it, so the
  // deadlines never stall behind it (a notice held over a holiday stays in flight for days)
  const readyToContinue = () => runIsLong() && allRecorded() && inFlight === 0 && wf.allHandlersFinished();

  while (!isTerminal(state.stage)) {
    if (readyToContinue()) await wf.continueAsNew<typeof caseWorkflow>({ ...input, resume: state });
    if (!state.window) throw new Error(`case ${state.caseId} in stage ${state.stage} has no deadline window`);
    const seen = state.history.length;
    const woken = () => state.history.length !== seen || readyToContinue();
    const timer = nextTimer(state); // null when nothing is due: paused, and no department task open
    const moved = timer ? await wf.condition(woken, Math.max(Date.parse(timer.at) - Date.now(), 1)) : (await wf.condition(woken), true);
    if (!moved) carryOut(onTimer(state, new Date()));
    if (state.calendarUnknown && !calendarLogged) {
      calendarLogged = true;
      wf.log.warn('calendar unknown, counted as weekdays', { caseId: state.caseId, ...state.calendarUnknown });
    }
  }

  await wf.condition(() => allRecorded() && inFlight === 0 && wf.allHandlersFinished());
  return state;
}
