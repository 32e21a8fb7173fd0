/**
 * Issue 7 end to end: a case run by the real worker on a real dev server, started and acted on
 * through a client with the payload codec. What Temporal stores (the raw history bytes) holds
 * none of the case's private data; the same history run through the codec holds all of it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import type { Connection } from '@temporalio/client';
import { createCaseWorker, createTemporalClient, type TemporalTarget } from '../../src/runtime';
import { createDb, type Db } from '../../src/db/client';
import { migrateDeploy } from '../../src/db/migrate';
import { seedDemo } from '../../src/db/seed';
import { silentLogger } from '../../src/logger';
import { testSecrets } from '../helpers/secrets';
import { parseKeys } from '../../src/security/keyring';
import { EncryptionCodec } from '../../src/temporal/codec';
import { ACTION_UPDATES, caseWorkflowId, WORKFLOW_TYPE } from '../../src/workflows/definitions';
import { caseInput, steward } from '../fixtures/case-input';
import { eventually } from '../helpers/eventually';
import { startDevServer, type TestDevServer } from '../helpers/temporal';

const CASE_ID = 'C20261121-CRYPT1';
const SECRETS = {
  name: '保密联系人甲乙',
  phone: '13712345678',
  description: '机密描述：地下车库渗水严重XYZ',
  note: '签收备注：内部信息QRS',
};

type History = temporal.api.history.v1.IHistory;
type Payload = temporal.api.common.v1.IPayload;

let server: TestDevServer;
let dir: string;
let db: Db;
let codec: EncryptionCodec;
let stopWorker: () => Promise<void>;
let workflowBundle: WorkflowBundleWithSourceMap;
const connections: Connection[] = [];
const taskQueue = 'encrypted-history';

beforeAll(async () => {
  const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;
  const bundling = bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: quiet });
  dir = mkdtempSync(path.join(os.tmpdir(), 'steward-crypt-'));
  const databaseUrl = `file:${path.join(dir, 'test.db')}`;
  server = await startDevServer();
  await migrateDeploy(databaseUrl);
  db = createDb(databaseUrl);
  await seedDemo(db);
  codec = new EncryptionCodec(parseKeys(`e2e-1:${randomBytes(32).toString('base64')}`));
  const target: TemporalTarget = { address: server.address, namespace: 'default', payloadCodec: codec };
  const { worker, connection } = await createCaseWorker({
    db,
    logger: silentLogger,
    target,
    taskQueue,
    secrets: testSecrets(),
    channels: { log: { name: 'log', send: async () => undefined } },
    workflowBundle: (workflowBundle = await bundling),
  });
  const running = worker.run();
  stopWorker = async () => {
    worker.shutdown();
    await running;
    await connection.close();
  };
});

afterAll(async () => {
  await stopWorker?.();
  await Promise.all(connections.map((c) => c.close()));
  await db?.$disconnect();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function client(payloadCodec?: EncryptionCodec) {
  const made = createTemporalClient({ address: server.address, namespace: 'default', ...(payloadCodec ? { payloadCodec } : {}) });
  connections.push(made.connection);
  return made;
}

async function rawHistory(connection: Connection, workflowId: string): Promise<History> {
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId }, nextPageToken });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return { events };
}

const isPayload = (v: unknown): v is Payload =>
  !!v && typeof v === 'object' && 'metadata' in v && !!(v as Payload).metadata?.encoding && ArrayBuffer.isView((v as Payload).metadata!.encoding);

/** Runs every payload anywhere in the history (inputs, results, update args, markers…) through the codec. */
async function decodeAll(value: unknown): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map(decodeAll));
  if (isPayload(value)) return (await codec.decode([value]))[0];
  if (!value || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = await decodeAll(v);
  return out;
}

const bytesOf = (history: History) => Buffer.from(temporal.api.history.v1.History.encode(history).finish());
const found = (bytes: Buffer) => Object.entries(SECRETS).filter(([, s]) => bytes.includes(Buffer.from(s, 'utf8'))).map(([k]) => k);

it('stores a case history with no private data in clear text; the codec reads it all back', async () => {
  const { client: codecClient } = client(codec);
  const input = caseInput(CASE_ID, {});
  input.request = { ...input.request, description: SECRETS.description, contact: { name: SECRETS.name, phone: SECRETS.phone } };
  const handle = await codecClient.workflow.start(WORKFLOW_TYPE, { workflowId: caseWorkflowId(CASE_ID), taskQueue, args: [input] });

  // the worker decrypted the input: the read model has the contact
  const row = await eventually(() => db.case.findUnique({ where: { id: CASE_ID } }).then((r) => r ?? false), { timeoutMs: 30_000 });
  expect(row).toMatchObject({ contactName: SECRETS.name, contactPhone: SECRETS.phone, description: SECRETS.description });
  // an Update through the codec client: its argument and its result (the case state) are payloads too
  const state = await handle.executeUpdate(ACTION_UPDATES.acknowledge, { args: [{ actor: steward(1), note: SECRETS.note }] });
  expect(state.stage).toBe('acknowledged');

  const { connection: plainConnection } = client();
  const raw = await rawHistory(plainConnection, caseWorkflowId(CASE_ID));
  const rawBytes = bytesOf(raw);
  expect(raw.events!.length).toBeGreaterThan(5);
  expect(found(rawBytes)).toEqual([]);
  expect(rawBytes.includes(Buffer.from('binary/encrypted'))).toBe(true);

  const decoded = (await decodeAll(raw)) as History;
  expect(found(bytesOf(decoded))).toEqual(['name', 'phone', 'description', 'note']);

  // a replay with the codec reads the encrypted history; one without it cannot
  const withCodec = { workflowBundle, dataConverter: { payloadCodecs: [codec] } };
  await expect(Worker.runReplayHistory({ ...withCodec, replayName: 'encrypted' }, raw)).resolves.toBeUndefined();
  await expect(Worker.runReplayHistory({ workflowBundle, replayName: 'encrypted-no-codec' }, raw)).rejects.toThrow(/binary\/encrypted/);
});

it('replays a history recorded in clear text before encryption, with the codec in place', async () => {
  const history = JSON.parse(readFileSync(path.join(__dirname, '..', 'workflows', 'histories', 'closed-satisfied.json'), 'utf8'));
  await expect(Worker.runReplayHistory({ workflowBundle, dataConverter: { payloadCodecs: [codec] }, replayName: 'clear' }, history)).resolves.toBeUndefined();
});
