/**
 * The product's real parts for API tests: a Temporal dev server, a migrated and seeded SQLite
 * database, the case worker and the Express app — wired by the same runtime code as `npm start`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Express } from 'express';
import type { Client } from '@temporalio/client';
import type { NotificationChannel, OutgoingNotification } from '../../src/adapters/notification-channel';
import { type AppDeps, createApp } from '../../src/api/app';
import type { RouteEntry } from '../../src/auth/access';
import { createTokenVerifier } from '../../src/auth/verify';
import type { SecretBox } from '../../src/security/secrets';
import { testCodec, testSecrets } from './secrets';
import { DEMO, DEMO_PASSWORD } from '../../src/db/seed';
import { type Idp, spawnIdp } from './idp';
import { createDb, type Db } from '../../src/db/client';
import { migrateDeploy } from '../../src/db/migrate';
import { seedDemo } from '../../src/db/seed';
import { loadCatalogue } from '../../src/catalogue-file';
import { createCatalogueStore } from '../../src/catalogue-store';
import { silentLogger } from '../../src/logger';
import { createCaseWorker, createTemporalClient } from '../../src/runtime';
import { startDevServer } from './temporal';

export const AUDIENCE = 'steward-api';

const s = (value: number) => ({ value, unit: 'seconds' as const });

/** `quick_test`: a catalogue item whose clocks run in seconds, so real time can cross them. */
export const QUICK_TEST_POLICY = {
  response: s(1),
  urgentResponse: s(1),
  resolution: s(600),
  escalation: { 2: s(600), 3: s(600) },
  followUpDelay: s(1),
  followUpWindow: s(600),
};

export function recordingChannel() {
  const sent: OutgoingNotification[] = [];
  const channel: NotificationChannel = {
    name: 'log',
    async send(message) {
      sent.push(message);
    },
  };
  return { channel, sent };
}

export interface Stack {
  app: Express & { locals: { routes: RouteEntry[] } };
  db: Db;
  client: Client;
  sent: OutgoingNotification[];
  address: string;
  secrets: SecretBox;
  /** the real local OpenID provider the app trusts */
  idp: Idp;
  /** a bearer access token for a demo user (or any person the test registered), from the provider */
  token(subject: string): Promise<string>;
  /** `Authorization` header value for a subject */
  auth(subject: string): Promise<{ Authorization: string }>;
  /** a department system's client-credentials token */
  machineToken(clientId: string): Promise<string>;
  /** runs another case worker on the stack's server and database, on its own task queue; `stop` kills it */
  startWorker(taskQueue: string): Promise<{ stop(): Promise<void> }>;
  /** builds another app on the stack's database and identity provider (e.g. one with no worker) */
  appWith(overrides: Partial<AppDeps>): Express;
  stop(): Promise<void>;
}

/** Client secrets of the demo department systems on the test provider. */
export const MACHINE_SECRETS: Record<string, string> = Object.fromEntries(DEMO.machines.map((m) => [m.clientId, `test-secret-${m.clientId}`]));

/** Extra people a test registers (with roles granted in the database) can sign in too. */
export const EXTRA_USERS = [
  { subject: 'chief-only', name: '只任总楼长' },
  { subject: 'other-town-point', name: '外街道点楼长' },
  { subject: 'other-town-manager', name: '外街道督查' },
  { subject: 'nobody', name: '无角色用户' },
];



let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;

export interface StackOptions {
  /** the web console's origin (e.g. http://127.0.0.1:<port>): the provider accepts its /callback and answers its CORS */
  consoleOrigin?: string;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: quiet });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'steward-api-'));
  const databaseUrl = `file:${path.join(dir, 'test.db')}`;
  const server = await startDevServer();
  await migrateDeploy(databaseUrl);
  const db = createDb(databaseUrl);
  await seedDemo(db);
  const catalogue = createCatalogueStore(db);
  await catalogue.seed(loadCatalogue());
  await catalogue.change('quick_test', { name: '测试事项', policy: QUICK_TEST_POLICY }, 'test-setup');
  const { channel, sent } = recordingChannel();
  const secrets = testSecrets();
  // every API test runs with private data encrypted in Temporal, as production does
  const codec = testCodec();
  const target = { address: server.address, namespace: 'default', payloadCodec: codec };
  const taskQueue = 'api-test';
  const { worker, connection } = await createCaseWorker({ db, logger: silentLogger, target, taskQueue, secrets, channels: { log: channel }, workflowBundle: await bundle });
  const running = worker.run();
  const { client, connection: clientConnection } = createTemporalClient(target);
  const idp = await spawnIdp({
    audience: AUDIENCE,
    users: [...DEMO.users.map(({ subject, name }) => ({ subject, name })), ...EXTRA_USERS],
    password: DEMO_PASSWORD,
    machines: DEMO.machines.map((m) => ({ clientId: m.clientId, clientSecret: MACHINE_SECRETS[m.clientId]! })),
    ...(opts.consoleOrigin ? { redirectUris: [`${opts.consoleOrigin}/callback`] } : {}),
  });
  const verifier = createTokenVerifier({ issuer: idp.issuer, audience: AUDIENCE, clockToleranceS: 0 });
  // quiet hours off: what these tests see must not depend on the hour they run at
  const base: AppDeps = { db, temporal: client, taskQueue, logger: silentLogger, verifier, secrets, codec, quietHours: false, actionWaitMs: 10_000, rateLimitPerMinute: 10_000 };
  const app = createApp(base);
  const tokens = new Map<string, Promise<string>>();
  const token = (subject: string) => {
    if (!tokens.has(subject)) tokens.set(subject, MACHINE_SECRETS[subject] ? idp.machineToken(subject, MACHINE_SECRETS[subject]!) : idp.userToken(subject));
    return tokens.get(subject)!;
  };
  return {
    app,
    db,
    client,
    sent,
    address: server.address,
    secrets,
    idp,
    token,
    auth: async (subject) => ({ Authorization: `Bearer ${await token(subject)}` }),
    machineToken: token,
    appWith: (overrides) => createApp({ ...base, ...overrides }),
    async startWorker(queue) {
      const extra = await createCaseWorker({ db, logger: silentLogger, target, taskQueue: queue, secrets, channels: { log: channel }, workflowBundle: await bundle });
      const run = extra.worker.run();
      return {
        async stop() {
          extra.worker.shutdown();
          await run;
          await extra.connection.close();
        },
      };
    },
    async stop() {
      worker.shutdown();
      await running;
      await Promise.all([connection.close(), clientConnection.close()]);
      await db.$disconnect();
      await idp.stop();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
