/** The bench's rows: product, floor (or baseline), the ratio over repetitions, the goal, and the table. */
import { type Spread, spread } from './stats';

export interface Row {
  figure: string;
  unit: string;
  product: Spread;
  /** the floor, or for product-only figures the recorded baseline */
  against: Spread;
  againstLabel: 'floor' | 'baseline' | '—';
  /** product ÷ against, per repetition */
  ratio: Spread;
  goal: string;
  /** whether the median meets the goal; undefined: no goal (information) */
  meets?: boolean;
}

/** A row comparing per-repetition values pairwise: ratio_r = product_r / against_r. */
export function ratioRow(
  figure: string,
  unit: string,
  product: number[],
  against: number[],
  againstLabel: Row['againstLabel'],
  goal?: { text: string; test: (medianRatio: number, p: Spread) => boolean },
): Row {
  const ratios = product.map((p, i) => (against[i] !== undefined && against[i] !== 0 ? p / against[i]! : Number.NaN));
  const row: Row = { figure, unit, product: spread(product), against: spread(against), againstLabel, ratio: spread(ratios), goal: goal?.text ?? '—' };
  if (goal) row.meets = goal.test(row.ratio.median, row.product);
  return row;
}

const fmt = (v: number, unit: string): string => {
  if (!Number.isFinite(v)) return '—';
  if (unit === '' && Number.isInteger(v)) return String(v);
  if (unit === 'B') return v >= 10_000 ? `${(v / 1024).toFixed(0)} KiB` : `${v.toFixed(0)} B`;
  if (unit === 'MiB') return `${v.toFixed(0)} MiB`;
  if (unit === 'KiB') return `${v.toFixed(1)} KiB`;
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
};

const cell = (s: Spread, unit: string) => (s.values.length > 1 && s.min !== s.max ? `${fmt(s.median, unit)} (${fmt(s.min, unit)}–${fmt(s.max, unit)})` : fmt(s.median, unit));
const ratioCell = (s: Spread) => (!Number.isFinite(s.median) ? '—' : s.values.length > 1 ? `${s.min.toFixed(2)} / ${s.median.toFixed(2)} / ${s.max.toFixed(2)}` : s.median.toFixed(2));

/** A compact plain-text table (median, with min–max over repetitions where they differ). */
export function table(rows: Row[]): string {
  const head = ['figure', 'product', 'floor / baseline', 'ratio min / median / max', 'goal', 'met'];
  const body = rows.map((r) => [
    r.figure,
    cell(r.product, r.unit),
    r.againstLabel === '—' ? '—' : `${cell(r.against, r.unit)}${r.againstLabel === 'baseline' ? ' (baseline)' : ''}`,
    ratioCell(r.ratio),
    r.goal,
    r.meets === undefined ? '' : r.meets ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(width(h), ...body.map((b) => width(b[i]!))));
  const line = (cols: string[]) => cols.map((c, i) => c + ' '.repeat(widths[i]! - width(c))).join(' | ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');
}

/** display width: CJK characters take two columns */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}
