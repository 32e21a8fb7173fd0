/**
 * Request and response shapes, written once in zod: the API validates with them and the
 * OpenAPI document is generated from them.
 */
import { z } from 'zod';
import { CREDIT_CODE_MESSAGES, creditCodeProblem } from '../domain/credit-code';
import { SATISFACTION, STAGES, URGENCIES } from '../domain/case-model';
import { LONE_SURROGATE } from '../domain/text';
import { dayRange, INTERVALS, parsePeriod } from '../domain/periods';
import { MEASURE_KEYS, PARTS } from '../domain/measure-keys';

// Text a person wrote may span lines; nothing else invisible belongs in it. NUL and lone
// surrogates in particular are refused here: PostgreSQL cannot store them, and a case whose
// batch the database refuses must never get that far.
const FREE_TEXT_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// C0 and C1 controls, DEL and the Unicode line/paragraph separators: none belongs in a name
const LINE_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const str = () => z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be text') });
const wellFormed = (s: string) => !LONE_SURROGATE.test(s);
const WELL_FORMED = 'must be valid Unicode text (it contains a lone surrogate)';

/** Free text (descriptions, replies, reasons): newlines, tabs and carriage returns allowed, no other control characters. */
export const text = (max: number) =>
  str()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !FREE_TEXT_CONTROL.test(s), 'must not contain control characters (NUL and the like); newlines and tabs are fine')
    .refine(wellFormed, WELL_FORMED);

/** One line (names, titles, addresses): no control characters at all. */
export const line = (max: number) =>
  str()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !LINE_CONTROL.test(s), 'must not contain control characters (line breaks, tabs)')
    .refine(wellFormed, WELL_FORMED);

export const isHttpUrl = (s: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
};
export const HttpUrl = line(2000).refine(isHttpUrl, 'must be an http(s) URL');

const id = line(64);

export const CreditCode = z
  .string()
  .trim()
  .toUpperCase()
  .superRefine((code, ctx) => {
    const problem = creditCodeProblem(code);
    if (problem) ctx.addIssue({ code: 'custom', message: CREDIT_CODE_MESSAGES[problem] });
  })
  .meta({ description: '统一社会信用代码 (GB 32100-2015), check character verified', example: '91350100M000100Y43' });

export const CaseId = z.string().regex(/^C\d{8}-[0-9A-Z]{6}$/, 'is not a case id (C<yyyymmdd>-<6 characters>)').meta({ example: 'C20261123-ABC234' });
export const CaseIdParams = z.object({ id: CaseId }).strict();

/** A file's metadata: the file itself stays where it is (the enterprise's or the department's system). */
const AttachmentBody = z
  .object({
    name: line(200),
    url: HttpUrl.optional(),
    size: z.number().int().nonnegative().max(2 ** 40).optional(),
    mimeType: line(100).optional(),
  })
  .strict();

export const OpenCaseBody = z
  .object({
    buildingId: id.meta({ example: 'bld-tianan' }),
    enterprise: z
      .object({
        creditCode: CreditCode,
        name: line(100).optional().meta({ description: 'required when the enterprise is not yet in the directory' }),
      })
      .strict(),
    category: id.meta({ description: 'service catalogue category code (GET /api/categories)', example: 'outdoor_promotion' }),
    urgency: z.enum(URGENCIES).default('normal'),
    title: line(100),
    description: text(4000),
    contact: z
      .object({
        name: line(50),
        phone: z.string().trim().regex(/^[0-9+\-() ]{5,20}$/, 'must be a phone number'),
      })
      .strict(),
    attachments: z.array(AttachmentBody).max(20).optional().meta({ description: "the names (and, if any, links) of the enterprise's supporting files" }),
  })
  .strict()
  .meta({ id: 'OpenCase' });
export type OpenCaseBody = z.infer<typeof OpenCaseBody>;

export const ActionBodies = {
  acknowledge: z.object({ note: text(1000).optional() }).strict(),
  decline: z.object({ reason: text(1000) }).strict(),
  propose: z.object({ text: text(4000) }).strict(),
  approve: z.object({ note: text(1000).optional() }).strict(),
  reject: z.object({ reason: text(1000) }).strict(),
  reassign: z.object({ toStewardId: id, reason: text(1000).optional() }).strict(),
  dispatch: z
    .object({
      departmentId: id.meta({ description: 'the lead department (主办)' }),
      assisting: z.array(id).max(10).optional().meta({ description: 'assisting departments (协办)' }),
      instructions: text(2000).optional(),
    })
    .strict(),
  'department-accept': z.object({}).strict(),
  'department-reply': z
    .object({
      text: text(4000),
      attachments: z
        .array(AttachmentBody)
        .max(20)
        .optional()
        .meta({ description: 'metadata of files the department attached (the files stay in its system)' }),
    })
    .strict(),
  'department-return': z.object({ reason: text(1000).meta({ description: '退单 reason, required' }) }).strict(),
  'follow-up': z.object({ satisfaction: z.enum(SATISFACTION), comment: text(1000).optional() }).strict(),
  withdraw: z.object({ reason: text(1000).optional() }).strict(),
  pause: z.object({ reason: text(1000).meta({ description: 'what the enterprise must supply' }) }).strict(),
  'supply-info': z.object({ info: text(4000).optional() }).strict(),
  'request-extension': z
    .object({
      reason: text(1000),
      newDueAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with offset, e.g. 2026-12-01T17:30:00+08:00' }),
    })
    .strict(),
  'decide-extension': z.object({ approve: z.boolean(), reason: text(1000).optional() }).strict(),
} as const;
export type ActionPath = keyof typeof ActionBodies;

const boolQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

/** OFFSET paging is kept for old clients only as far as an index walk of this many rows stays cheap. */
export const MAX_PAGE_OFFSET = 2_000;

/** An opaque position in a list, as a previous answer's `nextCursor` gave it (validated further by the list). */
export const Cursor = z
  .string()
  .max(200, 'is not a cursor this API issued (pass nextCursor unchanged)')
  .regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor this API issued (pass nextCursor unchanged)');

/**
 * `cursor` pages a list by its sort key (keyset): each page costs the same, and rows added or
 * changed meanwhile never make a walk repeat or skip a row it has not passed. `page` (OFFSET) is
 * kept for old clients within the first MAX_PAGE_OFFSET rows.
 */
export const pagingChecks = (q: { page?: number; pageSize: number; cursor?: string }, ctx: z.RefinementCtx) => {
  if (q.page !== undefined && q.cursor !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['page'], message: 'use either cursor or page, not both' });
  } else if (q.page !== undefined && (q.page - 1) * q.pageSize > MAX_PAGE_OFFSET) {
    ctx.addIssue({ code: 'custom', path: ['page'], message: `pages beyond the first ${MAX_PAGE_OFFSET} rows are reached with cursor (each answer's nextCursor), not page` });
  }
};
export const paging = {
  cursor: Cursor.optional().meta({ description: "where to continue: the previous answer's `nextCursor` (omit for the first page)" }),
  page: z.coerce
    .number()
    .int()
    .min(1)
    .max(2_001)
    .optional()
    .meta({ description: `compatibility: OFFSET paging within the first ${MAX_PAGE_OFFSET} rows ((page-1)·pageSize ≤ ${MAX_PAGE_OFFSET}); use cursor` }),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  count: boolQuery.optional().meta({ description: 'true: also answer `total`, the number of matching rows (counts every one of them: slower on large lists)' }),
};

/**
 * Which cases a figure counts: one measure's part over a period (Beijing time), as of an instant.
 * The stats answer links every figure to the case list with exactly these parameters.
 */
const periodFields = {
  period: z
    .string()
    .max(32)
    .optional()
    .meta({ description: 'a day 2026-11-23, an ISO week 2026-W48, a month 2026-11, a quarter 2026-Q4 or a year 2026, in Beijing time (default: this month)', example: '2026-11' }),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').optional().meta({ description: 'first day of a range (Beijing), with `to`; instead of `period`' }),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').optional().meta({ description: 'last day of the range, included' }),
  asOf: z.iso.datetime({ offset: true }).optional().meta({ description: 'count as of this instant (a figure\'s links carry the instant it was taken; default: now)' }),
};
export const periodChecks = (q: { period?: string; from?: string; to?: string }, ctx: z.RefinementCtx) => {
  if (q.period !== undefined && (q.from !== undefined || q.to !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['period'], message: 'use either period or from/to, not both' });
  } else if ((q.from === undefined) !== (q.to === undefined)) {
    ctx.addIssue({ code: 'custom', path: [q.from === undefined ? 'from' : 'to'], message: 'from and to go together' });
  } else if (q.period !== undefined) {
    const p = parsePeriod(q.period);
    if (typeof p === 'string') ctx.addIssue({ code: 'custom', path: ['period'], message: p });
  } else if (q.from !== undefined && q.to !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(q.from) && /^\d{4}-\d{2}-\d{2}$/.test(q.to)) {
    const r = dayRange(q.from, q.to);
    if (typeof r === 'string') ctx.addIssue({ code: 'custom', path: ['to'], message: r });
  }
};
/** The filters the lists and the stats share: a figure's cases are the list with the same filters. */
const caseFilters = {
  townId: id.optional(),
  areaId: id.optional(),
  buildingId: id.optional(),
  ownerStewardId: id.optional(),
  departmentId: id.optional().meta({ description: 'the lead (主办) department; - for the cases not yet dispatched (未派单)' }),
  category: id.optional(),
  urgency: z.enum(URGENCIES).optional(),
  level: z.coerce.number().int().min(1).max(3).optional().meta({ description: "owner's level: 1 点楼长, 2 分楼长, 3 总楼长" }),
};
export const GROUPS = ['town', 'area', 'building', 'steward', 'department', 'category', 'urgency', 'level'] as const;
export type Group = (typeof GROUPS)[number];

export const StatsQuery = z
  .object({
    ...periodFields,
    ...caseFilters,
    groupBy: z.enum(GROUPS).optional().meta({ description: 'one row per town, area, building, owner steward, lead department, category, urgency or owner level' }),
  })
  .strict()
  .superRefine(periodChecks);
export type StatsQuery = z.infer<typeof StatsQuery>;

export const StatsSeriesQuery = z
  .object({
    ...periodFields,
    ...caseFilters,
    interval: z.enum(INTERVALS).default('month').meta({ description: 'one point per day, ISO week, month, quarter or year of the range' }),
  })
  .strict()
  .superRefine(periodChecks);
export type StatsSeriesQuery = z.infer<typeof StatsSeriesQuery>;

/** What selects a list's rows (no paging): the case list and its export take the same. */
export const CaseListFilters = z.object({
  overdue: boolQuery.optional().meta({ description: 'true: the overdue list, longest overdue first (sorted by overdueSince, then id)' }),
  atRisk: boolQuery.optional().meta({ description: 'past the warning point of the current deadline; true: the at-risk list, soonest deadline first (currentDueAt, then id)' }),
  paused: boolQuery.optional().meta({ description: 'awaiting the enterprise' }),
  stage: z.enum(STAGES).optional(),
  ...caseFilters,
  enterpriseId: id.optional(),
  measure: z.enum(MEASURE_KEYS).optional().meta({ description: 'the cases one figure of GET /api/stats counts (with `part` and the period)' }),
  part: z.enum(PARTS).optional().meta({ description: 'numerator or denominator of a rate; count for a count (default: denominator, or count)' }),
  ...periodFields,
});
/** The filters' own checks: the period, and `part`/`period` only with a measure. */
export const listFilterChecks = (q: z.infer<typeof CaseListFilters>, ctx: z.RefinementCtx) => {
  periodChecks(q, ctx);
  const timed = q.period !== undefined || q.from !== undefined || q.asOf !== undefined;
  if (q.measure === undefined && (q.part !== undefined || timed)) {
    ctx.addIssue({ code: 'custom', path: [q.part !== undefined ? 'part' : 'period'], message: 'only with measure' });
  }
};

export const ListCasesQuery = CaseListFilters.extend({
  open: boolQuery.optional().meta({ description: 'true: the cases still being worked on (assigned to pending approval: what workload counts as 在办); false: the others' }),
  sort: z
    .enum(['opened', 'deadline'])
    .optional()
    .meta({ description: 'opened (default): newest first; deadline: the cases that have a current deadline (unfinished), soonest first (currentDueAt, then id), as 我的待办 lists them. The overdue and at-risk lists keep their own order' }),
  ...paging,
}).strict().superRefine(pagingChecks).superRefine(listFilterChecks);
export type ListCasesQuery = z.infer<typeof ListCasesQuery>;

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'stable, English: for programs' }),
      message: z.string().meta({ description: 'for people: Chinese, or English when Accept-Language prefers it' }),
      issues: z.array(z.object({ field: z.string(), message: z.string() })).optional().meta({ description: 'one per field, its message in the same language' }),
    }),
  })
  .meta({ id: 'Error' });

const Instant = z.string().meta({ description: 'ISO 8601 instant, answered in Beijing time with its offset (+08:00); requests may use any offset', example: '2026-11-23T09:00:00.000+08:00' });
const StewardRef = z.looseObject({ id: z.string(), name: z.string(), level: z.number().int().min(1).max(3) });
const CaseEventBody = z
  .looseObject({
    seq: z.number().int().min(1),
    at: Instant,
    type: z.string().meta({ description: 'opened, assigned, acknowledged, escalated, dispatched, … (see the README)' }),
    actor: z.looseObject({ kind: z.string(), id: z.string() }),
    from: z.string().optional(),
    to: z.string().optional(),
    reason: z.string().optional(),
    detail: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'CaseEvent' });

// The workflow's own CaseState plus how it was read. Department staff see a reduced view (no
// owner, chain, clocks or history), so only what every view has is required.
export const CaseStateBody = z
  .looseObject({
    caseId: z.string().meta({ example: 'C20261123-ABC234' }),
    stage: z.enum(STAGES),
    source: z.enum(['workflow', 'database']).meta({ description: 'database: the read model (version, recordedAt); workflow: the running case itself' }),
    version: z.number().int().min(0).meta({ description: 'seq of the last event this view includes' }),
    recordedAt: Instant.optional(),
    parties: z.looseObject({ building: z.looseObject({ id: z.string(), name: z.string() }), enterprise: z.looseObject({ id: z.string(), name: z.string() }) }),
    request: z.looseObject({ category: z.string(), title: z.string(), description: z.string(), urgency: z.enum(URGENCIES) }),
    openedAt: Instant,
    outcome: z.string().optional(),
    owner: StewardRef.optional(),
    deadlines: z.looseObject({ responseDueAt: Instant, resolutionDueAt: Instant }).optional(),
    overdue: z.boolean().optional(),
    atRisk: z.boolean().optional(),
    satisfaction: z.enum(SATISFACTION).optional(),
    tasks: z.array(z.looseObject({ no: z.number().int(), departmentId: z.string(), role: z.enum(['lead', 'assist']), status: z.string(), dueAt: Instant })),
    clocks: z.record(z.string(), z.unknown()).optional().meta({ description: 'each clock with its deadline and the working time left' }),
    history: z.array(CaseEventBody).optional().meta({ description: 'the whole history (reads and the intake)' }),
    events: z.array(CaseEventBody).optional().meta({ description: "an action's answer: the events this action added (none for a repeated Idempotency-Key); read the case for the whole history" }),
    allowedActions: z
      .array(z.string())
      .optional()
      .meta({ description: 'a read: the actions (their URL names) the caller may take on the case now, by the same checks the actions meet' }),
  })
  .meta({ id: 'CaseState', description: "stage, owner, deadlines, clocks, department tasks, and the full history (reads) or the action's own events (actions)" });

export const CaseListBody = z
  .object({
    items: z.array(
      z.looseObject({ id: z.string(), stage: z.enum(STAGES), overdue: z.boolean(), atRisk: z.boolean(), version: z.number().int(), updatedAt: Instant }),
    ),
    nextCursor: z.string().nullable().meta({ description: 'pass as `cursor` for the next page; null on the last page' }),
    page: z.number().int().optional().meta({ description: 'only when the request paged with `page`' }),
    pageSize: z.number().int(),
    total: z.number().int().optional().meta({ description: 'only with `count=true`' }),
    generatedAt: Instant,
  })
  .meta({ id: 'CaseList', description: 'default order: newest first (openedAt, then id, both descending)' });
