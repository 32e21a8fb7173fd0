/**
 * The managers' figures: every measure of src/api/measures.ts over a period, in total, by group
 * and as a trend, counted by the database (COUNT … GROUP BY on the facts' indexes), scoped like
 * every other read, each numerator and denominator linked to the list of the cases it counts.
 */
import type { Db } from '../db/client';
import { Prisma } from '../generated/sqlite/client';
import { LEVEL_NAMES, URGENCY_NAMES } from '../domain/case-model';
import { namesById } from './directory';
import { dayRange, parsePeriod, type Period, periodsOf } from '../domain/periods';
import type { Principal } from '../auth/principal';
import { caseScope, caseScopeParts } from '../auth/scope';
import { UNRESOLVED_STAGES } from '../domain/case-kernel';
import { BEIJING_OFFSET, workingMinutesPerDay, workingMsBetween, type WorkingCalendar } from '../domain/working-time';
import { workingTimeText } from '../domain/readable-time';
import { invalidField } from './errors';
import { condSql, type MeasureKey, MEASURE_KEYS, MEASURES, type Part, partsOf, standingFilters, type Window, windowOf } from './measures';
import type { Group, StatsQuery, StatsSeriesQuery } from './schemas';

type Where = Prisma.CaseWhereInput;

/** The period a query names (period, or from/to), this month in Beijing by default. */
function resolvePeriod(q: { period?: string; from?: string; to?: string }, now: Date): Period {
  const p = q.period !== undefined ? parsePeriod(q.period) : q.from !== undefined && q.to !== undefined ? dayRange(q.from, q.to) : parsePeriod(thisMonth(now));
  if (typeof p === 'string') throw invalidField(q.period !== undefined ? 'query.period' : 'query.to', p);
  return p;
}
/** The instant a figure is taken at (`asOf`, default now), the period it asks about, and what of it has passed. */
export function taken(q: { period?: string; from?: string; to?: string; asOf?: string }, now = new Date()) {
  const asOf = q.asOf ? new Date(q.asOf) : now;
  const period = resolvePeriod(q, asOf);
  return { asOf, period, w: windowOf(period, asOf) };
}

const thisMonth = (now: Date) => {
  const b = new Date(now.getTime() + BEIJING_OFFSET);
  return `${b.getUTCFullYear()}-${String(b.getUTCMonth() + 1).padStart(2, '0')}`;
};

export interface CaseFilters {
  townId?: string;
  areaId?: string;
  buildingId?: string;
  ownerStewardId?: string;
  departmentId?: string;
  category?: string;
  urgency?: string;
  level?: number;
}
const FILTER_KEYS = ['townId', 'areaId', 'buildingId', 'ownerStewardId', 'departmentId', 'category', 'urgency', 'level'] as const;
/** `departmentId=-`: the cases with no lead department yet (no department id can start with "-"). */
export const NO_DEPARTMENT = '-';

/**
 * A column compared without its own index. SQLite, without statistics, prefers an equality's
 * index (the town's 250,000 cases at 10^6) to the figure's covering index that starts at the
 * period (39 → 0.1 ms for a month by area at 10^5): an expression on the column is the usual way
 * to take that index out of its choice. PostgreSQL plans on statistics and reads the same index.
 */
const unindexed = (column: string) => Prisma.raw(column === 'ownerLevel' ? `(c."ownerLevel" + 0)` : `(c."${column}" || '')`);

/** The shared filters as SQL over `"Case" c`. */
function filterSql(q: CaseFilters): Prisma.Sql[] {
  return FILTER_KEYS.filter((k) => q[k] !== undefined).map((k) =>
    k === 'departmentId' && q.departmentId === NO_DEPARTMENT ? Prisma.sql`c."departmentId" IS NULL` : Prisma.sql`${unindexed(k === 'level' ? 'ownerLevel' : k)} = ${q[k]}`,
  );
}

/** The shared filters and the caller's scope, as SQL terms over `"Case" c`. */
function caseTerms(q: CaseFilters, principal: Principal): Prisma.Sql[] {
  const scope = scopeSql(principal);
  return [...filterSql(q), ...(scope ? [scope] : [])];
}

/** `AND` each term, after a WHERE that has its own (nothing when there are none). */
const andAll = (terms: Prisma.Sql[]) => (terms.length ? Prisma.sql`AND ${Prisma.join(terms, ' AND ')}` : Prisma.empty);

/** The rows the shared filters select (the case list applies the same). */
export function filterWhere(q: CaseFilters): Where {
  const w: Where = {};
  for (const k of FILTER_KEYS) {
    if (q[k] === undefined) continue;
    if (k === 'level') w.ownerLevel = q.level!;
    else if (k === 'departmentId' && q.departmentId === NO_DEPARTMENT) w.departmentId = null;
    else w[k] = q[k] as string;
  }
  return w;
}

const GROUP_COLUMN = {
  town: 'townId',
  area: 'areaId',
  building: 'buildingId',
  steward: 'ownerStewardId',
  department: 'departmentId',
  category: 'category',
  urgency: 'urgency',
  level: 'ownerLevel',
} as const satisfies Record<Group, string>;
// the list filter that selects one group's rows: the column's own name but for the owner's level
const groupFilter = (g: Group): keyof CaseFilters => (g === 'level' ? 'level' : GROUP_COLUMN[g]);

interface Figure {
  numerator?: number;
  denominator?: number;
  count?: number;
  /** numerator ÷ denominator, 4 decimals; null when nothing was due */
  rate?: number | null;
  /** the case list behind each count */
  cases: Partial<Record<Part, string>>;
}

const PART_ORDER: Part[] = ['numerator', 'denominator', 'count'];

export function createStats(db: Db) {
  /**
   * Every measure's counts over the window, grouped by one column or not: one statement per
   * measure, its numerator a conditional sum over the rows of its denominator, read from the
   * measure's covering index (its date, the numerator's column, then every grouping column).
   */
  async function countAll(q: CaseFilters, principal: Principal, w: Window, group: Group | null): Promise<Map<string, Record<string, number>>> {
    const out = new Map<string, Record<string, number>>();
    const selected = caseTerms(q, principal);
    await Promise.all(
      MEASURE_KEYS.map(async (key) => {
        const m = MEASURES[key];
        const terms = [Prisma.sql`c.${Prisma.raw(`"${m.at}"`)} >= ${w.from}`, Prisma.sql`c.${Prisma.raw(`"${m.at}"`)} < ${w.upTo}`, ...m.counted.map((c) => condSql(c, w)), ...selected];
        const numerator = m.numerator ? Prisma.sql`SUM(CASE WHEN ${Prisma.join(m.numerator.map((c) => condSql(c, w)), ' AND ')} THEN 1 ELSE 0 END)` : Prisma.sql`0`;
        const key_ = group ? Prisma.raw(`c."${GROUP_COLUMN[group]}"`) : Prisma.sql`''`;
        const rows = await db.$queryRaw<{ k: unknown; d: number | bigint; n: number | bigint | null }[]>`
          SELECT ${key_} AS k, COUNT(*) AS d, ${numerator} AS n FROM "Case" c WHERE ${Prisma.join(terms, ' AND ')} ${group ? Prisma.sql`GROUP BY ${key_}` : Prisma.empty}`;
        for (const r of rows) {
          const k = r.k === null || r.k === undefined ? '' : String(r.k);
          const row = out.get(k) ?? {};
          if (m.numerator) {
            row[`${key}.denominator`] = Number(r.d);
            row[`${key}.numerator`] = Number(r.n ?? 0);
          } else row[`${key}.count`] = Number(r.d);
          out.set(k, row);
        }
      }),
    );
    return out;
  }

  function figures(counts: Record<string, number> | undefined, link: (key: MeasureKey, part: Part) => string): Record<MeasureKey, Figure> {
    const out = {} as Record<MeasureKey, Figure>;
    for (const key of MEASURE_KEYS) {
      const f: Figure = { cases: {} };
      for (const part of PART_ORDER) {
        if (!partsOf(key).includes(part)) continue;
        f[part] = counts?.[`${key}.${part}`] ?? 0;
        f.cases[part] = link(key, part);
      }
      if (f.denominator !== undefined) f.rate = f.denominator ? Math.round((f.numerator! / f.denominator) * 10_000) / 10_000 : null;
      out[key] = f;
    }
    return out;
  }

  /** The caller's parameters that choose the rows, as the case list takes them. */
  function listLink(q: StatsQuery | StatsSeriesQuery, period: { period?: string; from?: string; to?: string }, asOf: Date, extra: Partial<Record<keyof CaseFilters, string | number>>) {
    return (key: MeasureKey, part: Part) => {
      const params = new URLSearchParams({ measure: key, part });
      for (const [k, v] of Object.entries(period)) if (v !== undefined) params.set(k, v);
      params.set('asOf', asOf.toISOString());
      for (const k of FILTER_KEYS) {
        const v = extra[k] ?? q[k];
        if (v !== undefined) params.set(k, String(v));
      }
      return `/api/cases?${params}`;
    };
  }

  async function groupNames(group: Group, keys: string[]): Promise<Map<string, string>> {
    if (group === 'urgency') return new Map(Object.entries(URGENCY_NAMES));
    if (group === 'level') return new Map(Object.entries(LEVEL_NAMES));
    const names = await namesById(db, group, keys.filter(Boolean));
    return group === 'department' ? names.set('', '未派单') : names;
  }

  const periodSpec = (q: { period?: string; from?: string; to?: string }) => (q.from !== undefined ? { from: q.from, to: q.to } : { period: q.period });
  const periodView = (p: Period, w: Window) => ({ label: p.label, from: p.from.toISOString(), to: p.to.toISOString(), countedUpTo: w.upTo.toISOString() });

  /** Every measure over one period: in total, and by group when asked. */
  async function rates(q: StatsQuery, principal: Principal) {
    const { asOf, period, w } = taken(q);
    const spec = periodSpec(q.period === undefined && q.from === undefined ? { period: period.label } : q);
    const counts = await countAll(q, principal, w, q.groupBy ?? null);
    const base = {
      period: periodView(period, w),
      asOf: asOf.toISOString(),
      definitions: Object.fromEntries(MEASURE_KEYS.map((k) => [k, { name: MEASURES[k].name, definition: MEASURES[k].definition }])),
    };
    if (!q.groupBy) return { ...base, total: figures(counts.get(''), listLink(q, spec, asOf, {})) };
    const group = q.groupBy;
    const names = await groupNames(group, [...counts.keys()]);
    const groups = [...counts.entries()]
      .map(([key, c]) => ({
        key: key || null,
        name: names.get(key) ?? key,
        figures: figures(c, listLink(q, spec, asOf, { [groupFilter(group)]: group === 'level' ? Number(key) : group === 'department' && !key ? NO_DEPARTMENT : key })),
      }))
      .sort((a, b) => (b.figures.response_rate.denominator ?? 0) - (a.figures.response_rate.denominator ?? 0) || String(a.key).localeCompare(String(b.key)));
    // the total is the groups' sum: each case has one value of the grouping column
    const sum: Record<string, number> = {};
    for (const c of counts.values()) for (const [k, n] of Object.entries(c)) sum[k] = (sum[k] ?? 0) + n;
    return { ...base, groupBy: group, total: figures(sum, listLink(q, spec, asOf, {})), groups };
  }

  /** Every measure per day, week, month, quarter or year of the period: the trend. */
  async function series(q: StatsSeriesQuery, principal: Principal) {
    const { asOf, period: range } = taken(q);
    const upTo = range.to < asOf ? range.to : asOf;
    const points = periodsOf(q.interval, range.from, upTo > range.from ? upTo : range.to, SERIES_MAX);
    if (typeof points === 'string') throw invalidField('query.interval', points);
    const out = [];
    for (const p of points) {
      const w = windowOf(p, asOf);
      const counts = await countAll(q, principal, w, null);
      out.push({ period: periodView(p, w), figures: figures(counts.get(''), listLink(q, { period: p.label }, asOf, {})) });
    }
    return { range: { label: range.label, from: range.from.toISOString(), to: range.to.toISOString() }, interval: q.interval, asOf: asOf.toISOString(), points: out };
  }

  /**
   * 超期 now: the overdue cases by the owner's level and by how long (working days), the overdue
   * department tasks by department and by how long; and, for the cases opened in the period, how
   * many were escalated to each level and how many 督办 reminders they drew.
   */
  async function overdue(q: StatsQuery, principal: Principal, cal: WorkingCalendar) {
    const { asOf, period } = taken(q);
    const scoped: Where = { AND: [filterWhere(q), caseScope(principal)] };
    const { overdueNow, running } = standingFilters(asOf);
    const overdueCases: Where = { AND: [overdueNow, scoped] };
    const bounds = AGE_BUCKETS.map((b) => ({ ...b, since: workingDaysBefore(asOf, b.days, cal) }));
    // how long: from the flag the worker set, or from the deadline the clock passed (a lagging worker)
    const overdueFrom = (range: { gt?: Date; lte?: Date }): Where => ({ OR: [{ overdue: true, overdueSince: range }, { overdue: false, ...running, currentDueAt: range }] });
    const ageRange = (i: number) => ({ ...(bounds[i] ? { gt: bounds[i]!.since } : {}), ...(i > 0 ? { lte: bounds[i - 1]!.since } : {}) });
    const [byLevel, byAge, opened, tasksByDepartment, taskAges] = await Promise.all([
      (db.case.groupBy as unknown as (a: object) => Promise<{ ownerLevel: number; _count: { _all: number } }[]>)({ by: ['ownerLevel'], where: overdueCases, _count: { _all: true } }),
      Promise.all([...bounds, null].map((_, i) => db.case.count({ where: { AND: [overdueCases, overdueFrom(ageRange(i))] } }))),
      db.case.aggregate({
        where: { AND: [scoped, { openedAt: { gte: period.from, lt: period.to } }] },
        _count: { _all: true },
        _sum: { reminders: true },
      }),
      (db.departmentTask.groupBy as unknown as (a: object) => Promise<{ departmentId: string; _count: { _all: number } }[]>)({
        by: ['departmentId'],
        where: { overdue: true, case: scoped },
        _count: { _all: true },
      }),
      Promise.all([...bounds, null].map((_, i) => db.departmentTask.count({ where: { overdue: true, case: scoped, overdueSince: ageRange(i) } }))),
    ]);
    const [toArea, toChief] = await Promise.all(
      (['escalationsToArea', 'escalationsToChief'] as const).map((c) => db.case.count({ where: { AND: [scoped, { openedAt: { gte: period.from, lt: period.to } }, { [c]: { gt: 0 } }] } })),
    );
    const ages = (counts: number[]) => counts.map((count, i) => ({ label: i < bounds.length ? bounds[i]!.label : `${bounds.at(-1)!.days} 个工作日以上`, count }));
    const departments = await groupNames('department', tasksByDepartment.map((t) => t.departmentId));
    const link = (extra: Record<string, string | number>) => `/api/cases?${new URLSearchParams({ overdue: 'true', ...Object.fromEntries(FILTER_KEYS.filter((k) => q[k] !== undefined).map((k) => [k, String(q[k])])), ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, String(v)])) })}`;
    return {
      asOf: asOf.toISOString(),
      cases: {
        total: byLevel.reduce((n, r) => n + r._count._all, 0),
        cases: link({}),
        byLevel: ([1, 2, 3] as const).map((level) => ({ level, name: LEVEL_NAMES[level], count: byLevel.find((r) => r.ownerLevel === level)?._count._all ?? 0, cases: link({ level }) })),
        byAge: ages(byAge),
      },
      departmentTasks: {
        total: tasksByDepartment.reduce((n, r) => n + r._count._all, 0),
        byDepartment: tasksByDepartment
          .map((r) => ({ departmentId: r.departmentId, name: departments.get(r.departmentId) ?? r.departmentId, count: r._count._all }))
          .sort((a, b) => b.count - a.count || a.departmentId.localeCompare(b.departmentId)),
        byAge: ages(taskAges),
      },
      openedInPeriod: {
        period: { label: period.label, from: period.from.toISOString(), to: period.to.toISOString() },
        cases: opened._count._all,
        escalatedToArea: toArea,
        escalatedToChief: toChief,
        reminders: opened._sum.reminders ?? 0,
      },
    };
  }

  /**
   * Workload per owner steward: open, at risk and overdue now; of the responses due in the period,
   * those acknowledged late and the median office time from intake to 签收; of the resolutions in
   * the period, the median office time from intake (pauses left out).
   */
  async function workload(q: StatsQuery, principal: Principal, cal: WorkingCalendar) {
    const { asOf, period, w } = taken(q);
    const andSelected = andAll(caseTerms(q, principal));
    // standing() (src/domain/clocks.ts) in SQL, over the unresolved cases only: a case past its
    // current deadline by the clock is overdue even before the worker flags it
    const due = Prisma.sql`(c."overdue" = ${true} OR (c."paused" = ${false} AND c."currentDueAt" <= ${asOf}))`;
    const warned = Prisma.sql`(c."atRisk" = ${true} OR (c."paused" = ${false} AND c."currentWarnAt" <= ${asOf}))`;
    const now = await db.$queryRaw<{ owner: string; open: number | bigint; overdue: number | bigint; atRisk: number | bigint }[]>`
      SELECT c."ownerStewardId" AS owner, COUNT(*) AS open,
        SUM(CASE WHEN ${due} THEN 1 ELSE 0 END) AS overdue,
        SUM(CASE WHEN NOT ${due} AND ${warned} THEN 1 ELSE 0 END) AS "atRisk"
      FROM "Case" c WHERE c."stage" IN (${Prisma.join([...UNRESOLVED_STAGES])}) ${andSelected}
      GROUP BY c."ownerStewardId"`;
    // acknowledged late: the response due (or given) in the period came after its deadline
    const lateRows = await db.$queryRaw<{ owner: string; late: number | bigint }[]>`
      SELECT c."ownerStewardId" AS owner, COUNT(*) AS late FROM "Case" c
      WHERE c."responseSettledAt" >= ${w.from} AND c."responseSettledAt" < ${w.upTo} AND c."responseOnTime" = ${false} AND c."ackWorkingMs" IS NOT NULL
        ${andSelected}
      GROUP BY c."ownerStewardId"`;
    const [ackMedians, resolveMedians] = await Promise.all([
      medianByOwner(db, 'ackWorkingMs', 'responseSettledAt', w, q, principal),
      medianByOwner(db, 'resolveWorkingMs', 'resolvedAt', w, q, principal),
    ]);
    const count = (rows: { owner: string }[], k: string) => new Map(rows.map((r) => [r.owner, Number((r as Record<string, unknown>)[k] ?? 0)]));
    const opens = count(now, 'open');
    const overdueMap = count(now, 'overdue');
    const atRisk = count(now, 'atRisk');
    const late = count(lateRows, 'late');
    const ids = [...new Set([...opens.keys(), ...overdueMap.keys(), ...late.keys(), ...ackMedians.keys(), ...resolveMedians.keys()])];
    const stewards = new Map((await db.steward.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, level: true } })).map((s) => [s.id, s]));
    const text = (ms: number | undefined) => (ms === undefined ? null : workingTimeText(ms, cal.hours));
    const rows = ids.map((id) => ({
      stewardId: id,
      name: stewards.get(id)?.name ?? id,
      level: stewards.get(id)?.level ?? null,
      open: opens.get(id) ?? 0,
      atRisk: atRisk.get(id) ?? 0,
      overdue: overdueMap.get(id) ?? 0,
      acknowledgedLate: late.get(id) ?? 0,
      medianAckWorkingMs: ackMedians.get(id) ?? null,
      medianAckText: text(ackMedians.get(id)),
      medianResolveWorkingMs: resolveMedians.get(id) ?? null,
      medianResolveText: text(resolveMedians.get(id)),
      cases: `/api/cases?ownerStewardId=${encodeURIComponent(id)}`,
      openCases: `/api/cases?ownerStewardId=${encodeURIComponent(id)}&open=true`,
    }));
    rows.sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.stewardId.localeCompare(b.stewardId));
    return { period: periodView(period, w), asOf: asOf.toISOString(), stewards: rows };
  }

  /** Department performance: tasks dispatched, replied (on time), returned (退单, with the reasons) in the period; overdue now. */
  async function departments(q: StatsQuery, principal: Principal) {
    const { asOf, period, w } = taken(q);
    const andSelected = andAll(caseTerms(q, principal));
    // each count reads the tasks of the period on the task's own date index, then their case (scope)
    const taskCounts = async (terms: Prisma.Sql, extra: Prisma.Sql = Prisma.sql`0`) => {
      const rows = await db.$queryRaw<{ department: string; n: number | bigint; m: number | bigint | null }[]>`
        SELECT t."departmentId" AS department, COUNT(*) AS n, SUM(${extra}) AS m
        FROM "DepartmentTask" t JOIN "Case" c ON c."id" = t."caseId"
        WHERE ${terms} ${andSelected} GROUP BY t."departmentId"`;
      return new Map(rows.map((r) => [r.department, { n: Number(r.n), m: Number(r.m ?? 0) }]));
    };
    const inWindow = (column: string) => Prisma.sql`t.${Prisma.raw(`"${column}"`)} >= ${w.from} AND t.${Prisma.raw(`"${column}"`)} < ${w.upTo}`;
    const [sent, answered, back, late] = await Promise.all([
      taskCounts(inWindow('dispatchedAt')),
      taskCounts(inWindow('repliedAt'), Prisma.sql`CASE WHEN t."repliedOnTime" = ${true} THEN 1 ELSE 0 END`),
      taskCounts(inWindow('returnedAt')),
      taskCounts(Prisma.sql`t."overdue" = ${true}`),
    ]);
    const reasons = await db.$queryRaw<{ departmentId: string; returnReason: string | null; n: number | bigint }[]>`
      SELECT t."departmentId" AS "departmentId", t."returnReason" AS "returnReason", COUNT(*) AS n
      FROM "DepartmentTask" t JOIN "Case" c ON c."id" = t."caseId"
      WHERE ${inWindow('returnedAt')} ${andSelected} GROUP BY t."departmentId", t."returnReason"`;
    const counts = (m: Map<string, { n: number }>) => new Map([...m].map(([k, v]) => [k, v.n]));
    const dispatched = counts(sent);
    const replied = counts(answered);
    const onTime = new Map([...answered].map(([k, v]) => [k, v.m]));
    const returned = counts(back);
    const overdueNow = counts(late);
    const ids = [...new Set([...dispatched.keys(), ...replied.keys(), ...returned.keys(), ...overdueNow.keys()])];
    const names = await groupNames('department', ids);
    const rows = ids.map((id) => {
      const r = replied.get(id) ?? 0;
      const t = onTime.get(id) ?? 0;
      return {
        departmentId: id,
        name: names.get(id) ?? id,
        dispatched: dispatched.get(id) ?? 0,
        replied: r,
        repliedOnTime: t,
        onTimeRate: r ? Math.round((t / r) * 10_000) / 10_000 : null,
        returned: returned.get(id) ?? 0,
        returnReasons: reasons
          .filter((x) => x.departmentId === id)
          .map((x) => ({ reason: x.returnReason ?? '', count: Number(x.n) }))
          .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
          .slice(0, 10),
        overdueNow: overdueNow.get(id) ?? 0,
        cases: `/api/cases?departmentId=${encodeURIComponent(id)}`,
      };
    });
    rows.sort((a, b) => b.dispatched - a.dispatched || a.departmentId.localeCompare(b.departmentId));
    return { period: periodView(period, w), asOf: asOf.toISOString(), departments: rows };
  }

  return { rates, series, overdue, workload, departments };
}

/** How long a case has been overdue, in working days on the district's calendar. */
const AGE_BUCKETS = [
  { days: 1, label: '1 个工作日内' },
  { days: 3, label: '1–3 个工作日' },
  { days: 5, label: '3–5 个工作日' },
] as const;

/** The latest instant from which `now` lies `days` working days on (office time, on this calendar). */
export function workingDaysBefore(now: Date, days: number, cal: WorkingCalendar): Date {
  const want = days * workingMinutesPerDay(cal.hours) * 60_000;
  let lo = now.getTime() - (days * 3 + 40) * 86_400_000; // far enough back past any holiday
  let hi = now.getTime();
  while (hi - lo > 60_000) {
    const mid = Math.floor((lo + hi) / 2);
    if (workingMsBetween(new Date(mid), now, cal) >= want) lo = mid;
    else hi = mid;
  }
  return new Date(lo);
}

/**
 * The median of a duration column per owner steward over the cases whose `at` column falls in the
 * window: one statement, ranked by a window function (SQLite and PostgreSQL alike).
 */
async function medianByOwner(db: Db, column: 'ackWorkingMs' | 'resolveWorkingMs', at: 'responseSettledAt' | 'resolvedAt', w: Window, q: CaseFilters, principal: Principal): Promise<Map<string, number>> {
  const terms: Prisma.Sql[] = [
    Prisma.sql`c.${Prisma.raw(`"${at}"`)} >= ${w.from}`,
    Prisma.sql`c.${Prisma.raw(`"${at}"`)} < ${w.upTo}`,
    Prisma.sql`c.${Prisma.raw(`"${column}"`)} IS NOT NULL`,
  ];
  terms.push(...caseTerms(q, principal));
  const rows = await db.$queryRaw<{ owner: string; median: number | bigint | string }[]>`
    SELECT owner, AVG(v) AS median FROM (
      SELECT c."ownerStewardId" AS owner, c.${Prisma.raw(`"${column}"`)} AS v,
        ROW_NUMBER() OVER (PARTITION BY c."ownerStewardId" ORDER BY c.${Prisma.raw(`"${column}"`)}) AS rn,
        COUNT(*) OVER (PARTITION BY c."ownerStewardId") AS n
      FROM "Case" c WHERE ${Prisma.join(terms, ' AND ')}
    ) ranked WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY owner`;
  return new Map(rows.map((r) => [r.owner, Math.round(Number(r.median))]));
}

/** caseScope (src/auth/scope.ts) as SQL over `"Case" c`, for the statements Prisma's API cannot write (the figures read their own index: see unindexed); null: everything. */
export function scopeSql(principal: Principal): Prisma.Sql | null {
  const parts = caseScopeParts(principal);
  if (parts === 'all') return null;
  if (!parts.length) return Prisma.sql`1 = 0`;
  const any = parts.map((part) => {
    const [column, value] = Object.entries(part)[0] as [string, unknown];
    if (column === 'stewards') {
      const ids = (value as { some: { stewardId: { in: string[] } } }).some.stewardId.in;
      return Prisma.sql`EXISTS (SELECT 1 FROM "CaseSteward" s WHERE s."caseId" = c."id" AND s."stewardId" IN (${Prisma.join(ids)}))`;
    }
    if (column === 'tasks') {
      const ids = (value as { some: { departmentId: { in: string[] } } }).some.departmentId.in;
      return Prisma.sql`EXISTS (SELECT 1 FROM "DepartmentTask" t WHERE t."caseId" = c."id" AND t."departmentId" IN (${Prisma.join(ids)}))`;
    }
    if (!['enterpriseId', 'areaId', 'buildingId', 'townId'].includes(column)) throw new Error(`scopeSql: no SQL for the scope part ${column}`);
    const values = typeof value === 'string' ? [value] : (value as { in: string[] }).in;
    return Prisma.sql`${unindexed(column)} IN (${Prisma.join(values)})`;
  });
  return Prisma.sql`(${Prisma.join(any, ' OR ')})`;
}

/** A trend longer than this many points is refused: ask for a longer interval. */
export const SERIES_MAX = 62;

export type Stats = ReturnType<typeof createStats>;
