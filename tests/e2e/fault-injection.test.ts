/**
 * Faults while cases are being worked: the worker is SIGKILLed and restarted (3×) and the API
 * process crashes and comes back on its port (2×) while clients open and drive cases with
 * Idempotency-Keys, retrying after every lost answer. Afterwards every case the clients were told
 * about exists once, is closed, has a gap-free history, and no action was applied twice.
 * Real processes (src/server.ts, src/worker.ts), a real dev server, SQLite shared by both.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO, DEMO_PASSWORD } from '../../src/db/seed';
import { eventually } from '../helpers/eventually';
import { CHAOS_CATALOGUE, checkCases, driveCases } from '../helpers/chaos';
import { type Idp, spawnIdp } from '../helpers/idp';
import { type ApiProcess, deploymentKeys, runScript, type ServiceProcess, startApi, startWorker } from '../helpers/processes';
import { startDevServer, type TestDevServer } from '../helpers/temporal';

let temporal: TestDevServer;
let idp: Idp;
let dir: string;
let env: NodeJS.ProcessEnv;
let api: ApiProcess;
let worker: ServiceProcess;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'steward-faults-'));
  [temporal, idp] = await Promise.all([
    startDevServer(),
    spawnIdp({ audience: 'steward-api', users: DEMO.users.map(({ subject, name }) => ({ subject, name })), password: DEMO_PASSWORD }),
  ]);
  const catalogue = path.join(dir, 'catalogue.json');
  writeFileSync(catalogue, JSON.stringify(CHAOS_CATALOGUE));
  env = {
    ...deploymentKeys(),
    DATABASE_URL: `file:${path.join(dir, 'steward.db')}`,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: 'faults',
    OIDC_ISSUER: idp.issuer,
    OIDC_AUDIENCE: 'steward-api',
    CATALOGUE_FILE: catalogue,
    QUIET_HOURS: 'false',
  };
  expect((await runScript('src/db/migrate-cli.ts', env, ['deploy'])).code).toBe(0);
  expect((await runScript('src/db/seed-cli.ts', env)).code).toBe(0);
  [worker, api] = await Promise.all([startWorker(env), startApi(env)]);
}, 120_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  await Promise.all([temporal?.stop(), idp?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('loses, duplicates and strands nothing while the worker and the API are killed', async () => {
  const tokens = new Map<string, Promise<string>>();
  const token = (user: string) => {
    if (!tokens.has(user)) tokens.set(user, idp.userToken(user));
    return tokens.get(user)!;
  };
  const port = api.port;
  const tag = `ci${Date.now()}`;
  let faulting = true;
  const driving = driveCases({ base: () => `http://127.0.0.1:${port}/api`, token, cases: 12, keepGoing: () => faulting, concurrency: 4, tag });

  const kills = { worker: 0, api: 0 };
  for (const victim of ['worker', 'api', 'worker', 'api', 'worker'] as const) {
    await sleep(2_500);
    if (victim === 'worker') {
      await worker.crash();
      await sleep(500);
      worker = await startWorker(env);
    } else {
      await api.crash();
      api = await startApi(env, port);
    }
    kills[victim]++;
  }
  faulting = false;
  const driven = await driving;

  console.log(`fault injection: ${driven.caseIds.length} cases, ${driven.acknowledged} acknowledged requests, ${driven.retries} retries, kills ${JSON.stringify(kills)}, longest step ${driven.longestStepMs} ms`);
  expect(driven.anomalies).toEqual([]);
  expect(kills).toEqual({ worker: 3, api: 2 });
  expect(driven.caseIds.length).toBeGreaterThanOrEqual(12);
  // the faults hit requests in flight, not an idle service
  expect(driven.retries).toBeGreaterThan(0);
  // the read model catches up with the last answers within moments
  const clean = { lost: [], duplicated: [], stuck: [], failed: [] };
  await eventually(async () => expect(await checkCases(env.DATABASE_URL!, tag, driven.caseIds)).toEqual(clean), { timeoutMs: 30_000, intervalMs: 500 }).catch(async (err) => {
    const checked = await checkCases(env.DATABASE_URL!, tag, driven.caseIds);
    for (const id of checked.stuck.map((s) => s.split(' ')[0]!)) {
      const live = await fetch(`http://127.0.0.1:${port}/api/cases/${id}?live=true`, { headers: { authorization: `Bearer ${await token('stw-point-4')}` } }).then((r) => r.json() as Promise<any>);
      console.log(`stuck ${id}: live ${JSON.stringify({ stage: live.stage, version: live.version, history: live.history?.map((e: { type: string }) => e.type) })}`);
    }
    throw err;
  });
}, 240_000);
