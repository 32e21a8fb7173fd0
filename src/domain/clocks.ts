/** What managers see of a case's clocks at a given moment: deadline, time left, paused, breached. */
import type { CaseState } from './case-model';
import { workingMsBetween } from './working-time';

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
}

function clock(state: CaseState, dueAt: string, metAt: string | undefined, running: boolean, breachedAt: string | undefined, now: Date): ClockView {
  const paused = running && !!state.pause;
  // a paused clock shows the time it had left when it stopped
  const from = paused ? new Date(state.pause!.since) : now;
  const due = new Date(dueAt);
  const done = !!metAt;
  return {
    dueAt,
    metAt: metAt ?? null,
    running: running && !paused,
    paused,
    breached: !!breachedAt || (done ? Date.parse(metAt!) > due.getTime() : now.getTime() > due.getTime()),
    remainingWorkingMs: done ? null : workingMsBetween(from, due, state.calendar),
    remainingMs: done ? null : Math.max(0, due.getTime() - from.getTime()),
  };
}

export function describeClocks(state: CaseState, now: Date) {
  const resolving = ['acknowledged', 'in_progress', 'pending_approval'].includes(state.stage);
  const w = state.window;
  return {
    response: clock(state, state.deadlines.responseDueAt, state.acknowledgedAt, state.stage === 'assigned', state.breaches.response, now),
    resolution: clock(state, state.deadlines.resolutionDueAt, state.resolvedAt, resolving, state.breaches.resolution, now),
    current: w
      ? {
          step: w.step,
          level: w.level,
          dueAt: w.dueAt,
          warnAt: w.warnAt ?? null,
          atRisk: state.atRisk,
          overdue: state.overdue,
          reminding: w.reminding,
          paused: !!state.pause,
          remainingWorkingMs: workingMsBetween(state.pause ? new Date(state.pause.since) : now, new Date(w.dueAt), state.calendar),
        }
      : null,
    pausedWorkingMs: state.pauses.reduce((sum, p) => sum + (p.shiftMs ?? 0), 0),
    calendarUnknown: state.calendarUnknown ?? null,
  };
}
