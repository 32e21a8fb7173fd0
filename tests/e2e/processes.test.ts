/**
 * Several processes on one database, as production runs them, end to end on SQLite and on
 * PostgreSQL: migrations are one explicit step;
 * two API processes and two workers start beside each other (and restart while the others run) on SQLite
 * and on PostgreSQL; a process refuses a database whose schema is behind, saying what to run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_PASSWORD, DEMO } from '../../src/db/seed';
import { CHAOS_CATALOGUE, checkCases, driveCases, ENTERPRISE } from '../helpers/chaos';
import { eventually } from '../helpers/eventually';
import { type Idp, spawnIdp } from '../helpers/idp';
import { startPostgres, type TestPostgres } from '../helpers/postgres';
import { type ApiProcess, deploymentKeys, runScript, type ServiceProcess, startApi, startWorker } from '../helpers/processes';
import { startDevServer, type TestDevServer } from '../helpers/temporal';

const AUDIENCE = 'steward-api';

let temporal: TestDevServer;
let idp: Idp;
let dir: string;
let pg: TestPostgres;
let catalogue: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'steward-processes-'));
  [temporal, idp, pg] = await Promise.all([
    startDevServer(),
    spawnIdp({ audience: AUDIENCE, users: DEMO.users.map(({ subject, name }) => ({ subject, name })), password: DEMO_PASSWORD }),
    startPostgres(),
  ]);
  // the follow-up comes 2 s after approval, so cases can close in real time
  catalogue = path.join(dir, 'catalogue.json');
  writeFileSync(catalogue, JSON.stringify(CHAOS_CATALOGUE));
}, 120_000);

afterAll(async () => {
  await Promise.all([temporal?.stop(), idp?.stop(), pg?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['SQLite', () => `file:${path.join(dir, 'steward.db')}`],
  ['PostgreSQL', () => pg.url],
])('%s', (_name, databaseUrl) => {
  const running: ServiceProcess[] = [];
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    env = {
      ...deploymentKeys(),
      DATABASE_URL: databaseUrl(),
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: `processes-${_name}`,
      OIDC_ISSUER: idp.issuer,
      OIDC_AUDIENCE: AUDIENCE,
      CATALOGUE_FILE: catalogue,
      QUIET_HOURS: 'false',
    };
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
  });
  const track = <P extends ServiceProcess>(p: P) => (running.push(p), p);

  it('refuses to start an API or a worker on a database whose schema is behind, naming the step to run', async () => {
    for (const script of ['src/server.ts', 'src/worker.ts']) {
      const { code, output } = await runScript(script, env);
      expect(code).toBe(1);
      expect(output).toMatch(/lacks \d+ migration\(s\) .*npm run db:migrate/);
    }
  });

  it('migrates in one step; then two APIs and two workers start side by side, serve one case, and an API restarts while the others run', async () => {
    const migrated = await runScript('src/db/migrate-cli.ts', env, ['deploy']);
    expect(migrated.output).toMatch(/applied/);
    expect(migrated.code).toBe(0);
    expect((await runScript('src/db/seed-cli.ts', env)).code).toBe(0);

    const workers = (await Promise.all([startWorker(env), startWorker(env)])).map(track);
    const [a, b] = await Promise.all([startApi(env), startApi(env)]).then((ps) => ps.map(track) as [ApiProcess, ApiProcess]);

    const opened = await call(a, 'POST', '/cases', 'ent-yueda', {
      buildingId: 'bld-yueda',
      enterprise: { creditCode: ENTERPRISE },
      category: 'outdoor_promotion',
      title: '两个进程',
      description: '一个进程受理，另一个进程处理。',
      contact: { name: '冯经理', phone: '13900000004' },
    });
    expect(opened.status).toBe(201);
    const id = opened.body.caseId as string;
    expect((await call(b, 'POST', `/cases/${id}/acknowledge`, 'stw-point-4', {})).status).toBe(200);

    // the API that crashed comes back on its port while the worker and the other API hold the database
    await a.crash();
    const again = track(await startApi(env, a.port));
    await eventually(async () => expect((await call(again, 'GET', `/cases/${id}`, 'stw-point-4')).body).toMatchObject({ stage: 'acknowledged', source: 'database' }), { timeoutMs: 15_000 });

    // migrating again with everything running is a no-op that takes no lock
    const rerun = await runScript('src/db/migrate-cli.ts', env, ['deploy']);
    expect(rerun.code).toBe(0);
    expect(rerun.output).toMatch(/up to date/);
    expect((await call(b, 'POST', `/cases/${id}/dispatch`, 'stw-point-4', { departmentId: 'dept-urban', instructions: '核定' })).status).toBe(200);
    for (const w of workers) expect(w.child.exitCode).toBeNull();

    // end to end on these processes: cases from open to closed, each request to either API
    let turn = 0;
    const tag = `proc${_name}${Date.now()}`;
    const driven = await driveCases({ base: () => [again, b][turn++ % 2]!.base, token, cases: 4, concurrency: 2, tag });
    expect(driven.anomalies).toEqual([]);
    expect(driven.caseIds).toHaveLength(4);
    await eventually(async () => expect(await checkCases(env.DATABASE_URL!, tag, driven.caseIds)).toEqual({ lost: [], duplicated: [], stuck: [], failed: [] }), { timeoutMs: 15_000, intervalMs: 300 });
  });
});

const tokens = new Map<string, Promise<string>>();
function token(user: string): Promise<string> {
  if (!tokens.has(user)) tokens.set(user, idp.userToken(user));
  return tokens.get(user)!;
}
async function call(api: ApiProcess, method: string, url: string, user: string, body?: unknown) {
  const res = await fetch(`${api.base}${url}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await token(user)}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
