/** Worker only: runs case workflows and activities against TEMPORAL_ADDRESS. */
import { ConfigError, loadConfig } from './config';
import { createDb } from './db/client';
import { requireCurrentSchema, SchemaBehindError } from './db/migrate';
import { createLogger } from './logger';
import { createCaseWorker, notificationChannels, temporalTarget } from './runtime';
import { codecFromConfig } from './temporal/codec';
import { requireSharedKeys, secretBoxFromConfig } from './security/secrets';

async function run() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  if (!config.TEMPORAL_ADDRESS) throw new ConfigError('TEMPORAL_ADDRESS: required when running the worker on its own (npm start runs everything)');
  requireSharedKeys(config);
  // the worker never migrates: that is one explicit step (npm run db:migrate), not every process's
  await requireCurrentSchema(config.DATABASE_URL);
  const db = createDb(config.DATABASE_URL);
  const { worker, connection } = await createCaseWorker({
    db,
    logger,
    target: { ...temporalTarget(config, config.TEMPORAL_ADDRESS), payloadCodec: codecFromConfig(config) },
    secrets: secretBoxFromConfig(config),
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    publicUrl: config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`,
    channels: notificationChannels(config, logger),
    tuning: config,
  });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, address: config.TEMPORAL_ADDRESS }, 'worker started');
  await worker.run(); // the SDK shuts down gracefully on SIGINT/SIGTERM
  await connection.close();
  await db.$disconnect();
}

run().catch((err) => {
  console.error(err instanceof ConfigError || err instanceof SchemaBehindError ? err.message : err);
  process.exit(1);
});
