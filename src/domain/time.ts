/**
 * Durations and the one place deadlines are computed. Calendar units count wall-clock time;
 * working units count office time on the case's frozen Chinese calendar (working-time.ts).
 * Pure: safe inside workflow code.
 */
import { addWorkingDays, addWorkingMs, type Reckoned, type WorkingCalendar } from './working-time';

export const CALENDAR_UNITS = ['seconds', 'minutes', 'hours', 'days'] as const;
export const WORKING_UNITS = ['working_hours', 'working_days'] as const;
export type DurationUnit = (typeof CALENDAR_UNITS)[number] | (typeof WORKING_UNITS)[number];

export interface Duration {
  value: number;
  unit: DurationUnit;
}

const MS = { seconds: 1_000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;

export const isWorking = (d: Duration): boolean => d.unit === 'working_hours' || d.unit === 'working_days';

/** `from` + `d`; working units on `cal`, flagging days beyond its data. */
export function reckon(from: Date, d: Duration, cal: WorkingCalendar): Reckoned {
  switch (d.unit) {
    case 'working_days':
      return addWorkingDays(from, d.value, cal);
    case 'working_hours':
      return addWorkingMs(from, d.value * MS.hours, cal);
    default:
      return { at: new Date(from.getTime() + d.value * MS[d.unit]), assumedWeekdays: false };
  }
}

const UNIT_NAMES: Record<DurationUnit, string> = {
  seconds: '秒',
  minutes: '分钟',
  hours: '小时',
  days: '个自然日',
  working_hours: '个工作小时',
  working_days: '个工作日',
};

/** In Chinese, as a time limit is written: `30 个工作日`, `2 个工作小时`, `3 个自然日`. */
export function formatDuration(d: Duration): string {
  return `${d.value} ${UNIT_NAMES[d.unit]}`;
}

/** In English, for English answers: `30 working days`, `1 working hour`. */
export function durationInEnglish(d: Duration): string {
  const unit = d.unit.replace('_', ' ');
  return `${d.value} ${d.value === 1 ? unit.slice(0, -1) : unit}`;
}
