/**
 * The calendar data a new case freezes into its state: statutory holidays and 调休 make-up
 * working days from the maintained `chinese-days` package, plus the configured office hours.
 * Only code outside the workflow sandbox imports this (see domain/working-time.ts for why).
 */
import data from 'chinese-days/dist/chinese-days.json';
import { version } from 'chinese-days/package.json';
import type { CalendarData, OfficeHours, WorkingCalendar } from './domain/working-time';

const holidays = Object.keys(data.holidays).sort();
const workdays = Object.keys(data.workdays).sort();
/** a year is known once its holidays are published (every year has 元旦) */
export const KNOWN_YEARS = [...new Set(holidays.map((d) => Number(d.slice(0, 4))))].sort((a, b) => a - b);

/** The data for `fromYear` and the years after it that the package knows, up to `span` years. */
export function calendarData(fromYear: number, span = 3): CalendarData {
  const years = KNOWN_YEARS.filter((y) => y >= fromYear && y < fromYear + span);
  const inYears = (d: string) => years.includes(Number(d.slice(0, 4)));
  return { source: `chinese-days@${version}`, years, holidays: holidays.filter(inYears), workdays: workdays.filter(inYears) };
}

export function workingCalendar(now: Date, hours: OfficeHours): WorkingCalendar {
  const beijingYear = new Date(now.getTime() + 8 * 3_600_000).getUTCFullYear();
  return { data: calendarData(beijingYear), hours };
}
