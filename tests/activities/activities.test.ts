import { testSecrets } from '../helpers/secrets';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import { QUICK_SEND_SLOW_MS } from '../../src/activities/notifications';
import type { NotificationChannel, OutgoingNotification } from '../../src/adapters/notification-channel';
import type { Db } from '../../src/db/client';
import { ACTIONS, newCaseState, openAndAssign } from '../../src/domain/case-rules';
import { notificationContext } from '../../src/domain/messages';
import { NOTIFY_MAX_ATTEMPTS } from '../../src/workflows/definitions';
import { caseInput, steward } from '../fixtures/case-input';
import { useSeededDatabase } from '../helpers/database';

let db: Db;

// The same activities against both databases the product supports.
describe.each(['sqlite', 'postgresql'] as const)('on %s', (provider) => {
  const store = useSeededDatabase(provider);
  beforeAll(() => (db = store.db));

  function flakyChannel(failures: number) {
    const delivered: OutgoingNotification[] = [];
    let left = failures;
    const channel: NotificationChannel = {
      name: 'log',
      async send(m) {
        if (left-- > 0) throw new Error('gateway timeout (injected)');
        delivered.push(m);
      },
    };
    return { channel, delivered };
  }

  const activitiesWith = (channel: NotificationChannel) => createActivities({ db, channels: { log: channel }, connectors: {}, secrets: testSecrets() });

  function sampleCase(caseId: string) {
    const state = newCaseState(caseInput(caseId), new Date('2026-03-02T01:00:00Z'));
    const effects = openAndAssign(state, new Date('2026-03-02T01:00:00Z'));
    return { state, effects };
  }

  describe('persistCase', () => {
    it('writes the case row and its events once, however often a batch is retried', async () => {
      const acts = activitiesWith(flakyChannel(0).channel);
      const { state } = sampleCase('C20260302-PERS01');
      const { history, ...snapshot } = state;
      const env = new MockActivityEnvironment();
      expect(await env.run(acts.persistCase, { state: snapshot, events: history })).toEqual({ version: 2, inserted: 2 });
      expect(await env.run(acts.persistCase, { state: snapshot, events: history })).toEqual({ version: 2, inserted: 0 });

      ACTIONS.acknowledge.apply(state, { actor: steward(1) }, new Date('2026-03-02T02:00:00Z'));
      const { history: h2, ...later } = state;
      await env.run(acts.persistCase, { state: later, events: h2.slice(2) });
      // a stale attempt arriving late must not rewind the row
      await env.run(acts.persistCase, { state: snapshot, events: history });

      const row = await db.case.findUniqueOrThrow({ where: { id: 'C20260302-PERS01' }, include: { events: { orderBy: { seq: 'asc' } } } });
      expect(row).toMatchObject({ stage: 'acknowledged', version: 3, ownerStewardId: 'stw-point-1' });
      expect(row.acknowledgedAt?.toISOString()).toBe('2026-03-02T02:00:00.000Z');
      expect(row.events.map((e) => [e.seq, e.type])).toEqual([[1, 'opened'], [2, 'assigned'], [3, 'acknowledged']]);
    });
  });

  describe('recordStep (the local write, with the notices its events raised)', () => {
    function step(caseId: string) {
      const { state, effects } = sampleCase(caseId);
      const { history, ...snapshot } = state;
      const notices = effects.notify.map((intent) => ({ intent, context: notificationContext(state, intent) }));
      return { state, batch: { state: snapshot, events: history }, notices };
    }
    const rowsOf = (caseId: string) => db.notification.findMany({ where: { caseId } });

    it('records the batch, then sends its notices and marks them sent; a retried step sends nothing twice', async () => {
      const { channel, delivered } = flakyChannel(0);
      const acts = activitiesWith(channel);
      const { batch, notices } = step('C20260302-QUICK1');
      expect(notices).toHaveLength(1);
      const env = new MockActivityEnvironment();
      expect(await env.run(acts.recordStep, { ...batch, notices })).toEqual({ version: 2, inserted: 2, notices: [{ done: true }] });
      expect(await env.run(acts.recordStep, { ...batch, notices })).toEqual({ version: 2, inserted: 0, notices: [{ done: true }] });
      expect(delivered.map((m) => m.subject)).toEqual(['新诉求待签收']);
      expect(await rowsOf('C20260302-QUICK1')).toMatchObject([{ status: 'sent', attempts: 1 }]);
      expect(await db.caseEvent.count({ where: { caseId: 'C20260302-QUICK1' } })).toBe(2);
    });

    it('hands a notice whose channel fails to the notify activity, which retries it within the same budget; that channel is then left to notify', async () => {
      const { channel, delivered } = flakyChannel(1);
      const acts = activitiesWith(channel);
      const first = step('C20260302-QUICK2');
      expect(await new MockActivityEnvironment().run(acts.recordStep, { ...first.batch, notices: first.notices })).toMatchObject({ version: 2, notices: [{ done: false }] });
      expect(await rowsOf('C20260302-QUICK2')).toMatchObject([{ status: 'retrying', attempts: 1, lastError: 'gateway timeout (injected)' }]);
      const input = { caseId: 'C20260302-QUICK2', ...first.notices[0]! };
      expect(await new MockActivityEnvironment().run(acts.notify, input)).toEqual({ sent: 1, held: 0, skipped: 0 });
      expect(await rowsOf('C20260302-QUICK2')).toMatchObject([{ status: 'sent', attempts: 2 }]);
      // the channel failed a quick try: the next step's notice is not tried there (the channel works again)
      const second = step('C20260302-QUICK3');
      expect(await new MockActivityEnvironment().run(acts.recordStep, { ...second.batch, notices: second.notices })).toMatchObject({ notices: [{ done: false }] });
      expect(await rowsOf('C20260302-QUICK3')).toEqual([]);
      expect(delivered).toHaveLength(1);
    });

    it('leaves a slow channel to the notify activity after one slow send', async () => {
      const delivered: OutgoingNotification[] = [];
      const slow: NotificationChannel = { name: 'log', send: async (m) => void (await new Promise((r) => setTimeout(r, QUICK_SEND_SLOW_MS + 50)), delivered.push(m)) };
      const acts = activitiesWith(slow);
      const a = step('C20260302-QUICK4');
      const b = step('C20260302-QUICK5');
      expect(await new MockActivityEnvironment().run(acts.recordStep, { ...a.batch, notices: a.notices })).toMatchObject({ notices: [{ done: true }] });
      expect(await new MockActivityEnvironment().run(acts.recordStep, { ...b.batch, notices: b.notices })).toMatchObject({ notices: [{ done: false }] });
      expect(delivered).toHaveLength(1);
    });

    it('reports a message the channel took but the database could not record, and notify does not send it again', async () => {
      const { channel, delivered } = flakyChannel(0);
      const { batch, notices } = step('C20260302-QUICK6');
      let calls = 0;
      // the ledger's "sent" mark (an update, after the upsert and the send) fails
      const failing = new Proxy(db, {
        get(target, prop, receiver) {
          if (prop !== 'notification') return Reflect.get(target, prop, receiver);
          const real = target.notification;
          return new Proxy(real, {
            get(t, p) {
              if (p === 'update') return async () => { calls++; throw new Error('database gone (injected)'); };
              const v = Reflect.get(t, p);
              return typeof v === 'function' ? v.bind(t) : v;
            },
          });
        },
      }) as Db;
      const quick = createActivities({ db: failing, channels: { log: channel }, connectors: {}, secrets: testSecrets() });
      const done = (await new MockActivityEnvironment().run(quick.recordStep, { ...batch, notices })) as Awaited<ReturnType<typeof quick.recordStep>>;
      const key = (await rowsOf('C20260302-QUICK6'))[0]!.id;
      expect(calls).toBe(1);
      expect(done.notices).toEqual([{ done: false, alreadySent: [key] }]);
      const acts = activitiesWith(channel);
      expect(await new MockActivityEnvironment().run(acts.notify, { caseId: 'C20260302-QUICK6', ...notices[0]!, alreadySent: [key] })).toEqual({ sent: 1, held: 0, skipped: 0 });
      expect(delivered).toHaveLength(1);
      expect(await rowsOf('C20260302-QUICK6')).toMatchObject([{ status: 'sent' }]);
    });
  });

  describe('notify', () => {
    it('retries a failing channel and delivers exactly once, recording attempts', async () => {
      const { channel, delivered } = flakyChannel(2);
      const acts = activitiesWith(channel);
      const { state, effects } = sampleCase('C20260302-NOTE01');
      const intent = effects.notify[0]!;
      const input = { caseId: state.caseId, intent, context: notificationContext(state, intent) };

      for (const attempt of [1, 2]) {
        const env = new MockActivityEnvironment({ attempt });
        await expect(env.run(acts.notify, input)).rejects.toThrow(/gateway timeout/);
      }
      const row = await db.notification.findFirstOrThrow({ where: { caseId: state.caseId } });
      expect(row).toMatchObject({ status: 'retrying', attempts: 2, lastError: 'gateway timeout (injected)' });

      expect(await new MockActivityEnvironment({ attempt: 3 }).run(acts.notify, input)).toEqual({ sent: 1, held: 0, skipped: 0 });
      // a retry after success (e.g. the completion was lost) must not send again
      expect(await new MockActivityEnvironment({ attempt: 4 }).run(acts.notify, input)).toEqual({ sent: 0, held: 0, skipped: 1 });
      expect(delivered).toHaveLength(1);
      expect(delivered[0]).toMatchObject({ recipient: { id: 'stw-point-1', name: '陈静' }, subject: '新诉求待签收', params: { caseId: state.caseId } });
      expect(delivered[0]!.body).toContain('天安千树大厦');
      expect(delivered[0]!.body).toMatch(/办理时限：2026-03-03 09:00（北京时间）/);
      expect(await db.notification.findFirstOrThrow({ where: { caseId: state.caseId } })).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
    });

    it('marks the notification failed once its channel has failed NOTIFY_MAX_ATTEMPTS times, and stops retrying', async () => {
      const acts = activitiesWith(flakyChannel(99).channel);
      const { state, effects } = sampleCase('C20260302-NOTE02');
      const intent = effects.notify[0]!;
      const input = { caseId: state.caseId, intent, context: notificationContext(state, intent) };
      for (let attempt = 1; attempt < NOTIFY_MAX_ATTEMPTS; attempt++) {
        await expect(new MockActivityEnvironment({ attempt }).run(acts.notify, input)).rejects.not.toMatchObject({ nonRetryable: true });
        expect(await db.notification.findFirstOrThrow({ where: { caseId: state.caseId } })).toMatchObject({ status: 'retrying', attempts: attempt });
      }
      await expect(new MockActivityEnvironment({ attempt: NOTIFY_MAX_ATTEMPTS }).run(acts.notify, input)).rejects.toMatchObject({ type: 'NotificationFailed', nonRetryable: true });
      expect(await db.notification.findFirstOrThrow({ where: { caseId: state.caseId } })).toMatchObject({ status: 'failed', attempts: NOTIFY_MAX_ATTEMPTS });
    });

    it('refuses an unknown recipient without retrying', async () => {
      const acts = activitiesWith(flakyChannel(0).channel);
      const { state, effects } = sampleCase('C20260302-NOTE03');
      const intent = { ...effects.notify[0]!, recipient: { kind: 'steward' as const, id: 'stw-ghost' } };
      await expect(new MockActivityEnvironment().run(acts.notify, { caseId: state.caseId, intent, context: notificationContext(state, intent) })).rejects.toMatchObject({
        type: 'UnknownRecipient',
        nonRetryable: true,
      });
    });
  });

  describe('dispatchToDepartment', () => {
    it('delivers through the department\'s adapter and refuses unknown departments and adapters', async () => {
      const deliveries: string[] = [];
      const acts = createActivities({
        secrets: testSecrets(),
        db,
        channels: { log: flakyChannel(0).channel },
        connectors: { portal: { name: 'portal', deliver: async (d) => (deliveries.push(`${d.department.id}:${d.subject}`), { reference: 'r1' }) } },
      });
      const { state } = sampleCase('C20260302-DISP01');
      const context = notificationContext(state, null);
      const env = new MockActivityEnvironment();
      expect(await env.run(acts.dispatchToDepartment, { caseId: state.caseId, departmentId: 'dept-market', task: 0, role: 'lead' as const, context })).toEqual({ adapter: 'portal', reference: 'r1' });
      expect(deliveries).toEqual(['dept-market:楼长制诉求派单']);
      await expect(env.run(acts.dispatchToDepartment, { caseId: state.caseId, departmentId: 'dept-none', task: 0, role: 'lead' as const, context })).rejects.toMatchObject({ type: 'UnknownDepartment' });
      await db.department.update({ where: { id: 'dept-fire' }, data: { adapter: 'fax' } });
      await expect(env.run(acts.dispatchToDepartment, { caseId: state.caseId, departmentId: 'dept-fire', task: 0, role: 'lead' as const, context })).rejects.toMatchObject({ type: 'UnknownAdapter' });
    });
  });
});
