import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { lockWaitingSqlite } from './sqlite-adapter';
import { PrismaClient } from '../generated/sqlite/client';
import { PrismaClient as PgPrismaClient } from '../generated/postgres/client';

/**
 * The application's database handle. Typed as the SQLite-generated client: both generated
 * clients come from the same models (prisma/postgres/schema.prisma is derived from
 * prisma/schema.prisma), so their model APIs are identical.
 */
export type Db = PrismaClient;

export type Provider = 'sqlite' | 'postgresql';

/**
 * How long a statement or a transaction waits for another process's write lock on a shared SQLite
 * file before it fails (P1008; an activity is then retried, an API answers 503). The wait is
 * asynchronous (src/db/sqlite-adapter.ts): the process goes on serving while it waits.
 */
export const SQLITE_LOCK_WAIT_MS = 10_000;
/** busy_timeout of the short-lived connections outside Prisma (switching on WAL, schema checks). */
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

export interface DbOptions {
  /** SQLite only: see SQLITE_LOCK_WAIT_MS */
  sqliteLockWaitMs?: number;
}

export function createDb(databaseUrl: string, options: DbOptions = {}): Db {
  if (providerOf(databaseUrl) === 'postgresql') {
    const adapter = new PrismaPg({ connectionString: databaseUrl });
    // Same models, different provider: the cast only trades one generated type for its twin.
    return new PgPrismaClient({ adapter }) as unknown as Db;
  }
  const file = sqlitePath(databaseUrl);
  if (file !== ':memory:') {
    // WAL lets readers proceed while another process writes; it is a persistent property of
    // the file, so setting it once here (synchronously) covers the adapter's own connection.
    const db = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    try {
      db.pragma('journal_mode = WAL');
    } finally {
      db.close();
    }
  }
  // Several processes (workers, APIs) may share the file: every transaction begins IMMEDIATE and
  // waits for the write lock asynchronously (src/db/sqlite-adapter.ts). better-sqlite3's own busy
  // wait is off (timeout 0): it would freeze the whole process for as long as another one writes.
  const lockWaitMs = options.sqliteLockWaitMs ?? SQLITE_LOCK_WAIT_MS;
  const adapter = lockWaitingSqlite(new PrismaBetterSqlite3({ url: file, timeout: 0 }), { lockWaitMs });
  // a transaction may wait its turn for the lock (and behind this process's other transactions)
  // longer than Prisma's default 2 s before it starts
  return new PrismaClient({ adapter, transactionOptions: { maxWait: lockWaitMs + 5_000 } });
}

/** For error messages: never echo a password. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
