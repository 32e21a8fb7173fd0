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
import { createApp } from '../../src/api/app';
import { createDb, type Db } from '../../src/db/client';
import { migrateDeploy } from '../../src/db/migrate';
import { seedDemo } from '../../src/db/seed';
import { loadCatalogue } from '../../src/catalogue-file';
import { createCatalogueStore } from '../../src/catalogue-store';
import { silentLogger } from '../../src/logger';
import { createCaseWorker, createTemporalClient } from '../../src/runtime';
import { startDevServer } from './temporal';

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
  app: Express;
  db: Db;
  client: Client;
  sent: OutgoingNotification[];
  address: string;
  stop(): Promise<void>;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;

export async function startStack(): Promise<Stack> {
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
  const target = { address: server.address, namespace: 'default' };
  const taskQueue = 'api-test';
  const { worker, connection } = await createCaseWorker({ db, logger: silentLogger, target, taskQueue, channels: { log: channel }, workflowBundle: await bundle });
  const running = worker.run();
  const { client, connection: clientConnection } = createTemporalClient(target);
  // quiet hours off: what these tests see must not depend on the hour they run at
  const app = createApp({ db, temporal: client, taskQueue, logger: silentLogger, quietHours: false, actionWaitMs: 10_000 });
  return {
    app,
    db,
    client,
    sent,
    address: server.address,
    async stop() {
      worker.shutdown();
      await running;
      await Promise.all([connection.close(), clientConnection.close()]);
      await db.$disconnect();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
