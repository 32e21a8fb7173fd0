/**
 * End to end, as a newcomer runs it: `src/main.ts` as its own process (embedded Temporal dev
 * server, worker, API, migrations, demo seed), driven over real HTTP from open to closed,
 * then stopped with SIGINT as Ctrl-C would.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/ports';
import { temporalBinaries } from '../helpers/temporal';

const REPO = path.resolve(__dirname, '..', '..');
const ENTERPRISE = '91310107MA1K6GH70A'; // 上海环球港餐饮管理有限公司, bld-yueda, 点楼长 stw-point-4

let dir: string;
let child: ChildProcess;
let output = '';
let base: string;
let env: NodeJS.ProcessEnv;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'steward-e2e-'));
  // a district catalogue whose follow-up comes after 2 seconds, so a real-time run can close
  const catalogue = path.join(dir, 'catalogue.json');
  writeFileSync(
    catalogue,
    JSON.stringify({
      version: 'e2e-1',
      categories: [{ code: 'outdoor_promotion', name: '外摆活动审批', policy: { followUpDelay: { value: 2, unit: 'seconds' } } }],
    }),
  );
  const port = await freePort();
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: String(port),
    LOCAL_IDP_PORT: String(await freePort()),
    KEY_FILE: path.join(dir, 'keys.json'),
    DATABASE_URL: `file:${path.join(dir, 'steward.db')}`,
    TEMPORAL_DB_FILE: path.join(dir, 'temporal.db'),
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    TEMPORAL_CLI: temporalBinaries().cli,
    CATALOGUE_FILE: catalogue,
    LOG_LEVEL: 'warn',
  };
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  base = `http://127.0.0.1:${port}/api`;
  await eventually(() => {
    if (child.exitCode !== null) throw new Error(`service exited early:\n${output}`);
    return output.includes('Ctrl-C stops everything');
  }, { timeoutMs: 90_000, intervalMs: 200 });
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A bearer token the way the README gets one: `npm run token -- <user>` against the service's own provider. */
function tokenFor(user: string): string {
  tokens[user] ??= execFileSync(process.execPath, ['--import', 'tsx', 'scripts/token.ts', user], { cwd: REPO, env, encoding: 'utf8' }).trim();
  return tokens[user]!;
}

async function call(method: string, url: string, user: string | null, body?: unknown) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { 'content-type': 'application/json', ...(user ? { authorization: `Bearer ${tokenFor(user)}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

it('opens a case over HTTP, drives it to closed and reads it back', async () => {
  expect(output).toMatch(/Temporal Web UI:\s+http:\/\/127\.0\.0\.1:\d+/);
  expect(output).toContain(`API:               ${base}`);
  expect(output).toMatch(/Sign in:\s+http:\/\/127\.0\.0\.1:\d+/);
  expect((await call('GET', '/directory', null)).status).toBe(401);
  // beside the district's catalogue, the demo's own item, whose 回访 opens a minute after resolution
  const catalogue = await call('GET', '/catalogue', 'ent-yueda');
  expect(catalogue.body.items.map((i: { code: string }) => i.code).sort()).toEqual(['demo_walkthrough', 'outdoor_promotion']);
  expect(catalogue.body.items.find((i: { code: string }) => i.code === 'demo_walkthrough')).toMatchObject({ policy: { enterpriseFeedback: true }, policyText: { followUpDelay: '1 分钟' } });

  const started = Date.now();
  const opened = await call('POST', '/cases', 'ent-yueda', {
    buildingId: 'bld-yueda',
    enterprise: { creditCode: ENTERPRISE },
    category: 'outdoor_promotion',
    urgency: 'urgent',
    title: '周年庆外摆',
    description: '周六在商场外广场设置 3 个外摆摊位，申请许可。',
    contact: { name: '冯经理', phone: '13900000004' },
  });
  expect(opened.status).toBe(201);
  const id = opened.body.caseId as string;
  expect(opened.body.owner).toMatchObject({ id: 'stw-point-4', level: 1 });
  expect(opened.body.policy).toMatchObject({ categoryName: '外摆活动审批', followUpDelay: { value: 2, unit: 'seconds' } });

  expect((await call('POST', `/cases/${id}/acknowledge`, 'stw-point-4', {})).status).toBe(200);
  expect((await call('POST', `/cases/${id}/dispatch`, 'stw-point-4', { departmentId: 'dept-urban', instructions: '核定摆位与时段' })).status).toBe(200);
  expect((await call('POST', `/cases/${id}/department-reply`, 'staff-urban', { text: '准予外摆，限周六 10:00-18:00' })).body.stage).toBe('pending_approval');
  expect((await call('POST', `/cases/${id}/approve`, 'stw-area-west', { note: '分楼长审核通过' })).body.stage).toBe('resolved');
  await eventually(async () => expect((await call('GET', `/cases/${id}`, 'ent-yueda')).body.stage).toBe('follow_up'), { timeoutMs: 15_000, intervalMs: 200 });
  const closed = await call('POST', `/cases/${id}/follow-up`, 'stw-point-4', { satisfaction: 'satisfied' });
  expect(closed.body).toMatchObject({ stage: 'closed', satisfaction: 'satisfied' });
  const elapsedMs = Date.now() - started;

  const read = await eventually(async () => {
    const r = await call('GET', `/cases/${id}`, 'ent-yueda');
    expect(r.body.source).toBe('database');
    return r;
  });
  const events = read.body.history as { seq: number; type: string }[];
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(events.at(-1)!.type).toBe('closed');
  const listed = await call('GET', `/cases?stage=closed&buildingId=bld-yueda`, 'manager-town');
  expect(listed.body.items.map((c: { id: string }) => c.id)).toContain(id);
  // the figures the closing note reports
  console.log(`e2e: ${events.length} events, opened → closed in ${elapsedMs} ms (2 s of it the follow-up delay)`);
  expect(output).not.toMatch(/unhandled|Error:/);
});

it('restarts the embedded Temporal dev server when it dies, and cases carry on', async () => {
  const pids = () => execFileSync('pgrep', ['-f', `start-dev .*--db-filename ${env.TEMPORAL_DB_FILE}`], { encoding: 'utf8' }).trim().split('\n').map(Number);
  const [first] = pids();
  expect(first).toBeGreaterThan(0);
  process.kill(first!, 'SIGKILL');
  await eventually(() => expect(output).toContain('Temporal dev server restarted'), { timeoutMs: 60_000, intervalMs: 200 });
  expect(pids()).not.toContain(first);
  // the worker and the API reconnect by themselves: a new case opens and takes an action
  const opened = await eventually(async () => {
    const r = await call('POST', '/cases', 'ent-yueda', {
      buildingId: 'bld-yueda',
      enterprise: { creditCode: ENTERPRISE },
      category: 'outdoor_promotion',
      title: '重启后的诉求',
      description: '开发服务器重启之后提交。',
      contact: { name: '冯经理', phone: '13900000004' },
    });
    expect(r.status).toBe(201);
    return r;
  }, { timeoutMs: 30_000, intervalMs: 500 });
  expect((await call('POST', `/cases/${opened.body.caseId}/acknowledge`, 'stw-point-4', {})).status).toBe(200);
});

it('stops cleanly on SIGINT, as Ctrl-C does', async () => {
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  expect(code).toBe(0);
  expect(output).not.toMatch(/unhandled/);
});
