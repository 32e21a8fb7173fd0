import { rowRemainingText, standing } from '../../src/domain/clocks';
import { workingCalendar } from '../../src/calendar';
import { DEFAULT_OFFICE_HOURS } from '../../src/domain/working-time';

describe('standing: overdue and at risk by the flags and by the clock', () => {
  const dueAt = new Date('2026-11-23T09:00:00+08:00');
  const warnAt = new Date('2026-11-23T07:00:00+08:00');
  const base = { stage: 'assigned', paused: false, overdue: false, atRisk: false, dueAt, warnAt };
  const at = (iso: string) => new Date(iso);

  it('is neither before the warning point, at risk from it, overdue from the deadline (with the deadline as its moment)', () => {
    expect(standing(base, at('2026-11-23T06:59:59+08:00'))).toEqual({ overdue: false, atRisk: false, dueSince: null });
    expect(standing(base, warnAt)).toEqual({ overdue: false, atRisk: true, dueSince: null });
    expect(standing(base, dueAt)).toEqual({ overdue: true, atRisk: false, dueSince: dueAt });
  });

  it('does not count the clock for a paused case or a finished step, but keeps the flags the workflow set', () => {
    const late = at('2026-11-24T09:00:00+08:00');
    expect(standing({ ...base, paused: true }, late)).toEqual({ overdue: false, atRisk: false, dueSince: null });
    expect(standing({ ...base, stage: 'closed' }, late)).toEqual({ overdue: false, atRisk: false, dueSince: null });
    expect(standing({ ...base, paused: true, overdue: true }, late)).toEqual({ overdue: true, atRisk: false, dueSince: null });
    expect(standing({ ...base, atRisk: true, dueAt: null, warnAt: null }, late)).toEqual({ overdue: false, atRisk: true, dueSince: null });
  });
});

describe("a list row's time left, in office time (9:00-17:30, lunch 12:00-13:30: 7 hours a day)", () => {
  const cal = workingCalendar(new Date('2026-11-23T00:00:00Z'), DEFAULT_OFFICE_HOURS);
  const row = { stage: 'in_progress', paused: false, overdue: false, atRisk: false, warnAt: null, overdueSince: null };
  const at = (iso: string) => new Date(iso);

  it('counts office hours to the deadline over the night', () => {
    // Monday 10:00 → Tuesday 11:00: 6 hours on Monday, 2 on Tuesday
    expect(rowRemainingText({ ...row, dueAt: at('2026-11-24T11:00:00+08:00') }, at('2026-11-23T10:00:00+08:00'), cal)).toBe('剩余 1 个工作日 1 小时');
  });

  it('counts office hours past the deadline over the weekend, from when the case went overdue', () => {
    // Friday 16:30 → Monday 9:30: an hour on Friday, half an hour on Monday
    const overdue = { ...row, overdue: true, dueAt: at('2026-11-24T09:00:00+08:00'), overdueSince: at('2026-11-20T16:30:00+08:00') };
    expect(rowRemainingText(overdue, at('2026-11-23T09:30:00+08:00'), cal)).toBe('已超期 1 小时 30 分钟');
    // no flag yet (a lagging worker): past the stored deadline by the clock
    expect(rowRemainingText({ ...row, dueAt: at('2026-11-20T16:30:00+08:00') }, at('2026-11-23T09:30:00+08:00'), cal)).toBe('已超期 1 小时 30 分钟');
  });

  it('says paused for a paused case, and nothing for a case without a deadline', () => {
    expect(rowRemainingText({ ...row, paused: true, dueAt: at('2026-11-24T11:00:00+08:00') }, at('2026-11-23T10:00:00+08:00'), cal)).toBe('已暂停');
    expect(rowRemainingText({ ...row, stage: 'closed', dueAt: null }, at('2026-11-23T10:00:00+08:00'), cal)).toBeNull();
  });
});
