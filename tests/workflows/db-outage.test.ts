/**
 * Issue 8: a district's database down for an hour. The real notify and dispatch activities run
 * against a real PostgreSQL behind a switch, in cases on the time-skipping server; the read model
 * is the in-memory fake, so only the database these two activities need goes away.
 */
import { createActivities } from '../../src/activities';
import { createNotificationActivities } from '../../src/activities/notifications';
import type { DepartmentConnector } from '../../src/adapters/department-connector';
import type { NotificationChannel, OutgoingNotification } from '../../src/adapters/notification-channel';
import type { CaseState } from '../../src/domain/case-model';
import { ACTION_UPDATES, DISPATCH_MAX_ATTEMPTS } from '../../src/workflows/definitions';
import { department, enterprise, steward } from '../fixtures/case-input';
import { useTimeSkippingCases } from '../helpers/case-harness';
import { useSwitchedPostgres } from '../helpers/db-switch';
import { eventually } from '../helpers/eventually';
import { fakeActivities } from '../helpers/fake-activities';
import { testSecrets } from '../helpers/secrets';

const { env, state, withCase, ended } = useTimeSkippingCases();

const pg = useSwitchedPostgres();

/** The real notify and dispatch over the switched database; everything else from the fakes. */
function outageActivities(opts: { departmentDown?: boolean } = {}) {
  const sent: OutgoingNotification[] = [];
  const calls: string[] = [];
  const channel: NotificationChannel = { name: 'log', send: async (m) => void sent.push(m) };
  const portal: DepartmentConnector = {
    name: 'portal',
    async deliver(d) {
      calls.push(`${d.caseId}:${d.task}`);
      if (opts.departmentDown) throw new Error('department system down (injected)');
      return { reference: `ref-${d.caseId}` };
    },
  };
  const real = createActivities({ db: pg.viaSwitch, channels: { log: channel }, connectors: { portal }, secrets: testSecrets() });
  const { sendWithRecord } = createNotificationActivities(pg.viaSwitch, { log: channel }, testSecrets());
  const fake = fakeActivities();
  // the step's write goes to the fake read model; its notices are tried on the switched database
  const recordStep: typeof real.recordStep = async ({ notices, ...batch }) => ({
    ...(await fake.activities.persistCase(batch)),
    notices: await sendWithRecord(batch.state.caseId, notices),
  });
  return { fake, sent, calls, activities: { ...fake.activities, recordStep, notify: real.notify, dispatchToDepartment: real.dispatchToDepartment } };
}

const failures = (s: CaseState) => s.history.filter((e) => e.type === 'notification_failed' || e.type === 'dispatch_failed');
const sentKeys = (sent: OutgoingNotification[], caseId: string) => sent.filter((m) => m.params.caseId === caseId).map((m) => m.key);

it('sends every notice and delivers the dispatch raised during an hour-long outage once the database is back, each exactly once', async () => {
  const { fake, sent, calls, activities } = outageActivities();
  await pg.sw.down();
  const result = await withCase(
    async (h, caseId) => {
      await h.executeUpdate(ACTION_UPDATES.acknowledge, { args: [{ actor: steward(1) }] });
      await h.executeUpdate(ACTION_UPDATES.dispatch, { args: [{ actor: steward(1), lead: { id: department.id, name: department.name } }] });
      // far past both budgets' worth of attempts (8 and 6, the old limits: ~10 and ~2.6 minutes)
      await env().sleep('65 minutes');
      const during = await state(h);
      expect(sent).toEqual([]);
      expect(calls).toEqual([]);
      expect(during.tasks[0]!.status).toBe('pending');
      expect(failures(during)).toEqual([]);

      await pg.sw.up();
      await env().sleep('6 minutes'); // the retries' interval is at most 5 minutes
      await eventually(async () => expect((await state(h)).tasks[0]!.status).toBe('dispatched'));
      // the department's own notice is raised when the dispatch is delivered, with the database up
      await eventually(() => expect(sent.map((m) => `${m.subject}->${m.recipient.id}`).sort()).toEqual(['新诉求待签收->stw-point-1', '楼长制诉求派单->dept-market'].sort()));
      await h.executeUpdate(ACTION_UPDATES.withdraw, { args: [{ actor: enterprise, reason: '已解决' }] });
      return { caseId, done: await ended(h) };
    },
    { fake, activities },
  );
  expect(calls).toEqual([`${result.caseId}:0`]);
  const keys = sentKeys(sent, result.caseId);
  expect(new Set(keys).size).toBe(keys.length); // nothing sent twice
  expect(failures(result.done)).toEqual([]);
  const rows = await pg.db.notification.findMany({ where: { caseId: result.caseId } });
  expect(rows.length).toBe(keys.length);
  expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
});

it('after an hour-long outage, still gives a department system that stays down up after DISPATCH_MAX_ATTEMPTS failures', async () => {
  const { fake, calls, activities } = outageActivities({ departmentDown: true });
  await pg.sw.down();
  await withCase(
    async (h) => {
      await h.executeUpdate(ACTION_UPDATES.acknowledge, { args: [{ actor: steward(1) }] });
      await h.executeUpdate(ACTION_UPDATES.dispatch, { args: [{ actor: steward(1), lead: { id: department.id, name: department.name } }] });
      await env().sleep('65 minutes');
      expect(calls).toEqual([]);
      await pg.sw.up();
      // DISPATCH_MAX_ATTEMPTS failures at the 5-minute interval the outage has backed off to
      await env().sleep(`${5 * DISPATCH_MAX_ATTEMPTS + 5} minutes`);
      const s = await eventually(async () => {
        const st = await state(h);
        expect(st.tasks[0]!.status).toBe('delivery_failed');
        return st;
      });
      expect(calls).toHaveLength(DISPATCH_MAX_ATTEMPTS);
      expect(s.tasks[0]!.delivery?.error).toBe(`department system down (injected) (gave up after ${DISPATCH_MAX_ATTEMPTS} failures)`);
    },
    { fake, activities },
  );
});
