import { standing } from '../../src/domain/clocks';

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
