/**
 * The facts the managers' measures (考核) count, derived from a case's state when its row is
 * written: each rate is then a count of rows whose fact falls in a period (src/api/stats.ts), and
 * docs/measures.md defines every rate on these columns. Pure: the same function serves the
 * persistence activity and the backfill of rows written before the facts existed.
 */
import type { CaseEvent, CaseState, DepartmentTask } from './case-model';
import { workingMsBetween } from './working-time';

type Snapshot = Omit<CaseState, 'history'>;

// Int columns are 32-bit on PostgreSQL: ~85 working days of office milliseconds
const MAX_INT = 2 ** 31 - 1;
const at = (v: string | undefined) => (v ? new Date(v) : null);
const earlier = (a: Date, b: Date) => (a.getTime() <= b.getTime() ? a : b);

function officeMs(state: Snapshot, from: string, to: string): number | null {
  try {
    return Math.min(workingMsBetween(new Date(from), new Date(to), state.calendar), MAX_INT);
  } catch {
    return null; // a span past the calendar's reach (ten years): no duration rather than a wrong one
  }
}

export interface CaseMeasures {
  respondedAt: Date | null;
  responseSettledAt: Date | null;
  responseOnTime: boolean;
  resolvedOnTime: boolean;
  resolutionSettledAt: Date | null;
  ackWorkingMs: number | null;
  resolveWorkingMs: number | null;
  escalationsToArea: number;
  escalationsToChief: number;
  measured: true;
}

export function caseMeasures(state: Snapshot): CaseMeasures {
  const responseDue = new Date(state.deadlines.responseDueAt);
  const resolutionDue = new Date(state.deadlines.resolutionDueAt);
  const closed = at(state.closedAt);
  // 签收, or 不予受理 straight from the inbox: both answer the enterprise
  const respondedAt = at(state.acknowledgedAt) ?? (state.outcome === 'rejected' ? closed : null);
  const responseSettledAt = respondedAt
    ? earlier(respondedAt, responseDue)
    : // withdrawn before anyone had to answer: no response was ever owed
      closed && closed.getTime() < responseDue.getTime()
      ? null
      : responseDue;
  const resolved = at(state.resolvedAt);
  const excluded = state.outcome === 'rejected' || state.outcome === 'withdrawn';
  // a paused case's clock is stopped: its deadline moves when the pause ends, so nothing is owed yet
  const resolutionSettledAt = excluded ? null : resolved ? earlier(resolved, resolutionDue) : state.pause ? null : resolutionDue;
  const pausedMs = state.pauses.reduce((sum, p) => sum + (p.until ? (officeMs(state, p.since, p.until) ?? 0) : 0), 0);
  const resolveMs = state.resolvedAt ? officeMs(state, state.openedAt, state.resolvedAt) : null;
  return {
    respondedAt,
    responseSettledAt,
    responseOnTime: !!respondedAt && respondedAt.getTime() <= responseDue.getTime(),
    resolvedOnTime: !!resolved && resolved.getTime() <= resolutionDue.getTime(),
    resolutionSettledAt,
    ackWorkingMs: state.acknowledgedAt ? officeMs(state, state.openedAt, state.acknowledgedAt) : null,
    resolveWorkingMs: resolveMs === null ? null : Math.max(0, resolveMs - pausedMs),
    escalationsToArea: state.escalations.filter((e) => e.toLevel === 2).length,
    escalationsToChief: state.escalations.filter((e) => e.toLevel === 3).length,
    measured: true,
  };
}

/** When the case's last 回访 answer was recorded, if these events hold one. */
export function followUpAt(events: readonly Pick<CaseEvent, 'type' | 'at'>[]): Date | null {
  const last = events.filter((e) => e.type === 'follow_up_recorded').at(-1);
  return last ? new Date(last.at) : null;
}

export function taskMeasures(t: DepartmentTask) {
  const repliedAt = at(t.reply?.at);
  return {
    repliedAt,
    repliedOnTime: !!repliedAt && repliedAt.getTime() <= new Date(t.dueAt).getTime(),
    returnedAt: at(t.returned?.at),
    returnReason: t.returned?.reason ?? null,
  };
}
