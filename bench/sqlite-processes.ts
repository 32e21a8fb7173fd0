/**
 * node --import tsx bench/sqlite-processes.ts — several worker and API processes on ONE SQLite file
 * under load (issue 9): clients drive cases open → closed through the APIs for a fixed time, then
 * every process's log is searched for lock failures and failed activities, and the read model is
 * checked (nothing lost, duplicated or stuck).
 *
 *   SP_WORKERS (2), SP_APIS (2)   processes of each kind, all on one SQLite file
 *   SP_SECONDS (50)               how long new cases keep being opened
 *   SP_CONCURRENCY (8)            clients driving cases at once
 *   SP_DB=postgres                the same run on a throwaway PostgreSQL (for comparison)
 *   SP_KEEP=1                     keep the temporary directory (database, logs) and print its path
 *
 * Prints one JSON object: throughput, action latency, lock failures per process kind (with samples)
 * and failed activity attempts. Exits 1 when any lock failure, failed activity or read-model
 * anomaly was seen.
 *
 * SP_MODE=db: the database alone, without Temporal, so the two adapters can be compared in short
 * interleaved runs. 2, 4 and 6 processes (SP_PROCESSES="2,4,6"), each with SP_CONCURRENCY (8)
 * loops, run the product's write shapes on one file for SP_SECONDS (10) — an interactive transaction
 * that reads then writes (as persistCase), an `upsert` with an empty update (Prisma runs it as
 * SELECT + INSERT in a transaction, as notify), a plain insert (as the audit trail) and a read —
 * once with Prisma's stock better-sqlite3 adapter (deferred BEGIN, 5 s busy timeout: the code
 * before issue 9) and once with createDb's (src/db/sqlite-adapter.ts), SP_ROUNDS (2) times.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { createDb, type Db } from '../src/db/client';
import { migrateDeploy } from '../src/db/migrate';
import { DEMO, DEMO_PASSWORD } from '../src/db/seed';
import { PrismaClient } from '../src/generated/sqlite/client';
import { startDevServer } from '../src/temporal/dev-server';
import { CHAOS_CATALOGUE, checkCases, driveCases } from '../tests/helpers/chaos';
import { spawnIdp } from '../tests/helpers/idp';
import { freePort } from '../tests/helpers/ports';
import { startPostgres } from '../tests/helpers/postgres';
import { type ApiProcess, deploymentKeys, runScript, type ServiceProcess, startApi, startWorker } from '../tests/helpers/processes';
import { temporalBinaries } from '../tests/helpers/temporal';

const WORKERS = Number(process.env.SP_WORKERS ?? 2);
const APIS = Number(process.env.SP_APIS ?? 2);
const SECONDS = Number(process.env.SP_SECONDS ?? 50);
const CONCURRENCY = Number(process.env.SP_CONCURRENCY ?? 8);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

/** What a lock failure looks like in a log line: SQLite's own words, and Prisma's for them (SQLITE_BUSY → P1008). */
export const LOCK_FAILURE = /SQLITE_BUSY|database is locked|Operation has timed out|P1008|Unable to start a transaction|P2028|Transaction already closed|expired transaction/i;
/** The Temporal SDK's line for a failed activity attempt (it is then retried). */
export const ACTIVITY_FAILED = /Activity failed|Activity task failed/;

export interface LogFigures {
  /** log records (a warning, an error, a failed activity) that name a lock failure */
  lockFailures: number;
  /** activity attempts that failed (and were retried by Temporal) */
  failedActivityAttempts: number;
  failedActivityAttemptsOnLocks: number;
  /** failed attempts per activity type */
  failedActivities: Record<string, number>;
  /** how long the failed attempts ran: a lock time-out after the busy timeout takes ≥ 5 s, a refused lock upgrade ~0 */
  failedAttemptMs: { p50: number; max: number };
  warningsOrErrors: number;
  samples: string[];
}

/** A process's output as log records: pino's JSON lines, and the Temporal SDK's multi-line `<time> [LEVEL] …` entries. */
export function logRecords(output: string): string[] {
  const records: string[] = [];
  for (const line of output.split('\n')) {
    if (/^(\d{4}-\d\d-\d\dT\S+ \[[A-Z]+\]|\{)/.test(line) || !records.length) records.push(line);
    else records[records.length - 1] += `\n${line}`;
  }
  return records;
}

export function scanLogs(outputs: string[]): LogFigures {
  const f: LogFigures = { lockFailures: 0, failedActivityAttempts: 0, failedActivityAttemptsOnLocks: 0, failedActivities: {}, failedAttemptMs: { p50: 0, max: 0 }, warningsOrErrors: 0, samples: [] };
  const durations: number[] = [];
  for (const record of outputs.flatMap(logRecords)) {
    const lock = LOCK_FAILURE.test(record);
    if (lock) {
      f.lockFailures++;
      if (f.samples.length < 3) f.samples.push(record.replace(/\s+/g, ' ').slice(0, 600));
    }
    if (ACTIVITY_FAILED.test(record)) {
      f.failedActivityAttempts++;
      if (lock) f.failedActivityAttemptsOnLocks++;
      const type = /activityType: '(\w+)'/.exec(record)?.[1] ?? '?';
      f.failedActivities[type] = (f.failedActivities[type] ?? 0) + 1;
      const ms = /durationMs: (\d+)/.exec(record)?.[1];
      if (ms) durations.push(Number(ms));
    }
    if (/^\{"level":(40|50|60)/.test(record) || /^\S+ \[(WARN|ERROR)\]/.test(record)) f.warningsOrErrors++;
  }
  f.failedAttemptMs = { p50: pct(durations, 50), max: Math.max(0, ...durations) };
  return f;
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'steward-sqlite-processes-'));
  const pg = process.env.SP_DB === 'postgres' ? await startPostgres() : undefined;
  const temporal = await startDevServer({ executable: temporalBinaries().cli, dbFilename: path.join(dir, 'temporal.db'), headless: true, port: await freePort() });
  const idp = await spawnIdp({ audience: 'steward-api', users: DEMO.users.map(({ subject, name }) => ({ subject, name })), password: DEMO_PASSWORD });
  const catalogue = path.join(dir, 'catalogue.json');
  writeFileSync(catalogue, JSON.stringify(CHAOS_CATALOGUE));
  const env: NodeJS.ProcessEnv = {
    ...deploymentKeys(),
    DATABASE_URL: pg?.url ?? `file:${path.join(dir, 'steward.db')}`,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: 'sqlite-processes',
    OIDC_ISSUER: idp.issuer,
    OIDC_AUDIENCE: 'steward-api',
    CATALOGUE_FILE: catalogue,
    QUIET_HOURS: 'false',
    RATE_LIMIT_PER_MINUTE: '100000',
  };
  if ((await runScript('src/db/migrate-cli.ts', env, ['deploy'])).code !== 0) throw new Error('migration failed');
  if ((await runScript('src/db/seed-cli.ts', env)).code !== 0) throw new Error('seed failed');
  const workers: ServiceProcess[] = await Promise.all(Array.from({ length: WORKERS }, () => startWorker(env)));
  const apis: ApiProcess[] = await Promise.all(Array.from({ length: APIS }, () => startApi(env)));

  const tokens = new Map<string, Promise<string>>();
  const token = (user: string) => {
    if (!tokens.has(user)) tokens.set(user, idp.userToken(user));
    return tokens.get(user)!;
  };
  let calls = 0;
  const tag = `sp${Date.now()}`;
  const started = Date.now();
  const until = started + SECONDS * 1000;
  const driven = await driveCases({ base: () => apis[calls++ % apis.length]!.base, token, cases: 1, keepGoing: () => Date.now() < until, concurrency: CONCURRENCY, tag, retryForMs: 60_000 });
  const drivenMs = Date.now() - started;

  let checked = await checkCases(env.DATABASE_URL!, tag, driven.caseIds);
  for (let i = 0; i < 30 && (checked.stuck.length || checked.lost.length); i++) {
    await sleep(1_000);
    checked = await checkCases(env.DATABASE_URL!, tag, driven.caseIds);
  }
  const latencies = driven.actions.map((a) => a.answered - a.started);
  const workerLogs = scanLogs(workers.map((w) => w.output()));
  const apiLogs = scanLogs(apis.map((a) => a.output()));
  const figures = {
    database: pg ? 'postgresql' : 'sqlite',
    processes: { workers: WORKERS, apis: APIS },
    concurrency: CONCURRENCY,
    seconds: +(drivenMs / 1000).toFixed(1),
    cases: driven.caseIds.length,
    casesPerSecond: +(driven.caseIds.length / (drivenMs / 1000)).toFixed(2),
    actions: driven.acknowledged,
    actionsPerSecond: +(driven.acknowledged / (drivenMs / 1000)).toFixed(2),
    actionMs: { p50: pct(latencies, 50), p99: pct(latencies, 99), max: Math.max(0, ...latencies) },
    retriedRequests: driven.retries,
    worker: workerLogs,
    api: apiLogs,
    anomalies: driven.anomalies.slice(0, 5),
    lost: checked.lost.length,
    duplicated: checked.duplicated.length,
    stuck: checked.stuck.length,
    failed: checked.failed.length,
  };
  console.log(JSON.stringify(figures, null, 2));

  await Promise.all([...apis, ...workers].map((p) => p.stop()));
  await Promise.all([temporal.stop(), idp.stop(), pg?.stop()]);
  if (process.env.SP_KEEP) {
    for (const [i, p] of [...workers, ...apis].entries()) writeFileSync(path.join(dir, `process-${i}.log`), p.output());
    console.log(`kept ${dir}`);
  } else rmSync(dir, { recursive: true, force: true });
  const clean =
    !workerLogs.lockFailures && !apiLogs.lockFailures && !workerLogs.failedActivityAttempts && !driven.anomalies.length &&
    !checked.lost.length && !checked.duplicated.length && !checked.stuck.length && !checked.failed.length;
  process.exit(clean ? 0 : 1);
}

// ---- SP_MODE=db ----

type Adapter = 'stock' | 'lock-waiting';
interface ChildFigures {
  ops: number;
  lockFailures: number;
  otherFailures: number;
  latencies: number[];
  sample?: string;
}

/** One process of the database-only run: SP_CONCURRENCY loops of the write shapes for SP_SECONDS. */
async function dbChild(): Promise<void> {
  const url = process.env.SP_URL!;
  const adapter = process.env.SP_ADAPTER as Adapter;
  const seconds = Number(process.env.SP_SECONDS ?? 10);
  const me = process.env.SP_CHILD_ID!;
  const db: Db =
    adapter === 'stock' ? new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: url.slice('file:'.length), timeout: 5000 }) }) : createDb(url);
  const f: ChildFigures = { ops: 0, lockFailures: 0, otherFailures: 0, latencies: [] };
  const row = (id: string, caseId: string) => ({ id, caseId, eventSeq: 1, recipientId: 'stw-point-4', channel: 'log', address: '', template: 'assigned_to_you', payload: { body: 'x'.repeat(300) }, status: 'queued' });
  let n = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, loop) => {
      const caseId = `C-${me}-${loop}`;
      for (let k = 0; Date.now() < until; k++) {
        const id = `${caseId}:${n++}`;
        const started = Date.now();
        try {
          if (k % 4 === 0) {
            // persistCase's shape: read, then write, in one transaction
            await db.$transaction(async (tx) => {
              const have = await tx.notification.count({ where: { caseId } });
              await tx.notification.create({ data: row(id, caseId) });
              await tx.notification.updateMany({ where: { caseId, attempts: { lt: have + 1 } }, data: { attempts: { increment: 1 } } });
            });
          } else if (k % 4 === 1) {
            await db.notification.upsert({ where: { id }, create: row(id, caseId), update: {} }); // notify's shape
          } else if (k % 4 === 2) {
            await db.auditLog.create({ data: { action: 'bench.write', target: `case:${caseId}`, status: 200 } });
          } else {
            await db.notification.findMany({ where: { caseId }, take: 20 });
          }
          f.ops++;
        } catch (err) {
          const text = `${(err as Error).message} ${JSON.stringify((err as { meta?: unknown }).meta ?? {})}`;
          if (LOCK_FAILURE.test(text)) f.lockFailures++;
          else f.otherFailures++;
          f.sample ??= text.replace(/\s+/g, ' ').slice(-300);
        }
        f.latencies.push(Date.now() - started);
      }
    }),
  );
  await db.$disconnect();
  process.stdout.write(`${JSON.stringify(f)}\n`);
}

function runChild(env: NodeJS.ProcessEnv): Promise<ChildFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', __filename], { env: { ...process.env, ...env, SP_CHILD: 'db' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ChildFigures);
      } catch {
        reject(new Error(`child exited ${code}: ${out}`));
      }
    });
  });
}

async function dbMain(): Promise<void> {
  const counts = (process.env.SP_PROCESSES ?? '2,4,6').split(',').map(Number);
  const rounds = Number(process.env.SP_ROUNDS ?? 2);
  const seconds = Number(process.env.SP_SECONDS ?? 10);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'steward-sqlite-db-'));
  const rows: Record<string, unknown>[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const processes of counts) {
        for (const adapter of ['stock', 'lock-waiting'] as Adapter[]) {
          const url = `file:${path.join(dir, `${adapter}-${processes}-${round}.db`)}`;
          await migrateDeploy(url);
          const wal = new Database(url.slice('file:'.length)); // as createDb did before, for both
          wal.pragma('journal_mode = WAL');
          wal.close();
          const figures = await Promise.all(Array.from({ length: processes }, (_, i) => runChild({ SP_URL: url, SP_ADAPTER: adapter, SP_SECONDS: String(seconds), SP_CHILD_ID: `p${i}` })));
          const latencies = figures.flatMap((f) => f.latencies);
          const row = {
            round,
            processes,
            adapter,
            opsPerSecond: Math.round(figures.reduce((a, f) => a + f.ops, 0) / seconds),
            lockFailures: figures.reduce((a, f) => a + f.lockFailures, 0),
            otherFailures: figures.reduce((a, f) => a + f.otherFailures, 0),
            opMs: { p50: pct(latencies, 50), p99: pct(latencies, 99), max: Math.max(0, ...latencies) },
            sample: figures.find((f) => f.sample)?.sample,
          };
          rows.push(row);
          console.log(JSON.stringify(row));
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const failed = rows.some((r) => r.adapter === 'lock-waiting' && ((r.lockFailures as number) || (r.otherFailures as number)));
  process.exit(failed ? 1 : 0);
}

if (require.main === module) {
  const run = process.env.SP_CHILD === 'db' ? dbChild : process.env.SP_MODE === 'db' ? dbMain : main;
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
