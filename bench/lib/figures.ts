/**
 * One batch of each live figure, for either side. run.ts interleaves them (product batch, floor
 * batch, …) and compares the two sides' batches of the same repetition.
 */
import { FLOOR_TABLE } from '../floor/activities';
import { collectGarbage, cpuDelta, cpuNow, devServerRss } from './proc';
import { type FloorSide, type Observer, type ProductSide, runCase, type Side } from './sides';
import { percentile, pool, sleep, waitUntil } from './stats';

/** Lets the previous batch's tail (closing workflows, GC, the server's own housekeeping) pass. */
export async function settle(ms = 700) {
  collectGarbage();
  await sleep(ms);
}

export interface CaseBatch {
  cases: number;
  concurrency: number;
  wallS: number;
  casesPerS: number;
  /** all processes: this process + the dev server + the OpenID provider, per case */
  cpuPerCaseMs: number;
  cpu: { selfMs: number; serverMs: number; otherMs: number; otherByName: Record<string, number>; totalMs: number };
  /** HTTP time of each step, p50 over the batch, ms */
  stepP50: Record<string, number>;
}

/** Figures 1 and 2: N cases open → closed at concurrency C; CPU of every process, wall time. */
export async function caseBatch(side: Side, observer: Observer, n: number, concurrency: number, followUpDelayMs: number): Promise<CaseBatch> {
  await settle();
  const c0 = cpuNow();
  const t0 = performance.now();
  const steps = await pool(n, concurrency, (i) => runCase(side, observer, i, followUpDelayMs));
  const wallS = (performance.now() - t0) / 1000;
  const cpu = cpuDelta(c0, cpuNow());
  const stepP50: Record<string, number> = {};
  for (const k of Object.keys(steps[0] ?? {})) stepP50[k] = percentile(steps.map((s) => s[k]!), 50);
  return { cases: n, concurrency, wallS, casesPerS: n / wallS, cpuPerCaseMs: cpu.totalMs / n, cpu, stepP50 };
}

export interface LatencyBatch {
  samples: number;
  p50: number;
  p99: number;
  max: number;
  /** opens per second while the cases were being prepared (concurrency 10), for the burst's sizing */
  openRate: number;
}

/** how many of the cases have their first row in the read model */
async function recorded(side: Side, db: ProductSide['stack']['db'], ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const marks = ids.map(() => '?').join(',');
  const sql =
    side.name === 'product'
      ? `SELECT count(*) AS n FROM "Case" WHERE id IN (${marks})`
      : `SELECT count(DISTINCT case_id) AS n FROM ${FLOOR_TABLE} WHERE case_id IN (${marks})`;
  const rows = await db.$queryRawUnsafe<{ n: number | bigint }[]>(sql, ...ids);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Figure 3: one action over HTTP at concurrency 1 — acknowledge on the product, the first update
 * on the floor — on M cases opened beforehand (and recorded in the read model, so the action takes
 * its normal path). The cases are then finished (withdrawn / closed), untimed.
 */
export async function actionBatch(side: Side, observer: Observer, db: ProductSide['stack']['db'], m: number): Promise<LatencyBatch> {
  await settle(200);
  const t0 = performance.now();
  const opened = await pool(m, 10, (i) => side.open(i));
  const openRate = m / ((performance.now() - t0) / 1000);
  const ids = opened.map((o) => o.id);
  await waitUntil(async () => (await recorded(side, db, ids)) === ids.length, 30_000, 100);
  await settle();
  const samples: number[] = [];
  for (const id of ids) samples.push(await side.act(id, 'acknowledge'));
  await pool(ids.length, 10, (i) => side.finish(ids[i]!));
  await Promise.all(ids.map((id) => observer.closed(side.workflowId(id))));
  return { samples: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99), max: Math.max(...samples), openRate };
}

export interface BurstBatch {
  k: number;
  /** how long opening the K cases took, s */
  openS: number;
  /** first to last deadline, s */
  spanS: number;
  /** opening (floor: arming) was still under way when the first deadline fell (the burst then also carried opens) */
  overlapped: boolean;
  escalated: number;
  lost: number;
  /** cases with more than one escalation row */
  duplicated: number;
  p50: number;
  p99: number;
  max: number;
  /** share of the written timestamps with a whole second (1.0 means the column keeps only seconds) */
  wholeSecondShare: number;
  /** the deadlines, relative to the first, in open order (the floor replays them) */
  offsetsMs: number[];
}

const lagStats = (lags: number[]) => ({ p50: percentile(lags, 50), p99: percentile(lags, 99), max: lags.length ? Math.max(...lags) : Number.NaN });

/**
 * Figure 4, product: K cases on the burst item (response deadline S s), opened as fast as the API
 * takes them (concurrency 20); nobody acknowledges. Lag = the escalation's row `createdAt` − its
 * `at` (stamped at the deadline). Each case's deadline is the one its intake answered, or (an
 * answer given before the worker did: 202) the read model's `responseDueAt`. The wait ends when
 * every case has escalated or a minute after the last deadline; a case without an escalation then
 * is lost. The cases are terminated afterwards (their next deadline is a day away).
 */
export async function productBurst(product: ProductSide, observer: Observer, k: number, responseS: number): Promise<BurstBatch> {
  await product.setBurstResponse(responseS);
  await settle();
  const t0 = Date.now();
  const opened = await pool(k, 20, (i) => product.open(i, { burst: true }));
  const openedAt = Date.now();
  const ids = opened.map((o) => o.id);
  const db = product.stack.db;
  const missing = opened.filter((o) => o.deadlineAt === undefined).map((o) => o.id);
  const stored = new Map<string, number>();
  if (missing.length) {
    await waitUntil(async () => (await recorded(product, db, missing)) === missing.length, 120_000, 500);
    for (const r of await db.case.findMany({ where: { id: { in: missing } }, select: { id: true, responseDueAt: true } })) stored.set(r.id, r.responseDueAt.getTime());
  }
  const deadlines = opened.map((o) => o.deadlineAt ?? stored.get(o.id) ?? t0 + responseS * 1000);
  const first = Math.min(...deadlines);
  const last = Math.max(...deadlines);
  // in chunks: one IN list of 2,000 ids passes SQLite's parameter limit as Prisma counts it
  const chunks = Array.from({ length: Math.ceil(ids.length / 500) }, (_, i) => ids.slice(i * 500, i * 500 + 500));
  const count = async () => {
    let n = 0;
    for (const part of chunks) n += (await db.caseEvent.groupBy({ by: ['caseId'], where: { type: 'escalated', caseId: { in: part } } })).length;
    return n;
  };
  await waitUntil(async () => Date.now() > last && (await count()) === k, Math.max(last - Date.now(), 0) + 60_000, 2_000);
  const rows = [];
  for (const part of chunks) rows.push(...(await db.caseEvent.findMany({ where: { type: 'escalated', caseId: { in: part } }, select: { caseId: true, at: true, createdAt: true } })));
  const perCase = new Map<string, number>();
  for (const r of rows) perCase.set(r.caseId, (perCase.get(r.caseId) ?? 0) + 1);
  const firstRow = new Map<string, (typeof rows)[number]>();
  for (const r of rows) if (!firstRow.has(r.caseId) || r.createdAt < firstRow.get(r.caseId)!.createdAt) firstRow.set(r.caseId, r);
  const lags = [...firstRow.values()].map((r) => r.createdAt.getTime() - r.at.getTime());
  await observer.terminate(ids.map(product.workflowId));
  return {
    k,
    openS: (openedAt - t0) / 1000,
    spanS: (last - first) / 1000,
    overlapped: openedAt > first,
    escalated: perCase.size,
    lost: k - perCase.size,
    duplicated: [...perCase.values()].filter((n) => n > 1).length,
    ...lagStats(lags),
    wholeSecondShare: rows.length ? rows.filter((r) => r.createdAt.getTime() % 1000 === 0).length / rows.length : Number.NaN,
    offsetsMs: deadlines.map((d) => d - first),
  };
}

/**
 * Figure 4, floor: K floor workflows opened first, then armed (a signal each) with the product's
 * deadlines — the same offsets — shifted to begin a few seconds after the arming, so no deadline
 * falls while the floor is still opening; each has one timer and, on firing, one write that
 * records its time. Lag = written − deadline.
 */
export async function floorBurst(floor: FloorSide, db: ProductSide['stack']['db'], offsetsMs: number[]): Promise<BurstBatch> {
  const k = offsetsMs.length;
  await settle();
  const t0 = Date.now();
  const opened = await pool(k, 20, (i) => floor.open(i, { burst: true }));
  const openedAt = Date.now();
  const ids = opened.map((o) => o.id);
  // arming takes a few ms a case: the first deadline 5 s (or 2 ms a case) after it starts
  const first = Date.now() + Math.max(5_000, 2 * k);
  const deadlines = offsetsMs.map((o) => first + o);
  await pool(k, 20, (i) => floor.arm(ids[i]!, deadlines[i]!));
  const armedAt = Date.now();
  const last = Math.max(...deadlines);
  const marks = ids.map(() => '?').join(',');
  const fired = async () => Number((await db.$queryRawUnsafe<{ n: number | bigint }[]>(`SELECT count(*) AS n FROM ${FLOOR_TABLE} WHERE step = 'deadline' AND case_id IN (${marks})`, ...ids))[0]?.n ?? 0);
  await waitUntil(async () => Date.now() > last && (await fired()) === k, Math.max(last - Date.now(), 0) + 60_000, 2_000);
  const rows = await db.$queryRawUnsafe<{ case_id: string; deadline_ms: number | bigint; written_ms: number | bigint }[]>(
    `SELECT case_id, deadline_ms, written_ms FROM ${FLOOR_TABLE} WHERE step = 'deadline' AND case_id IN (${marks})`,
    ...ids,
  );
  const perCase = new Map<string, number>();
  for (const r of rows) perCase.set(r.case_id, (perCase.get(r.case_id) ?? 0) + 1);
  const lags = rows.map((r) => Number(r.written_ms) - Number(r.deadline_ms));
  return {
    k,
    openS: (openedAt - t0) / 1000,
    spanS: (last - first) / 1000,
    overlapped: armedAt > first,
    escalated: perCase.size,
    lost: k - perCase.size,
    duplicated: [...perCase.values()].filter((n) => n > 1).length,
    ...lagStats(lags),
    wholeSecondShare: rows.length ? rows.filter((r) => Number(r.written_ms) % 1000 === 0).length / rows.length : Number.NaN,
    offsetsMs,
  };
}

export interface OpenCasesFigure {
  openCases: number;
  /** the floor's open cases (--open-floor-cases; its memory is flat, so fewer save time at 10^5) */
  floorCases: number;
  /** memory as the product's cases were opened, every 10,000 (after a collection) */
  productTrace: { cases: number; rss: number; heap: number; server: number }[];
  /** this process (product worker + API + floor worker + clients: one process), bytes */
  benchRss: { before: number; afterProduct: number; afterFloor: number };
  devServerRss: { before: number; afterProduct: number; afterFloor: number };
  heapUsed: { before: number; afterProduct: number; afterFloor: number };
  openS: { product: number; floor: number };
  /** acknowledge on the oldest product cases vs the floor's first update on its oldest, alternated */
  productAck: { samples: number; p50: number; p99: number };
  floorUpdate: { samples: number; p50: number; p99: number };
}

/**
 * Figure 6 (--full): memory with 0 → N open cases on each side (the product's first, then the
 * floor's on top), and an action on the oldest of them, product and floor alternated.
 */
export async function openCasesFigure(product: ProductSide, floor: FloorSide, n: number, floorN: number, samples: number, log: (s: string) => void): Promise<OpenCasesFigure> {
  const mem = () => {
    collectGarbage();
    return { rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed, server: devServerRss() };
  };
  await settle(2_000);
  const before = mem();
  const productTrace: OpenCasesFigure['productTrace'] = [];
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  let t = Date.now();
  const p = await pool(n, 20, async (i) => {
    const o = await product.open(i);
    if ((i + 1) % 10_000 === 0) {
      const m = mem();
      productTrace.push({ cases: i + 1, ...m });
      log(`  product: ${i + 1} open cases; this process ${mib(m.rss)} (heap ${mib(m.heap)}), dev server ${mib(m.server)}`);
    } else if ((i + 1) % 1000 === 0) log(`  product: ${i + 1} open cases`);
    return o;
  });
  const productOpenS = (Date.now() - t) / 1000;
  await settle(5_000);
  const afterProduct = mem();
  t = Date.now();
  const f = await pool(floorN, 20, async (i) => {
    const o = await floor.open(i);
    if ((i + 1) % 1000 === 0) log(`  floor: ${i + 1} open cases`);
    return o;
  });
  const floorOpenS = (Date.now() - t) / 1000;
  await settle(5_000);
  const afterFloor = mem();
  const pa: number[] = [];
  const fa: number[] = [];
  for (let i = 0; i < Math.min(samples, n, floorN); i++) {
    pa.push(await product.act(p[i]!.id, 'acknowledge'));
    fa.push(await floor.act(f[i]!.id, 'acknowledge'));
  }
  const lat = (xs: number[]) => ({ samples: xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99) });
  return {
    openCases: n,
    floorCases: floorN,
    productTrace,
    benchRss: { before: before.rss, afterProduct: afterProduct.rss, afterFloor: afterFloor.rss },
    devServerRss: { before: before.server, afterProduct: afterProduct.server, afterFloor: afterFloor.server },
    heapUsed: { before: before.heap, afterProduct: afterProduct.heap, afterFloor: afterFloor.heap },
    openS: { product: productOpenS, floor: floorOpenS },
    productAck: lat(pa),
    floorUpdate: lat(fa),
  };
}
