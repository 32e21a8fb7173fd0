/**
 * npm run db:seed   upsert the demo directory, its demo users and the service catalogue into
 * DATABASE_URL (what npm start does with SEED_DEMO=true); the schema must be current.
 */
import { loadCatalogue } from '../catalogue-file';
import { createCatalogueStore } from '../catalogue-store';
import { ConfigError, loadConfig } from '../config';
import { createDb, redact } from './client';
import { requireCurrentSchema, SchemaBehindError } from './migrate';
import { seedDemo } from './seed';

async function main(): Promise<void> {
  const config = loadConfig();
  await requireCurrentSchema(config.DATABASE_URL);
  const db = createDb(config.DATABASE_URL);
  try {
    await seedDemo(db);
    const seeded = await createCatalogueStore(db).seed(loadCatalogue(config.CATALOGUE_FILE));
    console.log(`Seeded the demo directory${seeded.length ? ` and ${seeded.length} catalogue item(s)` : ''} into ${redact(config.DATABASE_URL)}`);
  } finally {
    await db.$disconnect();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError || e instanceof SchemaBehindError ? e.message : e);
  process.exitCode = 1;
});
