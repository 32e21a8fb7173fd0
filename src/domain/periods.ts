/**
 * Reporting periods in Beijing time (UTC+8 all year): a day, an ISO week, a month, a quarter or a
 * year, or a range of days; each is the half-open span [from, to) of instants, so consecutive
 * periods never count a case twice.
 */
import { BEIJING_OFFSET } from './working-time';

export interface Period {
  /** what the caller named: 2026-11, 2026-W48, 2026-Q4, 2026-11-23, 2026, or 2026-11-01..2026-11-30 */
  label: string;
  from: Date;
  /** exclusive */
  to: Date;
}

export const INTERVALS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type Interval = (typeof INTERVALS)[number];

const DAY = 86_400_000;
/** midnight in Beijing of a calendar date */
const beijingMidnight = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d) - BEIJING_OFFSET);
/** the calendar date in Beijing of an instant */
function beijingDate(t: Date): { y: number; m: number; d: number; weekday: number } {
  const b = new Date(t.getTime() + BEIJING_OFFSET);
  return { y: b.getUTCFullYear(), m: b.getUTCMonth() + 1, d: b.getUTCDate(), weekday: (b.getUTCDay() + 6) % 7 };
}
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
export const dateLabel = (t: Date) => {
  const { y, m, d } = beijingDate(t);
  return `${y}-${pad(m)}-${pad(d)}`;
};

function validDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** Monday of ISO week 1: the week holding 4 January. */
function isoWeekOne(y: number): Date {
  const jan4 = beijingMidnight(y, 1, 4);
  return new Date(jan4.getTime() - beijingDate(jan4).weekday * DAY);
}
const isoWeeks = (y: number) => Math.round((isoWeekOne(y + 1).getTime() - isoWeekOne(y).getTime()) / (7 * DAY));

/** The period a label names, or a reason it names none. */
export function parsePeriod(label: string): Period | string {
  let m: RegExpMatchArray | null;
  if ((m = label.match(/^(\d{4})-(\d{2})-(\d{2})$/))) {
    const [y, mo, d] = [+m[1]!, +m[2]!, +m[3]!];
    if (!validDate(y, mo, d)) return `${label} is not a calendar date`;
    const from = beijingMidnight(y, mo, d);
    return { label, from, to: new Date(from.getTime() + DAY) };
  }
  if ((m = label.match(/^(\d{4})-W(\d{2})$/))) {
    const [y, w] = [+m[1]!, +m[2]!];
    if (w < 1 || w > isoWeeks(y)) return `${y} has ISO weeks 01 to ${isoWeeks(y)}`;
    const from = new Date(isoWeekOne(y).getTime() + (w - 1) * 7 * DAY);
    return { label, from, to: new Date(from.getTime() + 7 * DAY) };
  }
  if ((m = label.match(/^(\d{4})-(\d{2})$/))) {
    const [y, mo] = [+m[1]!, +m[2]!];
    if (mo < 1 || mo > 12) return `${label}: months are 01 to 12`;
    return { label, from: beijingMidnight(y, mo, 1), to: beijingMidnight(y, mo + 1, 1) };
  }
  if ((m = label.match(/^(\d{4})-Q([1-4])$/))) {
    const [y, q] = [+m[1]!, +m[2]!];
    return { label, from: beijingMidnight(y, 3 * q - 2, 1), to: beijingMidnight(y, 3 * q + 1, 1) };
  }
  if ((m = label.match(/^(\d{4})$/))) {
    const y = +m[1]!;
    return { label, from: beijingMidnight(y, 1, 1), to: beijingMidnight(y + 1, 1, 1) };
  }
  return `${label} is none of YYYY-MM-DD, YYYY-Www, YYYY-MM, YYYY-Qn, YYYY`;
}

/** The days from `first` to `last`, both included (dates in Beijing). */
export function dayRange(first: string, last: string): Period | string {
  const a = parsePeriod(first);
  const b = parsePeriod(last);
  if (typeof a === 'string' || first.length !== 10) return typeof a === 'string' ? a : `${first} is not a date (YYYY-MM-DD)`;
  if (typeof b === 'string' || last.length !== 10) return typeof b === 'string' ? b : `${last} is not a date (YYYY-MM-DD)`;
  if (b.to <= a.from) return `the range ends (${last}) before it starts (${first})`;
  return { label: `${first}..${last}`, from: a.from, to: b.to };
}

/** The periods of one interval that overlap [from, to), each whole: a trend's points. */
export function periodsOf(interval: Interval, from: Date, to: Date, max: number): Period[] | string {
  const out: Period[] = [];
  let t = from;
  while (t < to) {
    if (out.length === max) return `more than ${max} ${interval}s: ask for a shorter range or a longer interval`;
    const { y, m, d, weekday } = beijingDate(t);
    const label =
      interval === 'day'
        ? `${y}-${pad(m)}-${pad(d)}`
        : interval === 'week'
          ? isoWeekLabel(new Date(beijingMidnight(y, m, d).getTime() - weekday * DAY))
          : interval === 'month'
            ? `${y}-${pad(m)}`
            : interval === 'quarter'
              ? `${y}-Q${Math.ceil(m / 3)}`
              : `${y}`;
    const p = parsePeriod(label) as Period;
    out.push(p);
    t = p.to;
  }
  return out;
}

/** ISO week label of the week that starts on this Monday (Beijing). */
function isoWeekLabel(monday: Date): string {
  // the ISO year is the year of the week's Thursday
  const y = beijingDate(new Date(monday.getTime() + 3 * DAY)).y;
  const w = Math.round((monday.getTime() - isoWeekOne(y).getTime()) / (7 * DAY)) + 1;
  return `${y}-W${pad(w)}`;
}
