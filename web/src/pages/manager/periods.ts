/** The periods a manager picks from, labelled as the API takes them (2026-11, 2026-W48, 2026-Q4, 2026), named in Chinese. */
import { dateLabel, parsePeriod, periodsOf, type Period } from '../../../../src/domain/periods';

export type Kind = 'month' | 'week' | 'quarter' | 'year';
export const KINDS: { value: Kind; label: string }[] = [
  { value: 'month', label: '按月' },
  { value: 'week', label: '按周' },
  { value: 'quarter', label: '按季度' },
  { value: 'year', label: '按年' },
];
const HOW_MANY: Record<Kind, number> = { month: 24, week: 26, quarter: 12, year: 6 };

export function kindOf(label: string): Kind | undefined {
  if (/^\d{4}-\d{2}$/.test(label)) return 'month';
  if (/^\d{4}-W\d{2}$/.test(label)) return 'week';
  if (/^\d{4}-Q[1-4]$/.test(label)) return 'quarter';
  if (/^\d{4}$/.test(label)) return 'year';
  return undefined;
}

const one = (kind: Kind, at: Date) => (periodsOf(kind, at, new Date(at.getTime() + 1), 1) as Period[])[0]!;
export const currentPeriod = (kind: Kind, now = new Date()) => one(kind, now).label;

/** This period and the ones before it, newest first. */
export function recentPeriods(kind: Kind, now = new Date()): string[] {
  const out = [one(kind, now)];
  while (out.length < HOW_MANY[kind]) out.push(one(kind, new Date(out.at(-1)!.from.getTime() - 1)));
  return out.map((p) => p.label);
}

const md = (t: Date) => dateLabel(t).slice(5).replace('-', '/');
/** 2026年11月, 2026年第48周（11/23–11/29）, 2026年第4季度, 2026年 */
export function periodName(label: string): string {
  const p = parsePeriod(label);
  if (typeof p === 'string') return label;
  let m: RegExpMatchArray | null;
  if ((m = /^(\d{4})-(\d{2})$/.exec(label))) return `${m[1]}年${Number(m[2])}月`;
  if ((m = /^(\d{4})-W(\d{2})$/.exec(label))) return `${m[1]}年第${Number(m[2])}周（${md(p.from)}–${md(new Date(p.to.getTime() - 1))}）`;
  if ((m = /^(\d{4})-Q([1-4])$/.exec(label))) return `${m[1]}年第${m[2]}季度`;
  if (/^\d{4}$/.test(label)) return `${label}年`;
  return label;
}

/** The trend around a period: its year by month or by quarter, the 12 weeks up to a week, the 5 years up to a year. */
export function trendOf(label: string): { title: string; query: Record<string, string> } {
  const kind = kindOf(label) ?? 'month';
  const year = label.slice(0, 4);
  if (kind === 'month') return { title: `${year}年逐月趋势`, query: { period: year, interval: 'month' } };
  if (kind === 'quarter') return { title: `${year}年逐季趋势`, query: { period: year, interval: 'quarter' } };
  if (kind === 'year') return { title: '近五年趋势', query: { from: `${Number(year) - 4}-01-01`, to: `${year}-12-31`, interval: 'year' } };
  const p = parsePeriod(label) as Period;
  const from = new Date(p.from.getTime() - 11 * 7 * 86_400_000);
  return { title: '近 12 周趋势', query: { from: dateLabel(from), to: dateLabel(new Date(p.to.getTime() - 1)), interval: 'week' } };
}

/** The period a URL asked for, when it is one of the kinds offered. */
export function periodFromUrl(): string | undefined {
  const p = new URLSearchParams(location.search).get('period') ?? undefined;
  return p && kindOf(p) && typeof parsePeriod(p) !== 'string' ? p : undefined;
}

/** Keeps the page's choices in its address (back from a case returns to them) without a new history entry. */
export function rememberInUrl(params: Record<string, string | undefined>) {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(params)) {
    if (v) q.set(k, v);
    else q.delete(k);
  }
  const s = q.toString();
  history.replaceState(history.state, '', `${location.pathname}${s ? `?${s}` : ''}`);
}
