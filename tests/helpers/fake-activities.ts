import { ApplicationFailure, Context } from '@temporalio/activity';
import type { CalendarData } from '../../src/domain/working-time';
import type { createActivities } from '../../src/activities';
import type { CaseEvent } from '../../src/domain/case-model';
import type { NotifyInput } from '../../src/activities/notifications';
import type { CaseSnapshot } from '../../src/activities/persistence';
import { DISPATCH_MAX_ATTEMPTS, NOTIFY_MAX_ATTEMPTS } from '../../src/workflows/definitions';

type Activities = ReturnType<typeof createActivities>;

/** Like the real activities, an injected failure ends for good once it has used up its budget. */
const failure = (message: string, budget: number) =>
  Context.current().info.attempt >= budget ? ApplicationFailure.nonRetryable(message) : new Error(message);

/**
 * In-memory stand-ins for the activities, for workflow tests: they record what the workflow
 * asked for. Failures can be injected per activity.
 */
export function fakeActivities(opts: { failNotify?: boolean | ((n: NotifyInput) => boolean); failDispatch?: boolean; failPersistTimes?: number; refusePersist?: (batch: CaseEvent[]) => boolean; persistGate?: () => Promise<void>; calendar?: CalendarData } = {}) {
  const rows = new Map<string, CaseSnapshot>();
  const events = new Map<string, CaseEvent[]>();
  const notifications: (NotifyInput & { at: number })[] = [];
  const held: (NotifyInput & { at: number })[] = [];
  const dispatches: { caseId: string; departmentId: string }[] = [];
  const dropped: { caseId: string; intent: NotifyInput['intent']; reason: string }[] = [];
  let persistFailures = opts.failPersistTimes ?? 0;

  const activities: Activities = {
    async persistCase({ state, events: batch }) {
      if (persistFailures > 0) {
        persistFailures--;
        throw new Error('database is locked (injected)');
      }
      await opts.persistGate?.();
      if (opts.refusePersist?.(batch)) throw ApplicationFailure.nonRetryable('invalid byte sequence for encoding "UTF8": 0x00 (injected)', 'RecordRefused');
      rows.set(state.caseId, state);
      const list = events.get(state.caseId) ?? [];
      const have = new Set(list.map((e) => e.seq));
      const missing = batch.filter((e) => !have.has(e.seq));
      list.push(...missing);
      events.set(state.caseId, list);
      return { version: batch.at(-1)?.seq ?? 0, inserted: missing.length };
    },
    async recordStep({ notices, ...batch }) {
      const recorded = await activities.persistCase(batch);
      // like the real one: a notice it cannot send now is the notify activity's
      const outcomes = [];
      for (const n of notices) {
        const input = { caseId: batch.state.caseId, ...n };
        const fail = typeof opts.failNotify === 'function' ? opts.failNotify(input) : opts.failNotify;
        if (!fail) notifications.push({ ...input, at: Date.now() });
        outcomes.push({ done: !fail });
      }
      return { ...recorded, notices: outcomes };
    },
    async notify(input) {
      const fail = typeof opts.failNotify === 'function' ? opts.failNotify(input) : opts.failNotify;
      if (fail) throw failure('channel down (injected)', NOTIFY_MAX_ATTEMPTS);
      // the server's (skipped) clock when the attempt was scheduled: when it was sent, in case time
      const at = Context.current().info.currentAttemptScheduledTimestampMs;
      if (input.holdUntil) {
        held.push({ ...input, at });
        return { sent: 0, held: 1, skipped: 0 };
      }
      notifications.push({ ...input, at });
      return { sent: 1, held: 0, skipped: 0 };
    },
    async calendarYearsAfter(year) {
      const later = opts.calendar?.years.filter((y) => y > year) ?? [];
      return { source: opts.calendar?.source ?? 'none', years: later, holidays: opts.calendar?.holidays ?? [], workdays: opts.calendar?.workdays ?? [] };
    },
    async dropHeldNotice(input) {
      dropped.push(input);
      return 1;
    },
    async dispatchToDepartment({ caseId, departmentId }) {
      if (opts.failDispatch) throw failure('department system down (injected)', DISPATCH_MAX_ATTEMPTS);
      dispatches.push({ caseId, departmentId });
      return { adapter: 'portal', reference: `ref-${caseId}` };
    },
  };

  const sentTo = (caseId: string) => notifications.filter((n) => n.caseId === caseId).map((n) => `${n.intent.template}->${n.intent.recipient.id}`);
  return { activities, rows, events, notifications, held, dropped, dispatches, sentTo };
}
