/**
 * HTTP API only, against TEMPORAL_ADDRESS and DATABASE_URL. It never migrates (several API
 * processes and workers start side by side); it refuses a database whose schema is behind.
 */
import { createApp } from './api/app';
import { ConfigError, loadConfig } from './config';
import { createCatalogueStore } from './catalogue-store';
import { createDb } from './db/client';
import { requireCurrentSchema, SchemaBehindError } from './db/migrate';
import { createLogger } from './logger';
import { loadCatalogue } from './catalogue-file';
import { appSettings, createTemporalClient, temporalTarget } from './runtime';
import { codecFromConfig } from './temporal/codec';
import { requireSharedKeys, secretBoxFromConfig } from './security/secrets';
import { identityFromConfig } from './auth/from-config';
import { CONSOLE_CLIENT_ID } from './auth/local-idp';

async function run() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const catalogueFile = loadCatalogue(config.CATALOGUE_FILE);
  if (!config.TEMPORAL_ADDRESS) throw new ConfigError('TEMPORAL_ADDRESS: required when running the API on its own (npm start runs everything)');
  await requireCurrentSchema(config.DATABASE_URL);
  const db = createDb(config.DATABASE_URL);
  await createCatalogueStore(db).seed(catalogueFile);
  if (!config.OIDC_ISSUER) throw new ConfigError("OIDC_ISSUER: required when running the API on its own (the district's OpenID provider; npm start runs a demo one)");
  requireSharedKeys(config);
  const codec = codecFromConfig(config);
  const identity = await identityFromConfig(config, { consoleOrigin: config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}` });
  const { client, connection } = createTemporalClient({ ...temporalTarget(config, config.TEMPORAL_ADDRESS), payloadCodec: codec });
  const app = createApp({ db, temporal: client, logger, verifier: identity.verifier, secrets: secretBoxFromConfig(config), codec, console: { issuer: identity.issuer, clientId: CONSOLE_CLIENT_ID }, ...appSettings(config) });
  const server = app.listen(config.PORT, config.HOST, () => logger.info(`API listening on http://${config.HOST}:${config.PORT}/api`));
  const stop = () => {
    server.close(async () => {
      await connection.close();
      await db.$disconnect();
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

run().catch((err) => {
  console.error(err instanceof ConfigError || err instanceof SchemaBehindError ? err.message : err);
  process.exit(1);
});
