/**
 * node --import tsx bench/codec.ts — what the payload codec costs per action: Update latency
 * (client → worker → client, through Temporal) and history size of a case, without and with
 * encryption, on one real dev server, worker and SQLite database in one run. Cases alternate
 * between the two modes one at a time, so drift on the machine hits both alike.
 * BENCH_CASES per mode (default 40).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createDb } from '../src/db/client';
import { migrateDeploy } from '../src/db/migrate';
import { seedDemo } from '../src/db/seed';
import { silentLogger } from '../src/logger';
import { createCaseWorker, createTemporalClient } from '../src/runtime';
import { parseKeys } from '../src/security/keyring';
import { createSecretBox } from '../src/security/secrets';
import { EncryptionCodec } from '../src/temporal/codec';
import { ACTION_UPDATES, awaitRecordedUpdate, caseWorkflowId, WORKFLOW_TYPE } from '../src/workflows/definitions';
import { caseInput, steward } from '../tests/fixtures/case-input';
import { startDevServer } from '../tests/helpers/temporal';

const N = Number(process.env.BENCH_CASES ?? 40);
const WARMUP = 3;
const MODES = ['plain', 'codec'] as const;
type Mode = (typeof MODES)[number];

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);

async function main() {
  const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../src/workflows'), logger: quiet });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'steward-codec-bench-'));
  const databaseUrl = `file:${path.join(dir, 'bench.db')}`;
  const server = await startDevServer();
  await migrateDeploy(databaseUrl);
  const db = createDb(databaseUrl);
  await seedDemo(db);
  const codec = new EncryptionCodec(parseKeys(`bench-1:${randomBytes(32).toString('base64')}`));
  const secrets = createSecretBox(parseKeys(`bench-2:${randomBytes(32).toString('base64')}`, 'SECRET_KEYS'));

  const setups = await Promise.all(
    MODES.map(async (mode) => {
      const target = { address: server.address, namespace: 'default', ...(mode === 'codec' ? { payloadCodec: codec } : {}) };
      const taskQueue = `codec-bench-${mode}`;
      const { worker, connection } = await createCaseWorker({ db, logger: silentLogger, target, taskQueue, secrets, channels: { log: { name: 'log', send: async () => undefined } }, workflowBundle });
      const running = worker.run();
      const { client, connection: clientConnection } = createTemporalClient(target);
      return { mode, taskQueue, client, stop: async () => (worker.shutdown(), await running, await connection.close(), await clientConnection.close()) };
    }),
  );

  const latency: Record<Mode, Record<string, number[]>> = { plain: {}, codec: {} };
  const historyBytes: Record<Mode, number[]> = { plain: [], codec: [] };
  const historyEvents: Record<Mode, number[]> = { plain: [], codec: [] };

  async function oneCase(mode: Mode, client: Client, taskQueue: string, i: number, record: boolean) {
    const caseId = `C20261121-B${mode === 'codec' ? 'C' : 'P'}${String(i).padStart(4, '0')}`;
    const timed = async <T>(name: string, fn: () => Promise<T>) => {
      const t = performance.now();
      const out = await fn();
      if (record) (latency[mode][name] ??= []).push(performance.now() - t);
      return out;
    };
    const input = caseInput(caseId);
    input.request = { ...input.request, contact: { name: `基准联系人${i}`, phone: `139${String(i).padStart(8, '0')}` } };
    const handle = await timed('start', () => client.workflow.start(WORKFLOW_TYPE, { workflowId: caseWorkflowId(caseId), taskQueue, args: [input] }));
    await timed('recorded', () => handle.executeUpdate(awaitRecordedUpdate));
    await timed('acknowledge', () => handle.executeUpdate(ACTION_UPDATES.acknowledge, { args: [{ actor: steward(1) }] }));
    await timed('propose', () => handle.executeUpdate(ACTION_UPDATES.propose, { args: [{ actor: steward(1), text: '已协调周边停车场错峰开放' }] }));
    await timed('approve', () => handle.executeUpdate(ACTION_UPDATES.approve, { args: [{ actor: steward(1) }] }));
    if (!record) return;
    const page = await client.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: caseWorkflowId(caseId) }, maximumPageSize: 1000 });
    historyBytes[mode].push(temporal.api.history.v1.History.encode(page.history ?? {}).finish().length);
    historyEvents[mode].push(page.history?.events?.length ?? 0);
  }

  for (let i = 0; i < WARMUP + N; i++) {
    // alternate which mode goes first, so neither always follows the other
    const order = i % 2 ? [...setups].reverse() : setups;
    for (const s of order) await oneCase(s.mode, s.client, s.taskQueue, i, i >= WARMUP);
  }

  // the codec alone, in process: one CaseState-sized payload (what every action's Update returns)
  const state = await setups[1]!.client.workflow.getHandle(caseWorkflowId('C20261121-BC0003')).executeUpdate(awaitRecordedUpdate);
  const payload = defaultPayloadConverter.toPayload(state);
  const M = 2000;
  for (let i = 0; i < 200; i++) await codec.decode(await codec.encode([payload])); // JIT warm-up
  let t = performance.now();
  for (let i = 0; i < M; i++) await codec.encode([payload]);
  const encodeUs = ((performance.now() - t) / M) * 1000;
  const [sealed] = await codec.encode([payload]);
  t = performance.now();
  for (let i = 0; i < M; i++) await codec.decode([sealed!]);
  const decodeUs = ((performance.now() - t) / M) * 1000;

  console.log(`\n${N} cases per mode (after ${WARMUP} warm-up), one at a time, alternating; dev server ${server.address}`);
  console.log('Update / call latency through Temporal (ms):   plain p50 / p95   codec p50 / p95   Δ mean');
  for (const name of Object.keys(latency.plain)) {
    const [p, c] = [latency.plain[name]!, latency.codec[name]!];
    const f = (xs: number[]) => `${pct(xs, 50).toFixed(1).padStart(6)} / ${pct(xs, 95).toFixed(1).padStart(6)}`;
    console.log(`  ${name.padEnd(12)} ${' '.repeat(31)}${f(p)}   ${f(c)}   ${(mean(c) - mean(p) >= 0 ? '+' : '')}${(mean(c) - mean(p)).toFixed(2)}`);
  }
  const b = (m: Mode) => mean(historyBytes[m]);
  console.log(`history of a case (start → recorded → acknowledge → propose → approve): ${mean(historyEvents.plain).toFixed(0)} events`);
  console.log(`  bytes plain ${b('plain').toFixed(0)}, codec ${b('codec').toFixed(0)} (+${(b('codec') - b('plain')).toFixed(0)}, +${((b('codec') / b('plain') - 1) * 100).toFixed(1)}%)`);
  console.log(`codec in process, one CaseState payload of ${payload.data!.length} bytes: encode ${encodeUs.toFixed(1)} µs, decode ${decodeUs.toFixed(1)} µs`);

  for (const s of setups) await s.stop();
  await db.$disconnect();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
