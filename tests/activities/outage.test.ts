/**
 * Issue 8: a database outage must not spend the notify and dispatch retry budgets. The activities
 * run against a real PostgreSQL behind a switch (real connection errors), and each retry gets the
 * last attempt's heartbeat details, as the Temporal server hands them on.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import type { DepartmentConnector } from '../../src/adapters/department-connector';
import type { NotificationChannel, OutgoingNotification } from '../../src/adapters/notification-channel';
import { newCaseState, openAndAssign } from '../../src/domain/case-rules';
import { notificationContext } from '../../src/domain/messages';
import { DISPATCH_MAX_ATTEMPTS, NOTIFY_MAX_ATTEMPTS } from '../../src/workflows/definitions';
import { caseInput } from '../fixtures/case-input';
import { useSwitchedPostgres } from '../helpers/db-switch';
import { testSecrets } from '../helpers/secrets';

const pg = useSwitchedPostgres();

const logger = new DefaultLogger('ERROR'); // each failed attempt is a WARN line

/** Successive attempts of one activity: attempt numbers count up and heartbeat details carry over. */
function attempts<A, R>(fn: (input: A) => Promise<R>, input: A) {
  let attempt = 0;
  let details: unknown;
  return {
    next(): Promise<R> {
      const env = new MockActivityEnvironment({ attempt: ++attempt, heartbeatDetails: details }, { logger });
      env.on('heartbeat', (d: unknown) => (details = d));
      return env.run(fn, input);
    },
    get count() {
      return attempt;
    },
  };
}

/** A channel that fails while `failing()` says so, and records what it delivered. */
function recordingChannel(failing: () => boolean = () => false, afterSend?: () => Promise<void>) {
  const delivered: OutgoingNotification[] = [];
  const channel: NotificationChannel = {
    name: 'log',
    async send(m) {
      if (failing()) throw new Error('gateway timeout (injected)');
      delivered.push(m);
      await afterSend?.();
    },
  };
  return { channel, delivered };
}

function activities(channel: NotificationChannel, connector?: DepartmentConnector) {
  return createActivities({ db: pg.viaSwitch, channels: { log: channel }, connectors: connector ? { portal: connector } : {}, secrets: testSecrets() });
}

function notice(caseId: string) {
  const state = newCaseState(caseInput(caseId), new Date('2026-03-02T01:00:00Z'));
  const intent = openAndAssign(state, new Date('2026-03-02T01:00:00Z')).notify[0]!;
  return { caseId, intent, context: notificationContext(state, intent) };
}

function dispatch(caseId: string) {
  const state = newCaseState(caseInput(caseId), new Date('2026-03-02T01:00:00Z'));
  return { caseId, departmentId: 'dept-market', task: 0, role: 'lead' as const, context: notificationContext(state, null) };
}

const databaseDown = { type: 'DatabaseUnavailable', nonRetryable: false };
const ledger = (caseId: string) => pg.db.notification.findMany({ where: { caseId } });

describe('notify', () => {
  it('retries through an outage longer than its budget without spending it, then sends once', async () => {
    const { channel, delivered } = recordingChannel();
    const input = notice('C20260302-OUTN01');
    const notify = attempts(activities(channel).notify, input);
    await pg.sw.down();
    for (let i = 0; i < NOTIFY_MAX_ATTEMPTS * 2; i++) await expect(notify.next()).rejects.toMatchObject(databaseDown);
    await pg.sw.up();
    expect(await notify.next()).toEqual({ sent: 1, held: 0, skipped: 0 });
    expect(await notify.next()).toEqual({ sent: 0, held: 0, skipped: 1 }); // a retry after a lost completion
    expect(delivered).toHaveLength(1);
    expect(await ledger(input.caseId)).toMatchObject([{ status: 'sent', attempts: 1 }]);
  });

  it('gives a channel up after NOTIFY_MAX_ATTEMPTS failures of its own, however many attempts the database cost', async () => {
    const { channel, delivered } = recordingChannel(() => true);
    const input = notice('C20260302-OUTN02');
    const notify = attempts(activities(channel).notify, input);
    for (let failure = 1; failure < NOTIFY_MAX_ATTEMPTS; failure++) {
      await expect(notify.next()).rejects.toMatchObject({ type: 'ChannelFailed', nonRetryable: false });
      await pg.sw.down(); // an outage between every two channel failures
      await expect(notify.next()).rejects.toMatchObject(databaseDown);
      await expect(notify.next()).rejects.toMatchObject(databaseDown);
      await pg.sw.up();
    }
    expect(await ledger(input.caseId)).toMatchObject([{ status: 'retrying', attempts: NOTIFY_MAX_ATTEMPTS - 1 }]);
    await expect(notify.next()).rejects.toMatchObject({ type: 'NotificationFailed', nonRetryable: true, message: expect.stringMatching(/gateway timeout/) });
    expect(notify.count).toBe(3 * NOTIFY_MAX_ATTEMPTS - 2);
    expect(await ledger(input.caseId)).toMatchObject([{ status: 'failed', attempts: NOTIFY_MAX_ATTEMPTS, lastError: 'gateway timeout (injected)' }]);
    expect(delivered).toHaveLength(0);
  });

  it('does not send again when the database went down after the channel took the notice', async () => {
    // the database goes down between the channel's answer and the ledger's 'sent'
    const { channel, delivered } = recordingChannel(() => false, () => (delivered.length === 1 ? pg.sw.down() : Promise.resolve()));
    const input = notice('C20260302-OUTN03');
    const notify = attempts(activities(channel).notify, input);
    await expect(notify.next()).rejects.toMatchObject(databaseDown);
    expect(delivered).toHaveLength(1);
    expect(await ledger(input.caseId)).toMatchObject([{ status: 'queued', attempts: 0 }]);
    await expect(notify.next()).rejects.toMatchObject(databaseDown);
    await pg.sw.up();
    expect(await notify.next()).toEqual({ sent: 1, held: 0, skipped: 0 });
    expect(delivered).toHaveLength(1);
    expect(await ledger(input.caseId)).toMatchObject([{ status: 'sent', attempts: 1 }]);
  });
});

describe('dispatchToDepartment', () => {
  const portal = (failing: () => boolean) => {
    const deliveries: string[] = [];
    const connector: DepartmentConnector = {
      name: 'portal',
      async deliver(d) {
        // what fetch throws when the department's system is down: also "connection refused", and still
        // the department's failure, not the database's
        if (failing()) throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.9:443'), { code: 'ECONNREFUSED' }) });
        deliveries.push(`${d.caseId}:${d.department.id}`);
        return { reference: 'r1' };
      },
    };
    return { connector, deliveries };
  };

  it('retries through an outage longer than its budget without spending it, then delivers once', async () => {
    const { connector, deliveries } = portal(() => false);
    const input = dispatch('C20260302-OUTD01');
    const dispatchTo = attempts(activities(recordingChannel().channel, connector).dispatchToDepartment, input);
    await pg.sw.down();
    for (let i = 0; i < DISPATCH_MAX_ATTEMPTS * 2; i++) await expect(dispatchTo.next()).rejects.toMatchObject(databaseDown);
    await pg.sw.up();
    expect(await dispatchTo.next()).toEqual({ adapter: 'portal', reference: 'r1' });
    expect(deliveries).toEqual(['C20260302-OUTD01:dept-market']);
  });

  it('gives up after DISPATCH_MAX_ATTEMPTS failures of the department\'s system, outages in between not counted', async () => {
    const { connector, deliveries } = portal(() => true);
    const dispatchTo = attempts(activities(recordingChannel().channel, connector).dispatchToDepartment, dispatch('C20260302-OUTD02'));
    for (let failure = 1; failure < DISPATCH_MAX_ATTEMPTS; failure++) {
      await expect(dispatchTo.next()).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed' });
      await pg.sw.down();
      await expect(dispatchTo.next()).rejects.toMatchObject(databaseDown);
      await pg.sw.up();
    }
    await expect(dispatchTo.next()).rejects.toMatchObject({ type: 'DeliveryFailed', nonRetryable: true, message: `fetch failed (gave up after ${DISPATCH_MAX_ATTEMPTS} failures)` });
    expect(dispatchTo.count).toBe(2 * DISPATCH_MAX_ATTEMPTS - 1);
    expect(deliveries).toEqual([]);
  });
});
