/**
 * `npm start`: the whole service on its embedded default — a Temporal dev server persisting
 * to ./data (unless TEMPORAL_ADDRESS names one), the worker, the HTTP API on the database,
 * migrations applied and the demo directory seeded. Ctrl-C stops everything in order.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createApp } from './api/app';
import { ConfigError, loadConfig } from './config';
import { createCatalogueStore } from './catalogue-store';
import { createDb } from './db/client';
import { migrateDeploy } from './db/migrate';
import { backfillMeasures } from './db/backfill-measures';
import { DEMO_WALKTHROUGH, seedDemo, seedDemoCatalogue } from './db/seed';
import { createLogger } from './logger';
import { loadCatalogue } from './catalogue-file';
import { appSettings, createCaseWorker, notificationChannels, createTemporalClient, temporalTarget } from './runtime';
import { type DevServerOptions, startDevServer, superviseDevServer, type SupervisedDevServer } from './temporal/dev-server';
import { codecFromConfig } from './temporal/codec';
import { secretBoxFromConfig } from './security/secrets';
import { identityFromConfig } from './auth/from-config';
import { CONSOLE_CLIENT_ID } from './auth/local-idp';

async function run() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const catalogueFile = loadCatalogue(config.CATALOGUE_FILE);
  // we stop the worker ourselves, after the API, so no request is cut off mid-way
  Runtime.install({ shutdownSignals: [], logger: new DefaultLogger('WARN') });

  const apiOrigin = `http://${config.HOST}:${config.PORT}`;
  const codec = codecFromConfig(config);
  const secrets = secretBoxFromConfig(config);
  // the embedded identity provider (unless OIDC_ISSUER names the district's) and the verifier
  const identity = await identityFromConfig(config, { consoleOrigin: apiOrigin });

  let devServer: SupervisedDevServer | undefined;
  let address = config.TEMPORAL_ADDRESS;
  let stop: (signal: string, exitCode?: number) => Promise<void> = async (_signal, exitCode = 1) => process.exit(exitCode);
  if (!address) {
    const dbFilename = path.resolve(config.TEMPORAL_DB_FILE);
    mkdirSync(path.dirname(dbFilename), { recursive: true });
    logger.info({ dbFilename }, 'starting embedded Temporal dev server');
    const options: DevServerOptions = {
      executable: path.resolve(config.TEMPORAL_CLI),
      dbFilename,
      port: config.TEMPORAL_DEV_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      namespace: config.TEMPORAL_NAMESPACE,
      // the Web UI decodes encrypted payloads through the API's codec endpoint (a token is needed)
      codecEndpoint: `${apiOrigin}/api/codec`,
      log: (line) => logger.debug({ component: 'temporal-dev-server' }, line),
    };
    // a dev server that dies is restarted on the same ports and file; one that keeps dying stops
    // the service with a message, rather than leaving a worker and an API retrying against nothing
    devServer = superviseDevServer(await startDevServer(options), options, {
      onExit: (exit) => logger.error({ component: 'temporal-dev-server', ...exit }, 'Temporal dev server stopped; restarting it'),
      onRestarted: (h) => logger.warn({ component: 'temporal-dev-server', pid: h.pid }, 'Temporal dev server restarted; cases carry on'),
      onRestartFailed: (err) => logger.error({ component: 'temporal-dev-server', err }, 'Temporal dev server did not restart'),
      onGiveUp: (reason) => {
        logger.fatal({ component: 'temporal-dev-server' }, `${reason}; stopping the service. Look at the server's log (LOG_LEVEL=debug) and ${dbFilename}, then npm start again.`);
        void stop('temporal-dev-server-failure', 1);
      },
    });
    address = devServer.current().address;
  }

  const migrated = await migrateDeploy(config.DATABASE_URL, { log: (m) => logger.debug(m) });
  if (migrated.applied.length) logger.info({ applied: migrated.applied }, 'database migrated');
  const db = createDb(config.DATABASE_URL);
  const backfilled = await backfillMeasures(db);
  if (backfilled) logger.info({ cases: backfilled }, 'measures filled in for cases recorded before they existed');
  if (config.SEED_DEMO) {
    await seedDemo(db);
    logger.info('demo directory seeded (GET /api/directory)');
  }
  const catalogue = createCatalogueStore(db);
  const seeded = await catalogue.seed(catalogueFile);
  if (seeded.length) logger.info({ seeded, version: catalogueFile.version }, 'service catalogue seeded (GET /api/catalogue)');
  if (config.SEED_DEMO && (await seedDemoCatalogue(catalogue))) logger.info({ code: DEMO_WALKTHROUGH.code }, 'demo catalogue item added');

  const target = { ...temporalTarget(config, address), payloadCodec: codec };
  const { worker, connection: workerConnection } = await createCaseWorker({ db, logger, target, secrets, taskQueue: config.TEMPORAL_TASK_QUEUE, publicUrl: config.PUBLIC_URL ?? apiOrigin, channels: notificationChannels(config, logger), tuning: config });
  const workerRun = worker.run();
  const { client, connection } = createTemporalClient(target);
  const app = createApp({
    db,
    temporal: client,
    logger,
    verifier: identity.verifier,
    secrets,
    codec,
    console: { issuer: identity.issuer, clientId: CONSOLE_CLIENT_ID },
    // the dev server's Web UI calls the codec endpoint from the browser
    ...appSettings(config, devServer ? [new URL(devServer.current().uiUrl).origin] : []),
  });
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
  });

  const apiUrl = `http://${config.HOST}:${config.PORT}/api`;
  console.log(
    [
      '',
      `  Steward appeals service is running`,
      `  Console:           http://${config.HOST}:${config.PORT}/   (网页控制台)`,
      `  API:               ${apiUrl}`,
      identity.local
        ? `  Sign in:           ${identity.issuer}   (demo users, password "${identity.local.password}"; a token: npm run -s token -- stw-point-1)`
        : `  Identity provider: ${identity.issuer}`,
      `  OpenAPI:           ${apiUrl}/openapi.json`,
      `  Temporal:          ${address} namespace ${config.TEMPORAL_NAMESPACE}`,
      devServer ? `  Temporal Web UI:   ${devServer.current().uiUrl}` : `  Temporal Web UI:   (external cluster)`,
      `  Database:          ${config.DATABASE_URL.replace(/\/\/[^@]*@/, '//***@')}`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  stop = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // draining the worker needs Temporal; when Temporal is what failed, do not wait for ever
    setTimeout(() => process.exit(exitCode || 1), 20_000).unref();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    worker.shutdown();
    await workerRun;
    await Promise.all([connection.close(), workerConnection.close()]);
    await db.$disconnect();
    await identity.stop();
    await devServer?.stop();
    logger.info('stopped');
    process.exit(exitCode);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  workerRun.catch((err) => {
    logger.fatal({ err }, 'worker failed');
    void stop('worker-failure', 1);
  });
}

run().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
