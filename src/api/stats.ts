/**
 * The managers' figures: every measure of src/api/measures.ts over a period, in total, by group
 * and as a trend, counted by the database (COUNT … GROUP BY on the facts' indexes), scoped like
 * every other read, each numerator and denominator linked to the list of the cases it counts.
 */
import type { Db } from '../db/client';
import type { Prisma } from '../generated/sqlite/client';
import { LEVEL_NAMES } from '../domain/case-model';
import { BEIJING_OFFSET } from '../domain/working-time';
import { dayRange, parsePeriod, type Period, periodsOf } from '../domain/periods';
import type { Principal } from '../auth/principal';
import { caseScope } from '../auth/scope';
import { invalidField } from './errors';
import { type MeasureKey, MEASURE_KEYS, MEASURES, measureWhere, type Part, type Window, windowOf } from './measures';
import type { Group, StatsQuery, StatsSeriesQuery } from './schemas';

type Where = Prisma.CaseWhereInput;

/** The period a query names (period, or from/to), this month in Beijing by default. */
export function resolvePeriod(q: { period?: string; from?: string; to?: string }, now: Date): Period {
  const p = q.period !== undefined ? parsePeriod(q.period) : q.from !== undefined && q.to !== undefined ? dayRange(q.from, q.to) : parsePeriod(thisMonth(now));
  if (typeof p === 'string') throw invalidField(q.period !== undefined ? 'query.period' : 'query.to', p);
  return p;
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

/** The rows the shared filters select (the case list applies the same). */
export function filterWhere(q: CaseFilters): Where {
  const w: Where = {};
  for (const k of FILTER_KEYS) {
    if (q[k] === undefined) continue;
    if (k === 'level') w.ownerLevel = q.level!;
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
// the list filter that selects one group's rows
const GROUP_FILTER: Record<Group, keyof CaseFilters> = {
  town: 'townId',
  area: 'areaId',
  building: 'buildingId',
  steward: 'ownerStewardId',
  department: 'departmentId',
  category: 'category',
  urgency: 'urgency',
  level: 'level',
};
const URGENCY_NAMES: Record<string, string> = { normal: '普通', urgent: '紧急' };

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
  /** One COUNT per part of every measure, grouped by one column or not. */
  async function countAll(where: Where, w: Window, column: string | null): Promise<Map<string, Record<string, number>>> {
    const out = new Map<string, Record<string, number>>();
    const add = (key: string, name: string, n: number) => {
      const row = out.get(key) ?? {};
      row[name] = (row[name] ?? 0) + n;
      out.set(key, row);
    };
    const tasks: Promise<void>[] = [];
    for (const key of MEASURE_KEYS) {
      for (const part of PART_ORDER) {
        const partWhere = measureWhere(key, part, w);
        if (!partWhere) continue;
        const all = { AND: [partWhere, where] };
        const name = `${key}.${part}`;
        tasks.push(
          column
            ? (db.case.groupBy as (a: object) => Promise<Record<string, unknown>[]>)({ by: [column], where: all, _count: { _all: true } }).then((rows) => {
                for (const r of rows) add(String(r[column] ?? ''), name, (r._count as { _all: number })._all);
              })
            : db.case.count({ where: all }).then((n) => add('', name, n)),
        );
      }
    }
    await Promise.all(tasks);
    return out;
  }

  function figures(counts: Record<string, number> | undefined, link: (key: MeasureKey, part: Part) => string): Record<MeasureKey, Figure> {
    const out = {} as Record<MeasureKey, Figure>;
    for (const key of MEASURE_KEYS) {
      const f: Figure = { cases: {} };
      for (const part of PART_ORDER) {
        if (!MEASURES[key].parts[part]) continue;
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
    const ids = keys.filter(Boolean);
    const pairs = (rows: { id: string; name: string }[]) => new Map(rows.map((r) => [r.id, r.name]));
    switch (group) {
      case 'town':
        return pairs(await db.town.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }));
      case 'area':
        return pairs(await db.area.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }));
      case 'building':
        return pairs(await db.building.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }));
      case 'steward':
        return pairs(await db.steward.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }));
      case 'department':
        return new Map([['', '未派单'], ...pairs(await db.department.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }))]);
      case 'category': {
        const items = await db.catalogueItem.findMany({ where: { code: { in: ids } }, select: { code: true, name: true, version: true }, orderBy: { version: 'asc' } });
        return new Map(items.map((i) => [i.code, i.name]));
      }
      case 'urgency':
        return new Map(Object.entries(URGENCY_NAMES));
      case 'level':
        return new Map(Object.entries(LEVEL_NAMES).map(([k, v]) => [k, v]));
    }
  }

  const periodSpec = (q: { period?: string; from?: string; to?: string }) => (q.from !== undefined ? { from: q.from, to: q.to } : { period: q.period });
  const periodView = (p: Period, w: Window) => ({ label: p.label, from: p.from.toISOString(), to: p.to.toISOString(), countedUpTo: w.upTo.toISOString() });

  /** Every measure over one period: in total, and by group when asked. */
  async function rates(q: StatsQuery, principal: Principal) {
    const asOf = q.asOf ? new Date(q.asOf) : new Date();
    const period = resolvePeriod(q, asOf);
    const spec = periodSpec(q.period === undefined && q.from === undefined ? { period: period.label } : q);
    const w = windowOf(period, asOf);
    const where: Where = { AND: [filterWhere(q), caseScope(principal)] };
    const column = q.groupBy ? GROUP_COLUMN[q.groupBy] : null;
    const counts = await countAll(where, w, column);
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
        figures: figures(c, listLink(q, spec, asOf, { [GROUP_FILTER[group]]: group === 'level' ? Number(key) : key })),
      }))
      .sort((a, b) => (b.figures.response_rate.denominator ?? 0) - (a.figures.response_rate.denominator ?? 0) || String(a.key).localeCompare(String(b.key)));
    // the total is the groups' sum: each case has one value of the grouping column
    const sum: Record<string, number> = {};
    for (const c of counts.values()) for (const [k, n] of Object.entries(c)) sum[k] = (sum[k] ?? 0) + n;
    return { ...base, groupBy: group, total: figures(sum, listLink(q, spec, asOf, {})), groups };
  }

  /** Every measure per day, week, month, quarter or year of the period: the trend. */
  async function series(q: StatsSeriesQuery, principal: Principal) {
    const asOf = q.asOf ? new Date(q.asOf) : new Date();
    const range = resolvePeriod(q, asOf);
    const upTo = range.to < asOf ? range.to : asOf;
    const points = periodsOf(q.interval, range.from, upTo > range.from ? upTo : range.to, SERIES_MAX);
    if (typeof points === 'string') throw invalidField('query.interval', points);
    const where: Where = { AND: [filterWhere(q), caseScope(principal)] };
    const out = [];
    for (const p of points) {
      const w = windowOf(p, asOf);
      const counts = await countAll(where, w, null);
      out.push({ period: periodView(p, w), figures: figures(counts.get(''), listLink(q, { period: p.label }, asOf, {})) });
    }
    return { range: { label: range.label, from: range.from.toISOString(), to: range.to.toISOString() }, interval: q.interval, asOf: asOf.toISOString(), points: out };
  }

  return { rates, series };
}

/** A trend longer than this many points is refused: ask for a longer interval. */
export const SERIES_MAX = 62;

export type Stats = ReturnType<typeof createStats>;
