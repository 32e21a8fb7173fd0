/**
 * Working time on the Chinese calendar, in Beijing time (UTC+8 all year, no DST).
 *
 * Pure functions over a `WorkingCalendar` value: the statutory holidays and make-up working
 * days (调休) come from the `chinese-days` package, but they are copied into each case when it
 * opens and travel in its workflow state. Workflow code therefore never reads calendar data
 * that can change under a running case: replaying a case after the package is upgraded (or
 * after the State Council amends a year) computes exactly the deadlines it computed before.
 *
 * Semantics (the ones published 12345 rules use):
 *  - N working days: the same time of day on the N-th following working day, counted from the
 *    next working moment. "1 working day" is one working day, not 24 working hours.
 *  - N working hours: N hours of office time, skipping lunch, evenings and days off.
 *  - A start outside office hours counts from the start of the next working period.
 *  - Days of a year the calendar data does not cover are counted as Monday–Friday working
 *    days, and the result says so (`assumedWeekdays`) so the case can show it.
 */

export interface CalendarData {
  /** where the data came from, e.g. "chinese-days@1.5.7" */
  source: string;
  /** years whose holidays and make-up days are fully known */
  years: number[];
  /** days off (YYYY-MM-DD), including weekend days inside a holiday */
  holidays: string[];
  /** weekend days that are working days (调休), YYYY-MM-DD */
  workdays: string[];
}

export interface OfficeHours {
  /** HH:MM, Beijing time */
  start: string;
  end: string;
  /** lunch break, HH:MM; omit both for none */
  lunchStart?: string;
  lunchEnd?: string;
}

export interface WorkingCalendar {
  data: CalendarData;
  hours: OfficeHours;
}

export const DEFAULT_OFFICE_HOURS: OfficeHours = { start: '09:00', end: '17:30', lunchStart: '12:00', lunchEnd: '13:30' };

const MINUTE = 60_000;
const DAY = 86_400_000;
export const BEIJING_OFFSET = 8 * 3_600_000;
/** bound on day walks: no legitimate deadline is ten years away */
const MAX_DAYS = 3660;

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

/** Working periods of a working day, in minutes after Beijing midnight. */
export function periods(hours: OfficeHours): [number, number][] {
  const start = minutesOf(hours.start);
  const end = minutesOf(hours.end);
  if (hours.lunchStart && hours.lunchEnd) {
    const ls = minutesOf(hours.lunchStart);
    const le = minutesOf(hours.lunchEnd);
    return [
      [start, ls],
      [le, end],
    ].filter(([a, b]) => b! > a!) as [number, number][];
  }
  return [[start, end]];
}

export function workingMinutesPerDay(hours: OfficeHours): number {
  return periods(hours).reduce((sum, [a, b]) => sum + (b - a), 0);
}

/** Beijing calendar day number (days since epoch) of an instant. */
const dayNumber = (t: number) => Math.floor((t + BEIJING_OFFSET) / DAY);
/** The instant of Beijing midnight starting day `n`. */
const midnight = (n: number) => n * DAY - BEIJING_OFFSET;
const dateKey = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);

export interface DayInfo {
  date: string;
  working: boolean;
  /** false when the calendar data does not cover this day's year */
  known: boolean;
}

export function dayInfo(n: number, data: CalendarData): DayInfo {
  const date = dateKey(n);
  const known = data.years.includes(Number(date.slice(0, 4)));
  const weekday = new Date(n * DAY).getUTCDay();
  const weekend = weekday === 0 || weekday === 6;
  if (!known) return { date, working: !weekend, known };
  if (data.holidays.includes(date)) return { date, working: false, known };
  if (data.workdays.includes(date)) return { date, working: true, known };
  return { date, working: !weekend, known };
}

export function isWorkingDay(date: string, data: CalendarData): boolean {
  return dayInfo(Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY), data).working;
}

export interface Reckoned {
  at: Date;
  /** some day on the way lay outside the calendar data and was counted as a weekday */
  assumedWeekdays: boolean;
}

class Walker {
  assumed = false;
  constructor(private readonly cal: WorkingCalendar) {}

  working(n: number): boolean {
    const info = dayInfo(n, this.cal.data);
    if (!info.known) this.assumed = true;
    return info.working;
  }

  /** The first instant ≥ t that lies inside a working period. */
  nextWorkingInstant(t: number): number {
    const ps = periods(this.cal.hours);
    for (let n = dayNumber(t), i = 0; i < MAX_DAYS; n++, i++) {
      if (!this.working(n)) continue;
      const base = midnight(n);
      for (const [a, b] of ps) {
        const from = base + a * MINUTE;
        const to = base + b * MINUTE;
        if (t < to) return Math.max(t, from);
      }
    }
    throw new Error('no working period within ten years');
  }
}

/** The start of the next working period, or `at` itself if it lies in one. */
export function nextWorkingStart(at: Date, cal: WorkingCalendar): Reckoned {
  const w = new Walker(cal);
  return { at: new Date(w.nextWorkingInstant(at.getTime())), assumedWeekdays: w.assumed };
}

/** N working days later: the same Beijing time of day on the N-th following working day. */
export function addWorkingDays(from: Date, days: number, cal: WorkingCalendar): Reckoned {
  const w = new Walker(cal);
  const start = w.nextWorkingInstant(from.getTime());
  const timeOfDay = start - midnight(dayNumber(start));
  let n = dayNumber(start);
  let whole = Math.floor(days);
  for (let i = 0; whole > 0; i++) {
    if (i > MAX_DAYS) throw new Error('working-day walk exceeded ten years');
    n++;
    if (w.working(n)) whole--;
  }
  let at = midnight(n) + timeOfDay;
  const fraction = days - Math.floor(days);
  if (fraction > 0) {
    const more = addWorkingMs(new Date(at), fraction * workingMinutesPerDay(cal.hours) * MINUTE, cal);
    at = more.at.getTime();
    w.assumed ||= more.assumedWeekdays;
  }
  return { at: new Date(at), assumedWeekdays: w.assumed };
}

/** `ms` of office time later. Lands on the end of a period rather than the next morning. */
export function addWorkingMs(from: Date, ms: number, cal: WorkingCalendar): Reckoned {
  const w = new Walker(cal);
  const ps = periods(cal.hours);
  let left = ms;
  let t = from.getTime();
  for (let n = dayNumber(t), i = 0; ; n++, i++) {
    if (i > MAX_DAYS) throw new Error('working-time walk exceeded ten years');
    if (!w.working(n)) continue;
    const base = midnight(n);
    for (const [a, b] of ps) {
      const pStart = Math.max(base + a * MINUTE, t);
      const pEnd = base + b * MINUTE;
      if (pEnd <= pStart) continue;
      if (left <= pEnd - pStart) return { at: new Date(pStart + left), assumedWeekdays: w.assumed };
      left -= pEnd - pStart;
      t = pEnd;
    }
  }
}

/** Office time between two instants (0 if `to` is not after `from`). */
export function workingMsBetween(from: Date, to: Date, cal: WorkingCalendar): number {
  const w = new Walker(cal);
  const ps = periods(cal.hours);
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return 0;
  let total = 0;
  for (let n = dayNumber(a); n <= dayNumber(b); n++) {
    if (n - dayNumber(a) > MAX_DAYS) throw new Error('working-time span exceeds ten years');
    if (!w.working(n)) continue;
    const base = midnight(n);
    for (const [p, q] of ps) {
      const s = Math.max(a, base + p * MINUTE);
      const e = Math.min(b, base + q * MINUTE);
      if (e > s) total += e - s;
    }
  }
  return total;
}

/** Whether every day in [from, to] lies in a year the calendar data covers. */
export function calendarCovers(from: Date, to: Date, data: CalendarData): boolean {
  const y0 = new Date(from.getTime() + BEIJING_OFFSET).getUTCFullYear();
  const y1 = new Date(to.getTime() + BEIJING_OFFSET).getUTCFullYear();
  for (let y = y0; y <= y1; y++) if (!data.years.includes(y)) return false;
  return true;
}
