/**
 * Durations and deadline arithmetic. Every SLA deadline in the product is computed by
 * `addDuration`, so changing how time is counted (working days, office hours) happens here.
 * Pure: no clock, no I/O; safe to call inside workflow code.
 */
export type DurationUnit = 'seconds' | 'minutes' | 'hours' | 'days';

export interface Duration {
  value: number;
  unit: DurationUnit;
}

const MS: Record<DurationUnit, number> = {
  seconds: 1_000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
};

export function durationMs(d: Duration): number {
  return d.value * MS[d.unit];
}

export function addDuration(from: Date, d: Duration): Date {
  return new Date(from.getTime() + durationMs(d));
}

export function formatDuration(d: Duration): string {
  return `${d.value} ${d.unit}`;
}

export function laterOf(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}
