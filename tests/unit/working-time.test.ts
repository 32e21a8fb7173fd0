import { calendarData, KNOWN_YEARS } from '../../src/calendar';
import {
  addWorkingDays,
  addWorkingMs,
  DEFAULT_OFFICE_HOURS,
  isWorkingDay,
  workingMsBetween,
  type WorkingCalendar,
} from '../../src/domain/working-time';

const cal: WorkingCalendar = { data: calendarData(2025), hours: DEFAULT_OFFICE_HOURS };
/** Beijing wall-clock time → instant */
const bj = (s: string) => new Date(`${s}:00+08:00`);
const HOUR = 3_600_000;
const fmt = (d: Date) => new Date(d.getTime() + 8 * HOUR).toISOString().slice(0, 16).replace('T', ' ');

describe('the Chinese calendar from chinese-days', () => {
  it('knows 2025 and 2026', () => {
    expect(KNOWN_YEARS).toEqual(expect.arrayContaining([2025, 2026]));
    expect(cal.data.years).toEqual([2025, 2026]);
    expect(cal.data.source).toMatch(/^chinese-days@\d/);
  });

  it.each([
    ['2025-09-28', true, 'Sunday, 调休 make-up day before National Day'],
    ['2025-10-11', true, 'Saturday, 调休 make-up day after National Day'],
    ['2025-10-01', false, 'National Day'],
    ['2025-10-08', false, 'last day of the 2025 National Day holiday'],
    ['2025-10-09', true, 'Thursday after the holiday'],
    ['2025-10-12', false, 'ordinary Sunday'],
    ['2026-01-01', false, '元旦'],
    ['2026-01-04', true, 'Sunday, 调休 after 元旦 2026'],
    ['2026-02-14', true, 'Saturday, 调休 before 春节 2026'],
    ['2026-02-16', false, '春节 2026'],
    ['2026-02-28', true, 'Saturday, 调休 after 春节 2026'],
  ])('%s is a working day: %s (%s)', (date, working) => {
    expect(isWorkingDay(date, cal.data)).toBe(working);
  });
});

describe('working days', () => {
  it('"2 working days" from Tue 30 Sep 2025 16:00 is Fri 10 Oct 2025 16:00 (National Day skipped)', () => {
    const r = addWorkingDays(bj('2025-09-30T16:00'), 2, cal);
    expect(fmt(r.at)).toBe('2025-10-10 16:00');
    expect(r.assumedWeekdays).toBe(false);
  });

  it('"1 working day" is one working day, not 24 working hours', () => {
    expect(fmt(addWorkingDays(bj('2025-03-03T10:00'), 1, cal).at)).toBe('2025-03-04 10:00'); // Monday → Tuesday
    expect(fmt(addWorkingMs(bj('2025-03-03T10:00'), 24 * HOUR, cal).at)).toBe('2025-03-06 14:30'); // 24 office hours ≈ 3.4 days
  });

  it('counts a make-up Sunday and skips a weekend', () => {
    expect(fmt(addWorkingDays(bj('2025-09-26T10:00'), 1, cal).at)).toBe('2025-09-28 10:00'); // Fri → 调休 Sun
    expect(fmt(addWorkingDays(bj('2025-03-07T10:00'), 1, cal).at)).toBe('2025-03-10 10:00'); // Fri → Mon
  });

  it('crosses the year end into 元旦 2026 and its make-up Sunday', () => {
    expect(fmt(addWorkingDays(bj('2025-12-31T16:00'), 1, cal).at)).toBe('2026-01-04 16:00');
  });

  it('crosses 春节 2026', () => {
    expect(fmt(addWorkingDays(bj('2026-02-13T11:00'), 1, cal).at)).toBe('2026-02-14 11:00'); // Fri → 调休 Sat
    expect(fmt(addWorkingDays(bj('2026-02-14T11:00'), 1, cal).at)).toBe('2026-02-24 11:00'); // the holiday is skipped
  });

  it('starts a request filed outside office hours at the next working period', () => {
    expect(fmt(addWorkingDays(bj('2025-03-07T19:00'), 1, cal).at)).toBe('2025-03-11 09:00'); // Fri evening → Mon 09:00 → Tue
    expect(fmt(addWorkingDays(bj('2025-03-08T10:00'), 1, cal).at)).toBe('2025-03-11 09:00'); // Saturday
    expect(fmt(addWorkingDays(bj('2025-03-04T07:30'), 1, cal).at)).toBe('2025-03-05 09:00'); // before opening
    expect(fmt(addWorkingDays(bj('2025-03-04T12:30'), 1, cal).at)).toBe('2025-03-05 13:30'); // during lunch
    expect(fmt(addWorkingDays(bj('2025-10-03T10:00'), 1, cal).at)).toBe('2025-10-10 09:00'); // during National Day
  });

  it('a fraction of a working day is office time', () => {
    // half of a 7-hour office day = 3.5 h: 10:00 → 12:00 (2 h), lunch, 13:30 → 15:00
    expect(fmt(addWorkingDays(bj('2025-03-03T10:00'), 0.5, cal).at)).toBe('2025-03-03 15:00');
  });

  it('flags days beyond the calendar data and counts them as weekdays', () => {
    const r = addWorkingDays(bj('2026-12-31T10:00'), 1, cal); // 2027 is not published yet
    expect(fmt(r.at)).toBe('2027-01-01 10:00'); // 元旦 2027 counted as a working Friday
    expect(r.assumedWeekdays).toBe(true);
    expect(addWorkingDays(bj('2026-12-30T10:00'), 1, cal).assumedWeekdays).toBe(false);
  });
});

describe('working hours', () => {
  it('skip the lunch break', () => {
    expect(fmt(addWorkingMs(bj('2025-03-04T11:30'), HOUR, cal).at)).toBe('2025-03-04 14:00');
  });

  it('end at closing time rather than the next morning, then carry over', () => {
    expect(fmt(addWorkingMs(bj('2025-03-04T16:30'), HOUR, cal).at)).toBe('2025-03-04 17:30');
    expect(fmt(addWorkingMs(bj('2025-09-26T16:30'), 2 * HOUR, cal).at)).toBe('2025-09-28 10:00'); // Fri → 调休 Sunday
  });

  it('honour configured office hours without lunch', () => {
    const noLunch: WorkingCalendar = { data: cal.data, hours: { start: '08:30', end: '17:00' } };
    expect(fmt(addWorkingMs(bj('2025-03-04T11:30'), HOUR, noLunch).at)).toBe('2025-03-04 12:30');
    expect(fmt(addWorkingDays(bj('2025-03-04T07:00'), 1, noLunch).at)).toBe('2025-03-05 08:30');
  });

  it('measure office time between two instants', () => {
    expect(workingMsBetween(bj('2025-03-04T09:00'), bj('2025-03-04T17:30'), cal)).toBe(7 * HOUR);
    expect(workingMsBetween(bj('2025-03-04T11:00'), bj('2025-03-04T14:00'), cal)).toBe(1.5 * HOUR);
    expect(workingMsBetween(bj('2025-09-30T16:00'), bj('2025-10-09T10:00'), cal)).toBe(2.5 * HOUR); // 1.5 h + 1 h
    expect(workingMsBetween(bj('2025-03-05T10:00'), bj('2025-03-04T10:00'), cal)).toBe(0);
  });

  it('adding and measuring agree', () => {
    const from = bj('2025-09-29T15:10');
    for (const h of [0.5, 1, 3, 7, 11, 40]) {
      const at = addWorkingMs(from, h * HOUR, cal).at;
      expect(workingMsBetween(from, at, cal)).toBe(h * HOUR);
    }
  });
});
