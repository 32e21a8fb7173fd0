/**
 * A migrated database seeded with the demo directory for one test file (or one describe):
 * SQLite in a temporary directory or a throwaway PostgreSQL cluster, made in beforeAll and
 * removed in afterAll. Read the fields inside tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb, type Db } from '../../src/db/client';
import { migrateDeploy } from '../../src/db/migrate';
import { seedDemo } from '../../src/db/seed';
import { startPostgres, type TestPostgres } from './postgres';

export interface SeededDatabase {
  url: string;
  db: Db;
}

export function useSeededDatabase(provider: 'sqlite' | 'postgresql'): SeededDatabase {
  const ctx = {} as SeededDatabase;
  let dir: string | undefined;
  let postgres: TestPostgres | undefined;
  beforeAll(async () => {
    if (provider === 'postgresql') {
      postgres = await startPostgres();
      ctx.url = postgres.url;
    } else {
      dir = mkdtempSync(path.join(os.tmpdir(), 'steward-db-'));
      ctx.url = `file:${path.join(dir, 'test.db')}`;
    }
    await migrateDeploy(ctx.url);
    ctx.db = createDb(ctx.url);
    await seedDemo(ctx.db);
  });
  afterAll(async () => {
    await ctx.db?.$disconnect();
    await postgres?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return ctx;
}
