/**
 * Issue 3's clocks on the time-skipping server: warnings, pause/resume, 延期 (approved,
 * refused, capped), and the calendar a case freezes at intake.
 */
import { workingMsBetween } from '../../src/domain/working-time';
import { ACTION_UPDATES } from '../../src/workflows/definitions';
import { CALENDAR, caseInput, steward, enterprise } from '../fixtures/case-input';
import { useTimeSkippingCases } from '../helpers/case-harness';
import { eventually } from '../helpers/eventually';

const { env, state, sleepUntil, withCase } = useTimeSkippingCases();
const DAY = 86_400_000;
const refusal = (type: string, message?: RegExp) => ({ name: 'WorkflowUpdateFailedError', cause: { type, ...(message ? { message: expect.stringMatching(message) } : {}) } });

describe('clocks on the time-skipping server', () => {
  it('warns the owner once at 75 % of the window, shows the case at risk, then escalates at the deadline', async () => {
    await withCase(async (h, _caseId, fake) => {
      const opened = await state(h);
      const { openedAt, dueAt, warnAt } = opened.window!;
      // the warning point is 75 % of the window's office time
      expect(workingMsBetween(new Date(openedAt), new Date(warnAt!), CALENDAR) / workingMsBetween(new Date(openedAt), new Date(dueAt), CALENDAR)).toBeCloseTo(0.75, 3);
      await sleepUntil(warnAt!);
      const warned = await eventually(async () => {
        const s = await state(h);
        expect(s.atRisk).toBe(true);
        return s;
      });
      expect(warned.history.filter((e) => e.type === 'deadline_warning')).toHaveLength(1);
      expect(warned.owner.level).toBe(1);
      await eventually(() => expect(fake.sentTo(opened.caseId)).toContain('deadline_warning->stw-point-1'));
      await sleepUntil(dueAt);
      const breached = await eventually(async () => {
        const s = await state(h);
        expect(s.owner.level).toBe(2);
        return s;
      });
      expect(breached).toMatchObject({ atRisk: false, overdue: true });
      expect(breached.history.filter((e) => e.type === 'deadline_warning')).toHaveLength(1); // once
    });
  });

  it('stops the resolution clock while awaiting the enterprise and moves the deadline by the paused working time', async () => {
    await withCase(async (h) => {
      const acked = await h.executeUpdate(ACTION_UPDATES.acknowledge, { args: [{ actor: steward(1) }] });
      const before = acked.deadlines.resolutionDueAt;
      const paused = await h.executeUpdate(ACTION_UPDATES.pause, { args: [{ actor: steward(1), reason: '请补充营业执照副本' }] });
      expect(paused.pause).toMatchObject({ reason: '请补充营业执照副本', by: { id: 'stw-point-1' } });
      await expect(h.executeUpdate(ACTION_UPDATES.pause, { args: [{ actor: steward(1), reason: 'again' }] })).rejects.toMatchObject(refusal('ActionRefused', /already awaiting/));
      // far past the original deadline: nothing escalates while paused
      await sleepUntil(before, 10 * DAY);
      const waiting = await state(h);
      expect(waiting).toMatchObject({ owner: { level: 1 }, overdue: false, escalations: [] });
      expect(waiting.history.some((e) => e.type === 'escalated' || e.type === 'deadline_warning')).toBe(false);
      // the enterprise supplies the information
      const resumed = await h.executeUpdate(ACTION_UPDATES.resume, { args: [{ actor: enterprise, info: '已上传执照副本' }] });
      expect(resumed.pause).toBeUndefined();
      const pause = resumed.pauses[0]!;
      expect(pause.shiftMs).toBe(workingMsBetween(new Date(pause.since), new Date(pause.until!), CALENDAR));
      expect(workingMsBetween(new Date(before), new Date(resumed.deadlines.resolutionDueAt), CALENDAR)).toBe(pause.shiftMs);
      expect(resumed.window!.dueAt).toBe(resumed.deadlines.resolutionDueAt);
      expect((await state(h)).history.slice(-2).map((e) => e.type)).toEqual(['paused', 'resumed']);
      expect(resumed.events.map((e) => e.type)).toEqual(['resumed']);
    });
  });

  it('approves an extension asked before the deadline: the deadline moves and passing the old one escalates nothing', async () => {
    await withCase(async (h) => {
      const acked = await h.executeUpdate(ACTION_UPDATES.acknowledge, { args: [{ actor: steward(1) }] });
      const old = acked.deadlines.resolutionDueAt;
      const newDueAt = new Date(Date.parse(old) + 7 * DAY).toISOString();
      const asked = await h.executeUpdate(ACTION_UPDATES.requestExtension, { args: [{ actor: steward(1), reason: '需消防部门现场核查', newDueAt }] });
      expect(asked.extension).toMatchObject({ status: 'pending', requesterLevel: 1, newDueAt });
      // the requester cannot approve it; the 分楼长 above can
      await expect(h.executeUpdate(ACTION_UPDATES.decideExtension, { args: [{ actor: steward(1), approve: true }] })).rejects.toMatchObject(refusal('ActionForbidden'));
      const approved = await h.executeUpdate(ACTION_UPDATES.decideExtension, { args: [{ actor: steward(2), approve: true }] });
      expect(approved.deadlines.resolutionDueAt).toBe(newDueAt);
      expect(approved.window!.dueAt).toBe(newDueAt);
      expect(approved.extensions[0]).toMatchObject({ status: 'approved', decidedBy: { id: 'stw-area-east' } });
      await sleepUntil(old, DAY);
      expect(await state(h)).toMatchObject({ owner: { level: 1 }, overdue: false });
      await sleepUntil(newDueAt);
      await eventually(async () => expect((await state(h)).owner.level).toBe(2));
    });
  });

  it('refuses an extension with a reason, keeps the deadline, and enforces the cap', async () => {
    await withCase(async (h) => {
      const acked = await h.executeUpdate(ACTION_UPDATES.acknowledge, { args: [{ actor: steward(1) }] });
      const deadline = acked.deadlines.resolutionDueAt;
      const wanted = new Date(Date.parse(deadline) + 3 * DAY).toISOString();
      await h.executeUpdate(ACTION_UPDATES.requestExtension, { args: [{ actor: steward(1), reason: '人手不足', newDueAt: wanted }] });
      await expect(h.executeUpdate(ACTION_UPDATES.decideExtension, { args: [{ actor: steward(2), approve: false }] })).rejects.toMatchObject(refusal('ActionInvalid', /reason/));
      const refused = await h.executeUpdate(ACTION_UPDATES.decideExtension, { args: [{ actor: steward(3), approve: false, reason: '理由不充分' }] });
      expect(refused.deadlines.resolutionDueAt).toBe(deadline);
      expect(refused.extensions[0]).toMatchObject({ status: 'refused', decisionReason: '理由不充分' });
      expect(refused.events.at(-1)).toMatchObject({ type: 'extension_refused', reason: '理由不充分' });
      // 30 working days is about six weeks: ninety calendar days is over the cap
      const tooFar = new Date(Date.parse(deadline) + 90 * DAY).toISOString();
      const capped = h.executeUpdate(ACTION_UPDATES.requestExtension, { args: [{ actor: steward(1), reason: '再延', newDueAt: tooFar }] });
      await expect(capped).rejects.toMatchObject(refusal('ActionRefused', /capped at 30 working days/));
      // the Chinese travels in the failure's details, its instant in Beijing time
      await expect(capped).rejects.toMatchObject({
        cause: { details: [{ zh: expect.stringMatching(/^延期累计不得超过 30 个工作日：办结期限最晚可延至 \d{4}-\d\d-\d\d \d\d:\d\d（北京时间）$/) }] },
      });
      await expect(h.executeUpdate(ACTION_UPDATES.requestExtension, { args: [{ actor: steward(1), reason: '早于期限', newDueAt: deadline }] })).rejects.toMatchObject(
        refusal('ActionInvalid', /after the current deadline/),
      );
      // after the deadline has passed it is too late to ask
      await sleepUntil(deadline);
      await eventually(async () => expect((await state(h)).overdue).toBe(true));
      await expect(h.executeUpdate(ACTION_UPDATES.requestExtension, { args: [{ actor: steward(2), reason: '补救', newDueAt: tooFar }] })).rejects.toMatchObject(
        refusal('ActionRefused', /before the resolution deadline/),
      );
    });
  });

  it('counts with the calendar frozen into the case, not whatever the package says now', async () => {
    const now = await env().currentTimeMs();
    // a calendar under which the next ten days are all holidays
    const holidays = Array.from({ length: 10 }, (_, i) => new Date(now + 8 * 3_600_000 + i * DAY).toISOString().slice(0, 10));
    const year = new Date(now).getUTCFullYear();
    const frozen = { data: { source: 'test', years: [year, year + 1], holidays, workdays: [] }, hours: CALENDAR.hours };
    await withCase(async (h) => {
      const s = await state(h);
      expect(Date.parse(s.deadlines.responseDueAt) - Date.parse(s.openedAt)).toBeGreaterThan(9 * DAY);
      expect(s.calendar.data.source).toBe('test');
      expect(s.calendarUnknown).toBeUndefined();
    }, { input: { ...caseInput(), calendar: frozen } });
  });

  it('says so, visibly, when a deadline falls in a year the calendar does not cover', async () => {
    const unknown = { data: { source: 'test', years: [], holidays: [], workdays: [] }, hours: CALENDAR.hours };
    await withCase(async (h) => {
      const s = await state(h);
      expect(s.calendarUnknown?.message).toMatch(/calendar unknown, counted as weekdays/);
      expect(s.history.map((e) => e.type)).toContain('calendar_unknown');
    }, { input: { ...caseInput(), calendar: unknown } });
  });
});
