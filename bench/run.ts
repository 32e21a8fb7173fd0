/**
 * npm run bench — what a case costs, beside a floor, on this machine, in one run.
 *
 * The product runs as in the API tests (tests/helpers/stack.ts: a real Temporal dev server, the case
 * worker, SQLite, the Express app with real bearer tokens). The floor (bench/floor) is a workflow of
 * the bench's own with the same Temporal steps and one database write per step, on its own worker and
 * task queue, on the same dev server, database file and process, behind a bare node:http front.
 * Batches alternate product, floor, product, … and each figure is the product ÷ floor ratio of the
 * same repetition, reported as min / median / max over the repetitions; the goals apply to the median.
 *
 *   1  CPU per case, open → closed, all processes (this process + dev server + OpenID provider)
 *   2  cases/s, open → closed, concurrency 10
 *   3  one action over HTTP at concurrency 1 (acknowledge / the floor's first update): p50, p99
 *   4  a burst of deadlines falling together: lag deadline → escalation in the read model; none lost
 *   5  history per case (time-skipping server), product only, against bench/baseline.json
 *   6  (--full) memory with 0 → N open cases, and an action on the oldest of them
 *
 * Options: --reps 3  --cases 40  --concurrency 10  --samples 100  --burst 500  --burst-reps <reps>
 *          --full (adds a 2,000-deadline burst and figure 6)  --open-cases 10000  --open-floor-cases <n>  --only cases,action,burst,history,open
 *          --record-baseline (writes bench/baseline.json from this run)  --label <text>
 * Results: a table on stdout and bench/results/<timestamp>.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { actionBatch, type BurstBatch, type CaseBatch, caseBatch, floorBurst, type LatencyBatch, type OpenCasesFigure, openCasesFigure, productBurst } from './lib/figures';
import { type HistoryFigure, historyRep, type HistoryResult } from './lib/history';
import { ratioRow, type Row, table } from './lib/report';
import { Observer, startFloorSide, startProduct } from './lib/sides';

const { values: args } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    cases: { type: 'string', default: '40' },
    concurrency: { type: 'string', default: '10' },
    samples: { type: 'string', default: '100' },
    burst: { type: 'string', default: '500' },
    'burst-reps': { type: 'string' },
    full: { type: 'boolean', default: false },
    'open-cases': { type: 'string', default: '10000' },
    'open-floor-cases': { type: 'string' },
    only: { type: 'string' },
    'record-baseline': { type: 'boolean', default: false },
    label: { type: 'string' },
  },
});
const REPS = Number(args.reps);
const CASES = Number(args.cases);
const CONCURRENCY = Number(args.concurrency);
const SAMPLES = Number(args.samples);
const BURST = Number(args.burst);
const BURST_REPS = Number(args['burst-reps'] ?? REPS);
const FULL = args.full!;
const OPEN_CASES = Number(args['open-cases']);
const OPEN_FLOOR_CASES = Number(args['open-floor-cases'] ?? OPEN_CASES);
const ONLY = new Set((args.only ?? 'cases,action,burst,history,open').split(','));
const FOLLOW_UP_DELAY_MS = 1000;
const BENCH_DIR = __dirname;
const BASELINE_FILE = path.join(BENCH_DIR, 'baseline.json');

const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
const ms = (v: number) => `${v.toFixed(0)} ms`;

function git(...a: string[]): string | undefined {
  try {
    return execFileSync('git', a, { cwd: path.join(BENCH_DIR, '..'), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return undefined;
  }
}

function meta() {
  const commit = git('rev-parse', 'HEAD');
  // the checkout is shared: say which code was measured, including edits not committed yet
  const uncommitted = git('status', '--porcelain', '--', 'src', 'prisma', 'bench/floor')?.split('\n').filter(Boolean) ?? [];
  return {
    label: args.label ?? commit ?? 'unknown (not a git checkout)',
    commit: commit ?? null,
    uncommitted,
    startedAt: new Date().toISOString(),
    node: process.version,
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`,
    loadAverageAtStart: os.loadavg(),
    options: { reps: REPS, cases: CASES, concurrency: CONCURRENCY, samples: SAMPLES, burst: BURST, burstReps: BURST_REPS, full: FULL, openCases: OPEN_CASES, only: [...ONLY] },
  };
}

interface Baseline {
  label: string;
  recordedAt: string;
  history: { dispatched: HistoryFigure; reminders: HistoryFigure };
  summary?: unknown;
}

async function main() {
  const info = meta();
  log(`bench on ${info.label}${info.uncommitted.length ? ` + uncommitted: ${info.uncommitted.join(', ')}` : ''}; ${info.cpus}; load ${info.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}`);
  if (info.loadAverageAtStart[0]! > os.cpus().length) {
    log(`WARNING: the machine is busy (load ${info.loadAverageAtStart[0]!.toFixed(1)} on ${os.cpus().length} cores): the ratios still compare batches run side by side, absolute figures are not this machine's own`);
  }
  const raw = {
    cases: { product: [] as CaseBatch[], floor: [] as CaseBatch[] },
    action: { product: [] as LatencyBatch[], floor: [] as LatencyBatch[] },
    burst: { product: [] as BurstBatch[], floor: [] as BurstBatch[] },
    burstFull: { product: [] as BurstBatch[], floor: [] as BurstBatch[] },
    openCases: undefined as OpenCasesFigure | undefined,
    history: [] as HistoryResult[],
  };

  const live = ['cases', 'action', 'burst', 'open'].some((f) => ONLY.has(f));
  if (live) {
    const product = await startProduct(FOLLOW_UP_DELAY_MS / 1000);
    const floor = await startFloorSide(product.stack, FOLLOW_UP_DELAY_MS);
    const observer = await Observer.connect(product.stack.address);
    const db = product.stack.db;
    const sides = [product, floor] as const;
    try {
      log('warm-up (not measured): 10 cases and 10 actions per side');
      for (const side of sides) await caseBatch(side, observer, 10, CONCURRENCY, FOLLOW_UP_DELAY_MS);
      for (const side of sides) await actionBatch(side, observer, db, 10);

      for (let r = 1; r <= REPS; r++) {
        if (ONLY.has('cases')) {
          for (const side of sides) {
            const b = await caseBatch(side, observer, CASES, CONCURRENCY, FOLLOW_UP_DELAY_MS);
            raw.cases[side.name].push(b);
            log(`rep ${r}/${REPS} ${side.name.padEnd(7)} ${CASES} cases open → closed: ${b.wallS.toFixed(1)} s, ${b.casesPerS.toFixed(2)} cases/s, CPU ${ms(b.cpuPerCaseMs)}/case (this process ${ms(b.cpu.selfMs / CASES)}, dev server ${ms(b.cpu.serverMs / CASES)}, other ${ms(b.cpu.otherMs / CASES)}: ${Object.entries(b.cpu.otherByName).map(([k, v]) => `${k} ${ms(v / CASES)}`).join(', ')})`);
          }
        }
        if (ONLY.has('action')) {
          for (const side of sides) {
            const b = await actionBatch(side, observer, db, SAMPLES);
            raw.action[side.name].push(b);
            log(`rep ${r}/${REPS} ${side.name.padEnd(7)} ${SAMPLES} actions at concurrency 1: p50 ${b.p50.toFixed(1)} ms, p99 ${b.p99.toFixed(1)} ms, max ${b.max.toFixed(1)} ms (opened at ${b.openRate.toFixed(1)}/s)`);
          }
        }
      }

      // the burst's response deadline: after the last open (at the slowest open rate seen in figure 3, with a margin)
      const openRate = (name: 'product' | 'floor', fallback: number) => (raw.action[name].length ? Math.min(...raw.action[name].map((b) => b.openRate)) : fallback);
      const burst = async (k: number, reps: number, into: { product: BurstBatch[]; floor: BurstBatch[] }) => {
        for (let r = 1; r <= reps; r++) {
          const responseS = Math.ceil((1.5 * k) / openRate('product', 10)) + 5;
          const p = await productBurst(product, observer, k, responseS);
          into.product.push(p);
          log(`burst ${k} rep ${r}/${reps} product: opened in ${p.openS.toFixed(1)} s, deadlines over ${p.spanS.toFixed(1)} s (response ${responseS} s${p.overlapped ? ', OVERLAPPED the opening' : ''}); lag p50 ${ms(p.p50)} p99 ${ms(p.p99)} max ${ms(p.max)}; ${p.escalated}/${k} escalated, ${p.lost} lost, ${p.duplicated} duplicated${resolution(p)}`);
          const f = await floorBurst(floor, db, p.offsetsMs);
          into.floor.push(f);
          log(`burst ${k} rep ${r}/${reps} floor:   opened in ${f.openS.toFixed(1)} s, deadlines over ${f.spanS.toFixed(1)} s${f.overlapped ? ' (OVERLAPPED the arming)' : ''}; lag p50 ${ms(f.p50)} p99 ${ms(f.p99)} max ${ms(f.max)}; ${f.escalated}/${k} fired, ${f.lost} lost${resolution(f)}`);
        }
      };
      if (ONLY.has('burst')) {
        await burst(BURST, BURST_REPS, raw.burst);
        if (FULL && BURST !== 2000) await burst(2000, 1, raw.burstFull);
      }
      if (FULL && ONLY.has('open')) {
        log(`figure 6: ${OPEN_CASES} open product cases, ${OPEN_FLOOR_CASES} floor cases`);
        raw.openCases = await openCasesFigure(product, floor, OPEN_CASES, OPEN_FLOOR_CASES, 50, log);
        const o = raw.openCases;
        log(`  bench process RSS ${mib(o.benchRss.before)} → ${mib(o.benchRss.afterProduct)} (product) → ${mib(o.benchRss.afterFloor)} (floor); dev server ${mib(o.devServerRss.before)} → ${mib(o.devServerRss.afterProduct)} → ${mib(o.devServerRss.afterFloor)}`);
        log(`  acknowledge on the oldest: product p50 ${o.productAck.p50.toFixed(1)} ms, floor p50 ${o.floorUpdate.p50.toFixed(1)} ms`);
      }
    } finally {
      await observer.close();
      await floor.stop();
      await product.stop();
    }
  }

  if (ONLY.has('history')) {
    for (let r = 1; r <= REPS; r++) {
      const h = await historyRep();
      raw.history.push(h);
      log(`history rep ${r}/${REPS}: dispatched ${h.dispatched.events} events ${kib(h.dispatched.storedBytes)} stored / ${kib(h.dispatched.plainBytes)} decoded, largest payload ${h.dispatched.largestPayload.bytes} B (${h.dispatched.largestPayload.where}); ${h.reminders.note}: ${h.reminders.events} events ${kib(h.reminders.storedBytes)} / ${kib(h.reminders.plainBytes)}, largest ${h.reminders.largestPayload.bytes} B (${h.reminders.largestPayload.where})`);
    }
  }

  const baseline: Baseline | undefined = existsSync(BASELINE_FILE) ? JSON.parse(readFileSync(BASELINE_FILE, 'utf8')) : undefined;
  const rows = summarize(raw, baseline);
  console.log(`\n${table(rows)}\n`);
  for (const b of [...raw.burst.product, ...raw.burst.floor, ...raw.burstFull.product, ...raw.burstFull.floor].filter((x) => x.overlapped)) {
    console.log(`note: a ${b.k}-deadline burst rep began before its opening (or the floor's arming) ended; its lags include that load`);
  }
  if (baseline) console.log(`baseline: ${baseline.label}, recorded ${baseline.recordedAt}`);
  console.log(`measured: ${info.label}${info.uncommitted.length ? ` + uncommitted ${info.uncommitted.join(', ')}` : ''}; load average now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  const out = { meta: { ...info, finishedAt: new Date().toISOString(), loadAverageAtEnd: os.loadavg() }, rows, raw };
  const dir = path.join(BENCH_DIR, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${info.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(out, null, 1));
  console.log(`results: ${path.relative(process.cwd(), file)}`);

  if (args['record-baseline']) {
    if (!raw.history.length) throw new Error('--record-baseline needs the history figure');
    const pick = (k: 'dispatched' | 'reminders') => medianFigure(raw.history.map((h) => h[k]));
    const b: Baseline = { label: info.label, recordedAt: info.startedAt, history: { dispatched: pick('dispatched'), reminders: pick('reminders') }, summary: rows };
    writeFileSync(BASELINE_FILE, JSON.stringify(b, null, 1) + '\n');
    console.log(`baseline written: ${path.relative(process.cwd(), BASELINE_FILE)}`);
  }
}

/** a written time that is always a whole second means the column keeps seconds only: the lag is then ±1 s noise */
const resolution = (b: BurstBatch) => (b.wholeSecondShare > 0.2 ? `; WARNING: ${(100 * b.wholeSecondShare).toFixed(0)} % of the written times are whole seconds — the column does not keep milliseconds, the lag is not measurable` : '');
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;

/** the repetition whose stored bytes are the median (events and bytes then come from one real case) */
function medianFigure(figs: HistoryFigure[]): HistoryFigure {
  const sorted = [...figs].sort((a, b) => a.storedBytes - b.storedBytes);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function summarize(raw: {
  cases: { product: CaseBatch[]; floor: CaseBatch[] };
  action: { product: LatencyBatch[]; floor: LatencyBatch[] };
  burst: { product: BurstBatch[]; floor: BurstBatch[] };
  burstFull: { product: BurstBatch[]; floor: BurstBatch[] };
  openCases?: OpenCasesFigure;
  history: HistoryResult[];
}, baseline?: Baseline): Row[] {
  const rows: Row[] = [];
  const atMost = (x: number) => ({ text: `≤ ${x}×`, test: (m: number) => m <= x });
  const atLeast = (x: number) => ({ text: `≥ ${x}×`, test: (m: number) => m >= x });
  const { cases, action } = raw;
  if (cases.product.length) {
    rows.push(ratioRow('CPU per case, open → closed, all processes', 'ms', cases.product.map((b) => b.cpuPerCaseMs), cases.floor.map((b) => b.cpuPerCaseMs), 'floor', atMost(1.3)));
    rows.push(ratioRow('  of which this process (worker, API, clients)', 'ms', cases.product.map((b) => b.cpu.selfMs / b.cases), cases.floor.map((b) => b.cpu.selfMs / b.cases), 'floor'));
    rows.push(ratioRow('  of which the Temporal dev server', 'ms', cases.product.map((b) => b.cpu.serverMs / b.cases), cases.floor.map((b) => b.cpu.serverMs / b.cases), 'floor'));
    rows.push(ratioRow(`cases/s, open → closed, concurrency ${CONCURRENCY}`, '/s', cases.product.map((b) => b.casesPerS), cases.floor.map((b) => b.casesPerS), 'floor', atLeast(0.8)));
  }
  if (action.product.length) {
    rows.push(ratioRow('one action over HTTP, concurrency 1, p50', 'ms', action.product.map((b) => b.p50), action.floor.map((b) => b.p50), 'floor', atMost(1.15)));
    rows.push(ratioRow('one action over HTTP, concurrency 1, p99', 'ms', action.product.map((b) => b.p99), action.floor.map((b) => b.p99), 'floor', atMost(1.5)));
  }
  for (const b of [raw.burst, raw.burstFull]) {
    if (!b.product.length) continue;
    const k = b.product[0]!.k;
    const noneLost = b.product.every((x) => x.lost === 0 && x.duplicated === 0);
    const inMs = b.product.every((x) => !(x.wholeSecondShare > 0.2));
    rows.push(ratioRow(`${k} deadlines together: lag p50`, 'ms', b.product.map((x) => x.p50), b.floor.map((x) => x.p50), 'floor'));
    rows.push(
      ratioRow(`${k} deadlines together: lag p99`, 'ms', b.product.map((x) => x.p99), b.floor.map((x) => x.p99), 'floor', {
        text: 'p99 ≤ 1000 ms, none lost',
        test: (_m, p) => p.median <= 1000 && noneLost && inMs,
      }),
    );
    rows.push(ratioRow(`${k} deadlines together: lag max`, 'ms', b.product.map((x) => x.max), b.floor.map((x) => x.max), 'floor'));
    rows.push(
      ratioRow(`${k} deadlines together: lost (dup.)`, '', b.product.map((x) => x.lost + x.duplicated), b.floor.map((x) => x.lost + x.duplicated), 'floor', {
        text: '0',
        test: () => noneLost,
      }),
    );
  }
  if (raw.history.length) {
    const base = baseline?.history;
    const against = (k: 'dispatched' | 'reminders', f: (h: HistoryFigure) => number) => raw.history.map(() => (base ? f(base[k]) : Number.NaN));
    const half = base ? atMost(0.5) : undefined;
    for (const [k, name] of [
      ['dispatched', 'dispatched case'],
      ['reminders', 'case with 10 督办 reminders'],
    ] as const) {
      const rowFor = (what: string, unit: string, f: (h: HistoryFigure) => number, goal = half) =>
        rows.push(ratioRow(`history, ${name}: ${what}`, unit, raw.history.map((h) => f(h[k])), against(k, f), base ? 'baseline' : '—', goal));
      rowFor('events', '', (h) => h.events);
      rowFor('bytes as stored', 'B', (h) => h.storedBytes);
      rowFor('bytes decoded', 'B', (h) => h.plainBytes);
      rowFor('largest payload', 'B', (h) => h.largestPayload.bytes, undefined);
    }
  }
  const o = raw.openCases;
  if (o) {
    const floorCases = o.floorCases ?? o.openCases;
    const perCase = (a: number, b: number, n: number) => (b - a) / n / 1024;
    rows.push(ratioRow(`bench process RSS per open case (0 → ${o.openCases} / ${floorCases})`, 'KiB', [perCase(o.benchRss.before, o.benchRss.afterProduct, o.openCases)], [perCase(o.benchRss.afterProduct, o.benchRss.afterFloor, floorCases)], 'floor'));
    rows.push(ratioRow(`dev server RSS per open case (0 → ${o.openCases} / ${floorCases})`, 'KiB', [perCase(o.devServerRss.before, o.devServerRss.afterProduct, o.openCases)], [perCase(o.devServerRss.afterProduct, o.devServerRss.afterFloor, floorCases)], 'floor'));
    rows.push(ratioRow(`action on the oldest of ${o.openCases} open cases, p50`, 'ms', [o.productAck.p50], [o.floorUpdate.p50], 'floor', atMost(1.15)));
  }
  return rows;
}

// the Temporal runtime turns SIGINT/SIGTERM into a worker shutdown, which would leave the bench
// waiting on cases nobody runs: stop at once instead (the exit hooks kill the servers it started)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: bench stopped`);
    process.exit(130);
  });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
