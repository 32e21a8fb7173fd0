/**
 * The managers' measures (考核), each defined once as the read-model rows it counts: the stats
 * answer counts them (src/api/stats.ts), and the case list selects the very same rows
 * (GET /api/cases?measure=…&part=…), so every figure can be followed down to its cases.
 * docs/measures.md explains each definition; the facts they use come from src/domain/measures.ts.
 */
import { Prisma } from '../generated/sqlite/client';
import type { Period } from '../domain/periods';
import { UNRESOLVED_STAGES } from '../domain/case-kernel';
import { COUNT_KEYS, MEASURE_KEYS, type MeasureKey, PARTS, type Part, RATE_KEYS, type RateKey } from '../domain/measure-keys';

export { COUNT_KEYS, MEASURE_KEYS, type MeasureKey, PARTS, type Part, RATE_KEYS, type RateKey };

/**
 * What a figure counts within: the period's instants up to `asOf` (the moment the figure was
 * taken), so a figure and its lists agree, and a period still running counts only what is past.
 */
export interface Window {
  from: Date;
  upTo: Date;
}
export const windowOf = (p: Period, asOf: Date): Window => ({ from: p.from, upTo: p.to < asOf ? p.to : asOf });

type Where = Prisma.CaseWhereInput;

/** The date that places a case in a period, per measure (each has a covering index, see prisma/schema.prisma). */
export type DateColumn = 'responseSettledAt' | 'resolvedAt' | 'resolutionSettledAt' | 'followUpAt' | 'closedAt';

/**
 * A condition on one column of the case row. Written once, it becomes both the Prisma filter the
 * case list walks and the SQL the figures aggregate with, so a figure and its list cannot drift.
 */
export type Cond =
  | { column: string; is: boolean | string }
  | { column: string; in: readonly string[] }
  | { column: string; notNull: true }
  /** before the end of the counted window (the period's end, or asOf) */
  | { column: string; beforeEnd: true };

interface Definition {
  name: string;
  /** one sentence a manager reads next to the figure */
  definition: string;
  at: DateColumn;
  /** the rows counted: a rate's denominator, or a count */
  counted: Cond[];
  /** a rate's numerator, among the counted rows; none for a count */
  numerator?: Cond[];
}

export const MEASURES: Record<MeasureKey, Definition> = {
  response_rate: {
    name: '响应率',
    definition: '期内应响应的案件中按时响应（签收或不予受理）的比例。应响应：响应时限在期内届满，或在时限前已响应；时限前撤回的案件不计。',
    at: 'responseSettledAt',
    counted: [],
    numerator: [{ column: 'responseOnTime', is: true }],
  },
  on_time_rate: {
    name: '按时办结率',
    definition: '期内办结（方案经审批通过）的案件中，在办结时限内办结的比例；暂停期间顺延、经批准的延期计入时限。',
    at: 'resolvedAt',
    counted: [],
    numerator: [{ column: 'resolvedOnTime', is: true }],
  },
  resolution_rate: {
    name: '解决率',
    definition: '期内应办结的案件中，到期末已办结的比例。应办结：办结时限在期内届满，或在时限前已于期内办结；不予受理、撤回的案件不计，暂停中的案件不计；因不满意重办的案件以最近一次办结为准。',
    at: 'resolutionSettledAt',
    counted: [],
    numerator: [{ column: 'resolvedAt', beforeEnd: true }],
  },
  satisfaction_rate: {
    name: '满意率',
    definition: '期内作出评价的回访中“满意”与“基本满意”的比例；以案件最近一次回访为准，未反馈的案件另计。',
    at: 'followUpAt',
    counted: [{ column: 'satisfaction', notNull: true }],
    numerator: [{ column: 'satisfaction', in: ['satisfied', 'basically_satisfied'] }],
  },
  no_feedback: {
    name: '回访未反馈',
    definition: '期内因回访期满未获评价而结案的案件数。',
    at: 'closedAt',
    counted: [{ column: 'outcome', is: 'closed_no_feedback' }],
  },
};

/** The parts a measure has: numerator and denominator for a rate, count for a count. */
export const partsOf = (key: MeasureKey): Part[] => (MEASURES[key].numerator ? ['numerator', 'denominator'] : ['count']);

function condWhere(c: Cond, w: Window): Where {
  if ('is' in c) return { [c.column]: c.is };
  if ('in' in c) return { [c.column]: { in: [...c.in] } };
  if ('notNull' in c) return { [c.column]: { not: null } };
  return { [c.column]: { lt: w.upTo } };
}

/** The rows one part of one measure counts, or null if the measure has no such part. */
export function measureWhere(key: MeasureKey, part: Part, w: Window): Where | null {
  const m = MEASURES[key];
  if (!partsOf(key).includes(part)) return null;
  const conds = [...m.counted, ...(part === 'numerator' ? m.numerator! : [])];
  return { AND: [{ [m.at]: { gte: w.from, lt: w.upTo } }, ...conds.map((c) => condWhere(c, w))] };
}

const col = (c: string) => Prisma.raw(`c."${c}"`);

/** The same condition as SQL over `"Case" c`. */
export function condSql(c: Cond, w: Window): Prisma.Sql {
  if ('is' in c) return Prisma.sql`${col(c.column)} = ${c.is}`;
  if ('in' in c) return Prisma.sql`${col(c.column)} IN (${Prisma.join([...c.in])})`;
  if ('notNull' in c) return Prisma.sql`${col(c.column)} IS NOT NULL`;
  return Prisma.sql`${col(c.column)} < ${w.upTo}`;
}


/** Overdue and at risk by the stored deadlines and the clock, not only by the flags the worker
 * writes when a timer fires: a lagging worker or read model must not hide an overdue case. */
export function standingFilters(now: Date) {
  const running = { stage: { in: [...UNRESOLVED_STAGES] }, paused: false };
  const overdueNow: Prisma.CaseWhereInput = { OR: [{ overdue: true }, { ...running, currentDueAt: { lte: now } }] };
  const atRiskNow: Prisma.CaseWhereInput = { AND: [{ OR: [{ atRisk: true }, { ...running, currentWarnAt: { lte: now } }] }, { NOT: overdueNow }] };
  return { running, overdueNow, atRiskNow };
}
