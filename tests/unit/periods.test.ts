import { dayRange, parsePeriod, type Period, periodsOf } from '../../src/domain/periods';

const bj = (s: string) => new Date(`${s}+08:00`).toISOString();
const span = (p: Period | string) => (typeof p === 'string' ? p : [p.from.toISOString(), p.to.toISOString()]);

describe('reporting periods in Beijing time', () => {
  it('reads a day, an ISO week, a month, a quarter and a year as half-open spans from Beijing midnight', () => {
    expect(span(parsePeriod('2026-11-23'))).toEqual([bj('2026-11-23T00:00:00'), bj('2026-11-24T00:00:00')]);
    // ISO week 1 of 2026 holds 1 January (a Thursday): it starts on Monday 29 December 2025
    expect(span(parsePeriod('2026-W01'))).toEqual([bj('2025-12-29T00:00:00'), bj('2026-01-05T00:00:00')]);
    expect(span(parsePeriod('2026-W48'))).toEqual([bj('2026-11-23T00:00:00'), bj('2026-11-30T00:00:00')]);
    expect(span(parsePeriod('2026-11'))).toEqual([bj('2026-11-01T00:00:00'), bj('2026-12-01T00:00:00')]);
    expect(span(parsePeriod('2026-12'))).toEqual([bj('2026-12-01T00:00:00'), bj('2027-01-01T00:00:00')]);
    expect(span(parsePeriod('2026-Q4'))).toEqual([bj('2026-10-01T00:00:00'), bj('2027-01-01T00:00:00')]);
    expect(span(parsePeriod('2026'))).toEqual([bj('2026-01-01T00:00:00'), bj('2027-01-01T00:00:00')]);
    expect(span(dayRange('2026-11-01', '2026-11-30'))).toEqual([bj('2026-11-01T00:00:00'), bj('2026-12-01T00:00:00')]);
  });

  it('says why a label names no period', () => {
    expect(parsePeriod('2026-02-30')).toMatch(/not a calendar date/);
    expect(parsePeriod('2026-13')).toMatch(/01 to 12/);
    expect(parsePeriod('2025-W53')).toMatch(/weeks 01 to 52/); // 2025 began on a Wednesday: 52 ISO weeks
    expect(span(parsePeriod('2026-W53'))).toEqual([bj('2026-12-28T00:00:00'), bj('2027-01-04T00:00:00')]); // 2026 began on a Thursday: 53
    expect(parsePeriod('2026-Q5')).toMatch(/none of/);
    expect(dayRange('2026-11-30', '2026-11-01')).toMatch(/ends .* before it starts/);
  });

  it('cuts a range into whole periods of an interval, the first and last overlapping it', () => {
    const nov = parsePeriod('2026-11') as Period;
    const weeks = periodsOf('week', nov.from, nov.to, 10) as Period[];
    expect(weeks.map((p) => p.label)).toEqual(['2026-W44', '2026-W45', '2026-W46', '2026-W47', '2026-W48', '2026-W49']);
    expect(weeks[0]!.from.toISOString()).toBe(bj('2026-10-26T00:00:00'));
    const year = parsePeriod('2026') as Period;
    expect((periodsOf('quarter', year.from, year.to, 10) as Period[]).map((p) => p.label)).toEqual(['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4']);
    expect(periodsOf('day', year.from, year.to, 62)).toMatch(/more than 62 days/);
  });
});
