import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/sqlite/client';
import { PrismaClient as PgPrismaClient } from '../generated/postgres/client';

/**
 * The application's database handle. Typed as the SQLite-generated client: both generated
 * clients come from the same models (prisma/postgres/schema.prisma is derived from
 * prisma/schema.prisma), so their model APIs are identical.
 */
export type Db = PrismaClient;

export type Provider = 'sqlite' | 'postgresql';

/** How long a writer waits for another process's lock (API and worker share one SQLite file). */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

export function providerOf(url: string): Provider {
  if (url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  throw new Error(`Unsupported DATABASE_URL ${JSON.stringify(redact(url))}: expected file:… or postgres(ql)://…`);
}

/**
 * `file:./data/x.db` → absolute path (relative to process.cwd(), as Prisma's own tooling does),
 * with its parent directory created so a fresh checkout can start without setup.
 */
export function sqlitePath(url: string): string {
  const p = url.slice('file:'.length).replace(/\?.*$/, '');
  if (p === ':memory:') return p;
  const abs = path.resolve(process.cwd(), p);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  return abs;
}

export function createDb(databaseUrl: string): Db {
  if (providerOf(databaseUrl) === 'postgresql') {
    const adapter = new PrismaPg({ connectionString: databaseUrl });
    // Same models, different provider: the cast only trades one generated type for its twin.
    return new PgPrismaClient({ adapter }) as unknown as Db;
  }
  const file = sqlitePath(databaseUrl);
  if (file !== ':memory:') {
    // WAL lets readers proceed while the other process writes; it is a persistent property of
    // the file, so setting it once here (synchronously) covers the adapter's own connection.
    const db = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    try {
      db.pragma('journal_mode = WAL');
    } finally {
      db.close();
    }
  }
  // `timeout` is better-sqlite3's busy_timeout for the adapter's connection.
  const adapter = new PrismaBetterSqlite3({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS });
  return new PrismaClient({ adapter });
}

/** For error messages: never echo a password. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
