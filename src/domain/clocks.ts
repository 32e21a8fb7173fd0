/** What managers see of a case's clocks at a given moment: deadline, time left, paused, breached. */
import type { CaseState } from './case-model';
import { UNRESOLVED_STAGES } from './case-kernel';
import { remainingText } from './readable-time';
import { type WorkingCalendar, workingMsBetween } from './working-time';

/**
 * Overdue and at risk now: by the flags the workflow set when its timers fired and, so that a
 * lagging worker or read model never hides a case, by the current window's stored times and the
 * clock. Lists and the case view answer by this one rule.
 */
export function standing(
  s: { stage: string; paused: boolean; overdue: boolean; atRisk: boolean; dueAt: Date | null; warnAt: Date | null },
  now: Date,
): { overdue: boolean; atRisk: boolean; dueSince: Date | null } {
  const running = (UNRESOLVED_STAGES as readonly string[]).includes(s.stage) && !s.paused;
  const due = running && !!s.dueAt && s.dueAt <= now;
  const overdue = s.overdue || due;
  const warned = running && !!s.warnAt && s.warnAt <= now;
  return { overdue, atRisk: !overdue && (s.atRisk || warned), dueSince: due ? s.dueAt : null };
}

/**
 * A list row's current deadline as a person reads it (`剩余 1 个工作日 3 小时`, `已超期 2 小时`,
 * `已暂停`), counted on the calendar given: lists use the service's calendar of today, where the
 * case page counts on the case's own frozen one (they differ only if holidays were re-published).
 */
export function rowRemainingText(
  row: { stage: string; paused: boolean; overdue: boolean; atRisk: boolean; dueAt: Date | null; warnAt: Date | null; overdueSince: Date | null },
  now: Date,
  calendar: WorkingCalendar,
): string | null {
  if (!row.dueAt) return null;
  if (row.paused) return '已暂停';
  const { overdue, dueSince } = standing(row, now);
  try {
    if (overdue) return remainingText({ remainingWorkingMs: 0, paused: false, overdueWorkingMs: workingMsBetween(row.overdueSince ?? dueSince ?? row.dueAt, now, calendar) }, calendar.hours);
    return remainingText({ remainingWorkingMs: workingMsBetween(now, row.dueAt, calendar), paused: false, overdueWorkingMs: null }, calendar.hours);
  } catch {
    return null; // a span the calendar cannot count: the deadline itself is still in the row
  }
}

export interface ClockView {
  dueAt: string;
  /** when the step was done, if it was */
  metAt: string | null;
  running: boolean;
  paused: boolean;
  breached: boolean;
  /** office time left on the case's calendar (0 once past); null when the step is done */
  remainingWorkingMs: number | null;
  /** wall-clock time left; null when the step is done */
  remainingMs: number | null;
  /** the time left (or past the deadline) in Chinese working time, e.g. `剩余1个工作日3小时`, `已超期2小时`; null when the step is done */
  remainingText: string | null;
}

/** Office time past `dueAt` for a running clock that missed it, else null. */
const pastDue = (due: Date, now: Date, state: Omit<CaseState, 'history'>): number | null =>
  now.getTime() > due.getTime() ? workingMsBetween(due, now, state.calendar) : null;

function clock(state: Omit<CaseState, 'history'>, dueAt: string, metAt: string | undefined, running: boolean, breachedAt: string | undefined, now: Date): ClockView {
  const paused = running && !!state.pause;
  // a paused clock shows the time it had left when it stopped
  const from = paused ? new Date(state.pause!.since) : now;
  const due = new Date(dueAt);
  const done = !!metAt;
  const remainingWorkingMs = done ? null : workingMsBetween(from, due, state.calendar);
  return {
    dueAt,
    metAt: metAt ?? null,
    running: running && !paused,
    paused,
    breached: !!breachedAt || (done ? Date.parse(metAt!) > due.getTime() : now.getTime() > due.getTime()),
    remainingWorkingMs,
    remainingMs: done ? null : Math.max(0, due.getTime() - from.getTime()),
    remainingText: remainingText({ remainingWorkingMs, paused, overdueWorkingMs: done || paused ? null : pastDue(due, now, state) }, state.calendar.hours),
  };
}

export function describeClocks(state: Omit<CaseState, 'history'>, now: Date) {
  const resolving = ['acknowledged', 'in_progress', 'pending_approval'].includes(state.stage);
  const w = state.window;
  const standsNow = w
    ? standing({ stage: state.stage, paused: !!state.pause, overdue: state.overdue, atRisk: state.atRisk, dueAt: new Date(w.dueAt), warnAt: w.warnAt ? new Date(w.warnAt) : null }, now)
    : null;
  const currentLeft = w ? workingMsBetween(state.pause ? new Date(state.pause.since) : now, new Date(w.dueAt), state.calendar) : null;
  // past the top level the window's deadline is the next 督办 reminder: the case is overdue since it first missed one
  const currentPast =
    !w || state.pause ? null : w.reminding ? workingMsBetween(new Date(state.overdueSince ?? w.openedAt), now, state.calendar) : pastDue(new Date(w.dueAt), now, state);
  return {
    response: clock(state, state.deadlines.responseDueAt, state.acknowledgedAt, state.stage === 'assigned', state.breaches.response, now),
    resolution: clock(state, state.deadlines.resolutionDueAt, state.resolvedAt, resolving, state.breaches.resolution, now),
    current: w
      ? {
          step: w.step,
          level: w.level,
          dueAt: w.dueAt,
          warnAt: w.warnAt ?? null,
          atRisk: standsNow!.atRisk,
          overdue: standsNow!.overdue,
          reminding: w.reminding,
          paused: !!state.pause,
          remainingWorkingMs: currentLeft!,
          remainingText: remainingText({ remainingWorkingMs: currentLeft!, paused: !!state.pause, overdueWorkingMs: currentPast }, state.calendar.hours),
        }
      : null,
    pausedWorkingMs: state.pauses.reduce((sum, p) => sum + (p.shiftMs ?? 0), 0),
    calendarUnknown: state.calendarUnknown ?? null,
  };
}
