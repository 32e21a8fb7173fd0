/**
 * npm run chaos — the fault-injection run behind issue 8's figures, bigger than the CI test:
 * worker, API and Temporal server processes are SIGKILLed in turn, at random moments, while clients drive cases
 * open → closed with Idempotency-Keys; then it checks nothing was lost, duplicated or stuck and
 * reports, per kind of kill, how long until actions were answered again.
 *
 *   CHAOS_MINUTES (default 5)  how long faults are injected
 *   CHAOS_DB=postgres          PostgreSQL instead of SQLite
 *   CHAOS_WORKERS, CHAOS_APIS  processes of each kind (default 2 each)
 *   CHAOS_CONCURRENCY (6)      clients driving cases at once
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO, DEMO_PASSWORD } from '../src/db/seed';
import { startDevServer } from '../src/temporal/dev-server';
import { CHAOS_CATALOGUE, checkCases, driveCases } from '../tests/helpers/chaos';
import { spawnIdp } from '../tests/helpers/idp';
import { startPostgres } from '../tests/helpers/postgres';
import { type ApiProcess, deploymentKeys, runScript, type ServiceProcess, startApi, startWorker } from '../tests/helpers/processes';
import { temporalBinaries } from '../tests/helpers/temporal';
import { freePort } from '../tests/helpers/ports';

const MINUTES = Number(process.env.CHAOS_MINUTES ?? 5);
const CONCURRENCY = Number(process.env.CHAOS_CONCURRENCY ?? 6);
const WORKERS = Number(process.env.CHAOS_WORKERS ?? 2);
const APIS = Number(process.env.CHAOS_APIS ?? 2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'steward-chaos-'));
  const pg = process.env.CHAOS_DB === 'postgres' ? await startPostgres() : undefined;
  const temporalOptions = { executable: temporalBinaries().cli, dbFilename: path.join(dir, 'temporal.db'), headless: true, port: await freePort() };
  let temporal = await startDevServer(temporalOptions);
  const idp = await spawnIdp({ audience: 'steward-api', users: DEMO.users.map(({ subject, name }) => ({ subject, name })), password: DEMO_PASSWORD });
  const catalogue = path.join(dir, 'catalogue.json');
  writeFileSync(catalogue, JSON.stringify(CHAOS_CATALOGUE));
  const env: NodeJS.ProcessEnv = {
    ...deploymentKeys(),
    DATABASE_URL: pg?.url ?? `file:${path.join(dir, 'steward.db')}`,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: 'chaos',
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
  // each client talks to one API process (as behind a sticky load balancer), half to each
  let calls = 0;
  const base = () => `${apis[calls++ % apis.length]!.base}`;
  let faulting = true;
  const tag = `chaos${Date.now()}`;
  const started = Date.now();
  const driving = driveCases({ base, token, cases: 1, keepGoing: () => faulting, concurrency: CONCURRENCY, tag, retryForMs: 180_000 });

  const kills: { kind: string; at: number; back: number }[] = [];
  const until = started + MINUTES * 60_000;
  while (Date.now() < until) {
    await sleep(8_000 + Math.random() * 8_000);
    const kind = (['worker', 'api', 'temporal'] as const)[kills.length % 3]!;
    const at = Date.now();
    if (kind === 'worker') {
      const i = Math.floor(Math.random() * workers.length);
      await workers[i]!.crash();
      workers[i] = await startWorker(env);
    } else if (kind === 'api') {
      const i = Math.floor(Math.random() * apis.length);
      await apis[i]!.crash();
      apis[i] = await startApi(env, apis[i]!.port);
    } else {
      process.kill(temporal.pid, 'SIGKILL');
      await temporal.exited;
      temporal = await startDevServer(temporalOptions);
    }
    kills.push({ kind, at, back: Date.now() });
    console.log(`${Math.round((Date.now() - started) / 1000)} s: killed ${kind}, restarted in ${Date.now() - at} ms`);
  }
  faulting = false;
  const driven = await driving;
  const drivenMs = Date.now() - started;

  // the read model catches up; give it a minute before calling anything stuck
  let checked = await checkCases(env.DATABASE_URL!, tag, driven.caseIds);
  for (let i = 0; i < 60 && (checked.stuck.length || checked.lost.length); i++) {
    await sleep(1_000);
    checked = await checkCases(env.DATABASE_URL!, tag, driven.caseIds);
  }

  // felt: the longest any action waited, counted from the kill, among actions in flight or
  // started between the kill and the restarted process being ready
  const felt: Record<string, number[]> = {};
  for (const k of kills) {
    const waits = driven.actions.filter((a) => a.started <= k.back && a.answered >= k.at).map((a) => (a.answered - Math.max(a.started, k.at)) / 1000);
    (felt[k.kind] ??= []).push(Math.max(0, ...waits));
  }
  const figures = {
    database: pg ? 'postgresql' : 'sqlite',
    processes: { workers: workers.length, apis: apis.length },
    minutes: +(drivenMs / 60_000).toFixed(1),
    cases: driven.caseIds.length,
    answeredActions: driven.acknowledged,
    retriedRequests: driven.retries,
    kills: Object.fromEntries(['worker', 'api', 'temporal'].map((k) => [k, kills.filter((x) => x.kind === k).length])),
    longestActionWaitAfterKillSeconds: Object.fromEntries(Object.entries(felt).map(([k, xs]) => [k, { p50: pct(xs, 50), max: Math.max(...xs) }])),
    actionSeconds: { p50: pct(driven.actions.map((a) => (a.answered - a.started) / 1000), 50), p99: pct(driven.actions.map((a) => (a.answered - a.started) / 1000), 99) },
    longestStepSeconds: driven.longestStepMs / 1000,
    anomalies: driven.anomalies,
    lost: checked.lost,
    duplicated: checked.duplicated,
    stuck: checked.stuck,
    failed: checked.failed,
  };
  console.log(JSON.stringify(figures, null, 2));

  await Promise.all([...apis, ...workers].map((p) => p.stop()));
  await Promise.all([temporal.stop(), idp.stop(), pg?.stop()]);
  rmSync(dir, { recursive: true, force: true });
  const clean = !driven.anomalies.length && !checked.lost.length && !checked.duplicated.length && !checked.stuck.length && !checked.failed.length;
  process.exit(clean ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
