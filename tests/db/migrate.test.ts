import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createDb } from '../../src/db/client';
import { createMigration, diffDatabaseToSchema, migrateDeploy, migrationsDir } from '../../src/db/migrate';
import { startPostgres, type TestPostgres } from '../helpers/postgres';

const TABLES = ['Town', 'Area', 'Building', 'Steward', 'Department', 'Enterprise', 'Case', 'CaseEvent', 'Notification', 'IntakeKey', 'CallbackReceipt', 'Incident'];
const committed = (provider: 'sqlite' | 'postgresql') =>
  fs.readdirSync(migrationsDir(provider), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

const tmpDirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-db-'));
  tmpDirs.push(d);
  return d;
}
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

/** A fresh database in the shared test cluster. */
async function freshPgDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return postgres.url.replace(/\/postgres$/, `/${name}`);
}

test('both providers have the same migration names', () => {
  expect(committed('sqlite').length).toBeGreaterThan(0);
  expect(committed('postgresql')).toEqual(committed('sqlite'));
});

async function roundTrip(url: string): Promise<void> {
  const db = createDb(url);
  try {
    await db.town.create({ data: { id: 'town-1', name: '长安镇' } });
    const town = await db.town.findUnique({ where: { id: 'town-1' } });
    expect(town).toMatchObject({ id: 'town-1', name: '长安镇', chiefStewardId: null });
    expect(town?.createdAt).toBeInstanceOf(Date);
  } finally {
    await db.$disconnect();
  }
}

describe('SQLite', () => {
  test('migrateDeploy applies every migration once, and the result matches the schema', async () => {
    // A missing parent directory is created.
    const url = `file:${path.join(tmpDir(), 'nested', 'steward.db')}`;
    expect(await migrateDeploy(url)).toEqual({ applied: committed('sqlite') });
    expect(await migrateDeploy(url)).toEqual({ applied: [] });

    const file = url.slice('file:'.length);
    const raw = new Database(file, { readonly: true });
    const tables = raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all();
    const applied = raw.prepare(`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL`).pluck().all();
    raw.close();
    expect(tables).toEqual(expect.arrayContaining([...TABLES, '_prisma_migrations']));
    expect(applied).toEqual(committed('sqlite'));

    expect(await diffDatabaseToSchema(url)).toBe('');
    await roundTrip(url);

    const check = new Database(file, { readonly: true });
    expect(check.pragma('journal_mode', { simple: true })).toBe('wal');
    check.close();
  });

  test('a relative file: URL resolves against the working directory', async () => {
    const cwd = process.cwd();
    const dir = tmpDir();
    process.chdir(dir);
    try {
      await migrateDeploy('file:./data/rel.db');
      await roundTrip('file:./data/rel.db');
    } finally {
      process.chdir(cwd);
    }
    expect(fs.existsSync(path.join(dir, 'data', 'rel.db'))).toBe(true);
  });
});

describe('PostgreSQL', () => {
  test('migrateDeploy applies every migration once, and the result matches the schema', async () => {
    const url = await freshPgDatabase('deploy');
    expect(await migrateDeploy(url)).toEqual({ applied: committed('postgresql') });
    expect(await migrateDeploy(url)).toEqual({ applied: [] });

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const tables = await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
      expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining([...TABLES, '_prisma_migrations']));
      const applied = await client.query(`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY 1`);
      expect(applied.rows.map((r) => r.migration_name)).toEqual(committed('postgresql'));
    } finally {
      await client.end();
    }

    // Catches a PostgreSQL migration (or snapshot) drifting from prisma/schema.prisma.
    expect(await diffDatabaseToSchema(url)).toBe('');
    await roundTrip(url);
  });
});

describe('createMigration', () => {
  /** A scratch copy of prisma/ whose schema gains a column, so the real migrations stay untouched. */
  function scratchRoot(): string {
    const root = tmpDir();
    fs.cpSync(path.resolve(__dirname, '../../prisma'), path.join(root, 'prisma'), { recursive: true });
    const schemaFile = path.join(root, 'prisma/schema.prisma');
    const schema = fs.readFileSync(schemaFile, 'utf8');
    fs.writeFileSync(schemaFile, schema.replace(/(model Town \{\n)/, '$1  nickname       String?\n'));
    return root;
  }

  test('the committed migrations are up to date with the schema', async () => {
    expect(await createMigration('nothing')).toEqual({ name: null, dirs: [] });
  });

  test('writes the same change for both providers, offline and via a shadow database alike', async () => {
    const now = new Date('2030-01-02T03:04:05Z');
    const offline = scratchRoot();
    const created = await createMigration('add nickname', { root: offline, now });
    expect(created.name).toBe('20300102030405_add_nickname');
    const sql = (provider: 'sqlite' | 'postgresql', root: string) =>
      fs.readFileSync(path.join(migrationsDir(provider, root), created.name!, 'migration.sql'), 'utf8');
    expect(sql('sqlite', offline)).toMatch(/ALTER TABLE "Town" ADD COLUMN "nickname" TEXT/);
    expect(sql('postgresql', offline)).toMatch(/ALTER TABLE "Town" ADD COLUMN\s+"nickname" TEXT/);
    // Nothing left to migrate.
    expect(await createMigration('again', { root: offline })).toEqual({ name: null, dirs: [] });

    // Replaying the PostgreSQL history on a real server yields the same migration as the snapshot diff.
    const viaShadow = scratchRoot();
    await createMigration('add nickname', { root: viaShadow, now, pgShadowUrl: postgres.url });
    expect(sql('postgresql', viaShadow)).toBe(sql('postgresql', offline));

    // And the new history deploys and matches the changed schema.
    const url = await freshPgDatabase('created');
    expect((await migrateDeploy(url, { root: offline })).applied).toContain(created.name);
    expect(await diffDatabaseToSchema(url, offline)).toBe('');
  });
});
