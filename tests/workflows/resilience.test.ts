/**
 * Issue 8 in the workflow: what the caller waits for does not hang on the read model; a batch
 * the database refuses, a rule that throws, or a timer noticed late never wedges or misdates a
 * case; held notices lapse with their case; calendar years published later are learnt; and a
 * client-keyed action is applied once even across runs.
 */
import { randomUUID } from 'node:crypto';
import { ACTION_UPDATES } from '../../src/workflows/definitions';
import { CALENDAR, POLICY, caseInput, enterprise, steward } from '../fixtures/case-input';
import { useTimeSkippingCases } from '../helpers/case-harness';
import { eventually } from '../helpers/eventually';
import { fakeActivities } from '../helpers/fake-activities';

const { env, state, sleepUntil, withCase } = useTimeSkippingCases();
const DAY = 86_400_000;

it('answers every action at once while the read model is stalled, and the read model catches up afterwards', async () => {
  let release!: () => void;
  const stalled = new Promise<void>((r) => (release = r));
  let gated = false;
  const fake = fakeActivities({ persistGate: () => (gated ? stalled : Promise.resolve()) });
  await withCase(
    async (h, caseId) => {
      await h.executeUpdate(ACTION_UPDATES.acknowledge, { args: [{ actor: steward(1) }] });
      gated = true;
      // more than Temporal's limit of 10 in-flight updates per workflow: each must complete on its own
      let last;
      for (let i = 0; i < 7; i++) {
        await h.executeUpdate(ACTION_UPDATES.pause, { args: [{ actor: steward(1), reason: `请补充材料 ${i}` }] });
        last = await h.executeUpdate(ACTION_UPDATES.resume, { args: [{ actor: enterprise, info: `已补充 ${i}` }] });
      }
      expect(last!.pauses).toHaveLength(7);
      const recorded = fake.rows.get(caseId)!;
      expect(recorded.pauses.length).toBeLessThan(7); // the answers did not wait for the record
      release();
      const version = last!.version;
      await eventually(() => expect(fake.events.get(caseId)!.at(-1)!.seq).toBeGreaterThanOrEqual(version));
      expect(fake.rows.get(caseId)!.pauses).toHaveLength(7);
    },
    { fake, input: { ...caseInput(), policy: POLICY } },
  );
});

it('keeps a case running when the read model refuses a batch, and says so in the case', async () => {
  const fake = fakeActivities({ refusePersist: (batch) => batch.some((e) => e.reason?.includes('\u0000')) });
  await withCase(
    async (h, caseId) => {
      await h.executeUpdate(ACTION_UPDATES.acknowledge, { args: [{ actor: steward(1) }] });
      await h.executeUpdate(ACTION_UPDATES.pause, { args: [{ actor: steward(1), reason: 'bad\u0000text' }] });
      // once the refusal is recorded, the case goes on and its next batches reach the read model
      // (an action sent before might share the refused batch)
      await eventually(() => expect(fake.events.get(caseId)!.map((e) => e.type)).toContain('record_refused'));
      const resumed = await h.executeUpdate(ACTION_UPDATES.resume, { args: [{ actor: enterprise, info: '已补充' }] });
      expect(resumed.stage).toBe('acknowledged');
      await eventually(() => expect(fake.events.get(caseId)!.map((e) => e.type)).toContain('resumed'));
      expect(fake.events.get(caseId)!.map((e) => e.type)).not.toContain('paused'); // the refused batch
      expect(fake.rows.get(caseId)!.pauses).toHaveLength(1); // later snapshots carry the case on
    },
    { fake },
  );
});

it('turns a rule that throws into a failed action that changed nothing, and the case goes on', async () => {
  // a cap in calendar days lets an extension eleven years out pass the checks; counting its
  // warning point in office time then exceeds the calendar's ten-year bound and throws
  const policy = { ...POLICY, extensionCap: { value: 4_500, unit: 'days' as const } };
  await withCase(
    async (h) => {
      await h.executeUpdate(ACTION_UPDATES.acknowledge, { args: [{ actor: steward(1) }] });
      const newDueAt = new Date((await env().currentTimeMs()) + 11 * 365 * DAY).toISOString();
      await h.executeUpdate(ACTION_UPDATES.requestExtension, { args: [{ actor: steward(1), reason: '需协调多方', newDueAt }] });
      const before = await state(h);
      await expect(h.executeUpdate(ACTION_UPDATES.decideExtension, { args: [{ actor: steward(2), approve: true }] })).rejects.toMatchObject({
        name: 'WorkflowUpdateFailedError',
        cause: { type: 'ActionFailed', message: expect.stringMatching(/decideExtension failed and changed nothing/) },
      });
      const after = await state(h);
      expect(after.history.at(-1)).toMatchObject({ type: 'rule_failed', detail: { where: 'decideExtension' } });
      expect({ ...after, history: after.history.slice(0, -1) }).toEqual(before);
      // the workflow task is not wedged: the next action works
      const refused = await h.executeUpdate(ACTION_UPDATES.decideExtension, { args: [{ actor: steward(2), approve: false, reason: '期限过长' }] });
      expect(refused.extensions.at(-1)!.status).toBe('refused');
    },
    { input: { ...caseInput(), policy } },
  );
});

it('records a timer whose rule throws and keeps the case answering actions', async () => {
  // 督办 every 3,000 working days cannot be counted (beyond the calendar's ten-year bound)
  const policy = { ...POLICY, reminderEvery: { value: 3_000, unit: 'working_days' as const } };
  await withCase(
    async (h) => {
      for (let level = 1; level <= 3; level++) await sleepUntil((await state(h)).window!.dueAt, 60_000);
      const s = await eventually(async () => {
        const now = await state(h);
        expect(now.history.map((e) => e.type)).toContain('rule_failed');
        return now;
      });
      expect(s.history.find((e) => e.type === 'rule_failed')!.detail).toMatchObject({ where: 'timer due' });
      const acked = await h.executeUpdate(ACTION_UPDATES.acknowledge, { args: [{ actor: steward(3) }] });
      expect(acked.stage).toBe('acknowledged');
    },
    { input: { ...caseInput(), policy } },
  );
});

it('drops a held call to act whose case finished meanwhile, and still sends the news of the outcome', async () => {
  const now = await env().currentTimeMs();
  const holidays = Array.from({ length: 5 }, (_, i) => new Date(now + 8 * 3_600_000 + i * DAY).toISOString().slice(0, 10));
  const year = new Date(now).getUTCFullYear();
  const calendar = { data: { source: 'test', years: [year, year + 1], holidays, workdays: [] }, hours: CALENDAR.hours };
  await withCase(
    async (h, _caseId, fake) => {
      await eventually(() => expect(fake.held.map((n) => n.intent.template)).toEqual(['assigned_to_you']));
      await h.executeUpdate(ACTION_UPDATES.withdraw, { args: [{ actor: enterprise, reason: '已自行解决' }] });
      // the call to act lapses with the case; the news of the withdrawal still goes out after the hold
      await eventually(() => expect(fake.dropped.map((d) => d.intent.template)).toEqual(['assigned_to_you']));
      await h.result();
      expect(fake.notifications.map((n) => n.intent.template)).toEqual(['case_withdrawn']);
    },
    { input: { ...caseInput(), calendar, quietHours: true } },
  );
});

it('learns calendar years published after the case opened, through its history', async () => {
  const unknown = { data: { source: 'old', years: [], holidays: [], workdays: [] }, hours: CALENDAR.hours };
  const year = new Date(await env().currentTimeMs()).getUTCFullYear();
  // what a newer chinese-days on the worker would know (the suite's clock may be years ahead)
  const later = { source: 'chinese-days@later', years: [year, year + 1], holidays: [`${year}-10-01`, `${year + 1}-01-01`], workdays: [] };
  const fake = fakeActivities({ calendar: later });
  await withCase(
    async (h) => {
      const s = await eventually(async () => {
        const now = await state(h);
        expect(now.history.map((e) => e.type)).toContain('calendar_updated');
        return now;
      });
      expect(s.calendar.data).toMatchObject(later);
      expect(s.calendarUnknown).toBeUndefined();
    },
    { fake, input: { ...caseInput(), calendar: unknown } },
  );
});

it('finishes a case withdrawn while it was asking for calendar years (it used to wait for ever)', async () => {
  const unknown = { data: { source: 'old', years: [], holidays: [], workdays: [] }, hours: CALENDAR.hours };
  const fake = fakeActivities();
  let asked!: () => void;
  const asking = new Promise<void>((r) => (asked = r));
  let answer!: () => void;
  const answered = new Promise<void>((r) => (answer = r));
  const activities = {
    ...fake.activities,
    async calendarYearsAfter(year: number) {
      asked();
      await answered;
      return fake.activities.calendarYearsAfter(year);
    },
  };
  await withCase(
    async (h) => {
      await asking;
      await h.executeUpdate(ACTION_UPDATES.withdraw, { args: [{ actor: enterprise, reason: '不再需要' }] });
      answer();
      expect((await h.result()).stage).toBe('withdrawn');
    },
    { fake, activities, input: { ...caseInput(), calendar: unknown } },
  );
});

it('applies a client-keyed action once, even when the retry reaches a later run', async () => {
  await withCase(
    async (h) => {
      await h.executeUpdate(ACTION_UPDATES.acknowledge, { args: [{ actor: steward(1) }] });
      const key = `key:${randomUUID()}`;
      await h.executeUpdate(ACTION_UPDATES.pause, { updateId: key, args: [{ actor: steward(1), reason: '请补充材料' }] });
      // a run boundary in between: Temporal's own update-id dedup is per run
      await h.executeUpdate(ACTION_UPDATES.resume, { args: [{ actor: enterprise, info: '已补充' }] });
      for (let i = 0; i < 3; i++) {
        await h.executeUpdate(ACTION_UPDATES.pause, { args: [{ actor: steward(1), reason: `再补 ${i}` }] });
        await h.executeUpdate(ACTION_UPDATES.resume, { args: [{ actor: enterprise, info: `已补 ${i}` }] });
      }
      await eventually(async () => expect((await h.describe()).runId).not.toBe((h as typeof h & { firstExecutionRunId: string }).firstExecutionRunId));
      const again = await h.executeUpdate(ACTION_UPDATES.pause, { updateId: key, args: [{ actor: steward(1), reason: '请补充材料' }] });
      expect(again.pause).toBeUndefined(); // not paused a second time
      expect(again.pauses).toHaveLength(4);
    },
    { input: { ...caseInput(), historyLimit: 40 } },
  );
});
