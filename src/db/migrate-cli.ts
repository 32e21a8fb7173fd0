/**
 * npm run db:migrate                 apply committed migrations to DATABASE_URL
 * npm run db:new-migration -- <name> write prisma/migrations/<ts>_<name> and the PostgreSQL twin
 *   (PG_SHADOW_URL: optional PostgreSQL server to replay history on instead of the snapshot)
 */
import { createDb, redact } from './client';
import { backfillMeasures } from './backfill-measures';
import { createMigration, migrateDeploy } from './migrate';

export const DEFAULT_DATABASE_URL = 'file:./data/steward.db';

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  const log = (msg: string) => {
    if (!msg.startsWith('engine:') || process.env.DEBUG_SCHEMA_ENGINE) console.log(msg);
  };
  if (cmd === 'deploy') {
    const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
    console.log(`Migrating ${redact(url)}`);
    await migrateDeploy(url, { log });
    const db = createDb(url);
    try {
      const filled = await backfillMeasures(db);
      if (filled) console.log(`Measures filled in for ${filled} cases recorded before they existed`);
    } finally {
      await db.$disconnect();
    }
  } else if (cmd === 'new' && rest.length === 1 && rest[0]) {
    const { name } = await createMigration(rest[0], { log, pgShadowUrl: process.env.PG_SHADOW_URL || undefined });
    if (name) console.log(`Review both migration.sql files, then commit them.`);
  } else {
    console.error('usage: migrate-cli deploy | migrate-cli new <name>');
    process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
