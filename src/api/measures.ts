/**
 * The managers' measures (考核), each defined once as the read-model rows it counts: the stats
 * answer counts them (src/api/stats.ts), and the case list selects the very same rows
 * (GET /api/cases?measure=…&part=…), so every figure can be followed down to its cases.
 * docs/measures.md explains each definition; the facts they use come from src/domain/measures.ts.
 */
import type { Prisma } from '../generated/sqlite/client';
import type { Period } from '../domain/periods';
import { UNRESOLVED_STAGES } from '../domain/case-kernel';

export const RATE_KEYS = ['response_rate', 'on_time_rate', 'resolution_rate', 'satisfaction_rate'] as const;
export const COUNT_KEYS = ['no_feedback'] as const;
export const MEASURE_KEYS = [...RATE_KEYS, ...COUNT_KEYS] as const;
export type RateKey = (typeof RATE_KEYS)[number];
export type MeasureKey = (typeof MEASURE_KEYS)[number];
export const PARTS = ['numerator', 'denominator', 'count'] as const;
export type Part = (typeof PARTS)[number];

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
const within = (w: Window) => ({ gte: w.from, lt: w.upTo });

interface Definition {
  name: string;
  /** one sentence a manager reads next to the figure */
  definition: string;
  parts: Partial<Record<Part, (w: Window) => Where>>;
}

export const MEASURES: Record<MeasureKey, Definition> = {
  response_rate: {
    name: '响应率',
    definition: '期内应响应的案件中按时响应（签收或不予受理）的比例。应响应：响应时限在期内届满，或在时限前已响应；时限前撤回的案件不计。',
    parts: {
      denominator: (w) => ({ responseSettledAt: within(w) }),
      numerator: (w) => ({ responseSettledAt: within(w), responseOnTime: true }),
    },
  },
  on_time_rate: {
    name: '按时办结率',
    definition: '期内办结（方案经审批通过）的案件中，在办结时限内办结的比例；暂停期间顺延、经批准的延期计入时限。',
    parts: {
      denominator: (w) => ({ resolvedAt: within(w) }),
      numerator: (w) => ({ resolvedAt: within(w), resolvedOnTime: true }),
    },
  },
  resolution_rate: {
    name: '解决率',
    definition: '期内应办结的案件中，到期末已办结的比例。应办结：办结时限在期内届满，或在时限前已于期内办结；不予受理、撤回的案件不计，暂停中的案件不计；因不满意重办的案件以最近一次办结为准。',
    parts: {
      denominator: (w) => ({ resolutionSettledAt: within(w) }),
      numerator: (w) => ({ resolutionSettledAt: within(w), resolvedAt: { lt: w.upTo } }),
    },
  },
  satisfaction_rate: {
    name: '满意率',
    definition: '期内作出评价的回访中“满意”与“基本满意”的比例；以案件最近一次回访为准，未反馈的案件另计。',
    parts: {
      denominator: (w) => ({ followUpAt: within(w), satisfaction: { not: null } }),
      numerator: (w) => ({ followUpAt: within(w), satisfaction: { in: ['satisfied', 'basically_satisfied'] } }),
    },
  },
  no_feedback: {
    name: '回访未反馈',
    definition: '期内因回访期满未获评价而结案的案件数。',
    parts: { count: (w) => ({ outcome: 'closed_no_feedback', closedAt: within(w) }) },
  },
};

export const isRate = (k: MeasureKey): k is RateKey => (RATE_KEYS as readonly string[]).includes(k);

/** The rows one part of one measure counts, or null if the measure has no such part. */
export function measureWhere(key: MeasureKey, part: Part, w: Window): Where | null {
  return MEASURES[key].parts[part]?.(w) ?? null;
}

/** Overdue and at risk by the stored deadlines and the clock, not only by the flags the worker
 * writes when a timer fires: a lagging worker or read model must not hide an overdue case. */
export function standingFilters(now: Date) {
  const running = { stage: { in: [...UNRESOLVED_STAGES] }, paused: false };
  const overdueNow: Prisma.CaseWhereInput = { OR: [{ overdue: true }, { ...running, currentDueAt: { lte: now } }] };
  const atRiskNow: Prisma.CaseWhereInput = { AND: [{ OR: [{ atRisk: true }, { ...running, currentWarnAt: { lte: now } }] }, { NOT: overdueNow }] };
  return { running, overdueNow, atRiskNow };
}
