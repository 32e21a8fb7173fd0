/**
 * Prisma's better-sqlite3 driver adapter, made safe for several processes on one SQLite file.
 *
 * What goes wrong without this (measured, issue 9): Prisma starts every transaction — an interactive
 * `$transaction`, and the ones it opens itself, e.g. for an `upsert` whose `update` is empty
 * (SELECT, then INSERT) — with a plain, DEFERRED `BEGIN`. Such a transaction reads first and holds
 * only a read snapshot; when it then writes, SQLite must upgrade it to the write lock, and in WAL
 * mode that fails AT ONCE with SQLITE_BUSY (another process holds the lock) or SQLITE_BUSY_SNAPSHOT
 * (another process committed since the snapshot was taken). The busy timeout is never consulted
 * for an upgrade (waiting could deadlock), so `timeout: 5000` did not help. Prisma reports it as
 * P1008 "Operation has timed out", hence the "lock time-outs" that appeared within milliseconds.
 *
 * What this adapter does instead:
 * - Every transaction starts with `BEGIN IMMEDIATE`: it takes the write lock first, so nothing
 *   inside it can meet SQLITE_BUSY, and a transaction waits for its turn before it has read anything.
 * - Waiting is asynchronous. The connection's own busy timeout is 0 (better-sqlite3 would otherwise
 *   sleep inside the call and freeze the whole process — a worker's other activities, an API's other
 *   requests — for as long as another process writes); a statement or `BEGIN IMMEDIATE` refused with
 *   SQLITE_BUSY is tried again after a short, growing, jittered pause, up to `lockWaitMs`. Retrying is
 *   safe: SQLite refuses a statement with SQLITE_BUSY before it has changed anything, and outside a
 *   transaction each statement is its own.
 * - A process has one connection; a statement outside a transaction waits while one of the same
 *   process's transactions is open, instead of running inside it (where a rollback — e.g. a dry-run
 *   import — would silently take it along, and it would see uncommitted rows).
 */
import type { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import {
  DriverAdapterError,
  type IsolationLevel,
  type SqlDriverAdapter,
  type SqlDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
  type Transaction,
} from '@prisma/driver-adapter-utils';

export interface LockWaitOptions {
  /** how long a statement or a transaction may wait for another process's write lock (ms) */
  lockWaitMs: number;
}

/** A FIFO lock: the connection is either free, or one transaction of this process holds it. */
class ConnectionLock {
  #held = false;
  #waiters: (() => void)[] = [];

  acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SQLITE_BUSY and its extended codes (…_SNAPSHOT, …_RECOVERY, …_TIMEOUT), as the adapter reports them. */
export function isSqliteBusy(err: unknown): boolean {
  const e = err as { name?: string; cause?: { kind?: string; originalCode?: unknown } } | undefined;
  const code = e?.cause?.originalCode;
  // the adapter maps every SQLITE_BUSY* to kind SocketTimeout (Prisma's P1008), and nothing else
  return e?.name === 'DriverAdapterError' && (e.cause?.kind === 'SocketTimeout' || (typeof code === 'string' && code.startsWith('SQLITE_BUSY')));
}

const STATEMENT = (sql: string): SqlQuery => ({ sql, args: [], argTypes: [] });

class LockWaitingAdapter implements SqlDriverAdapter {
  readonly provider;
  readonly adapterName;
  readonly #inner: SqlDriverAdapter;
  readonly #options: LockWaitOptions;
  readonly #lock = new ConnectionLock();

  constructor(inner: SqlDriverAdapter, options: LockWaitOptions) {
    this.#inner = inner;
    this.#options = options;
    this.provider = inner.provider;
    this.adapterName = inner.adapterName;
    if (inner.getConnectionInfo) this.getConnectionInfo = () => inner.getConnectionInfo!();
  }

  getConnectionInfo?: SqlDriverAdapter['getConnectionInfo'];

  /** Runs `attempt` until it is not refused with SQLITE_BUSY, pausing (without blocking) in between. */
  async #waitingForLock<T>(attempt: () => Promise<T>, started = Date.now()): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (err) {
        if (!isSqliteBusy(err)) throw err;
        const waited = Date.now() - started;
        if (waited >= this.#options.lockWaitMs) throw lockedFor(err, waited);
        // 1, 2, 4 … 16 ms, jittered so that waiting processes do not retry in step
        await sleep(Math.min(16, 2 ** (tries - 1)) * (0.5 + Math.random()));
      }
    }
  }

  /** A statement outside a transaction: after this process's open transaction, if any; retried while another process writes. */
  #outside<T>(run: () => Promise<T>): Promise<T> {
    return this.#waitingForLock(async () => {
      await this.#lock.acquire();
      try {
        return await run();
      } finally {
        this.#lock.release();
      }
    });
  }

  queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return this.#outside(() => this.#inner.queryRaw(query));
  }

  executeRaw(query: SqlQuery): Promise<number> {
    return this.#outside(() => this.#inner.executeRaw(query));
  }

  async executeScript(script: string): Promise<void> {
    // not retried: a script of several statements refused halfway would run its first part twice
    // (Prisma Client does not use scripts; migrations run through their own adapter)
    await this.#lock.acquire();
    try {
      await this.#inner.executeScript(script);
    } finally {
      this.#lock.release();
    }
  }

  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    if (isolationLevel && isolationLevel !== 'SERIALIZABLE') {
      throw new DriverAdapterError({ kind: 'InvalidIsolationLevel', level: isolationLevel });
    }
    const inner = this.#inner;
    const lock = this.#lock;
    // the lock is held only once BEGIN IMMEDIATE succeeded: while this waits for another process,
    // this process's reads go on
    await this.#waitingForLock(async () => {
      await lock.acquire();
      try {
        await inner.executeRaw(STATEMENT('BEGIN IMMEDIATE'));
      } catch (err) {
        lock.release();
        throw err;
      }
    });
    let open = true;
    let ended = false; // COMMIT or ROLLBACK went through
    const run = async (query: SqlQuery) => {
      const changes = await inner.executeRaw(query);
      if (/^(COMMIT|ROLLBACK)$/i.test(query.sql.trim())) ended = true;
      return changes;
    };
    const close = async () => {
      if (!open) return;
      open = false;
      try {
        // Prisma calls rollback() without a ROLLBACK when its COMMIT failed: never leave the connection inside it
        if (!ended) await inner.executeRaw(STATEMENT('ROLLBACK')).catch(() => undefined);
      } finally {
        lock.release();
      }
    };
    // Prisma itself sends COMMIT / ROLLBACK through executeRaw (usePhantomQuery: false), then calls commit() / rollback()
    return {
      provider: inner.provider,
      adapterName: inner.adapterName,
      options: { usePhantomQuery: false },
      queryRaw: (query) => inner.queryRaw(query),
      executeRaw: run,
      commit: close,
      rollback: close,
      createSavepoint: async (name) => void (await inner.executeRaw(STATEMENT(`SAVEPOINT ${name}`))),
      rollbackToSavepoint: async (name) => void (await inner.executeRaw(STATEMENT(`ROLLBACK TO ${name}`))),
      releaseSavepoint: async (name) => void (await inner.executeRaw(STATEMENT(`RELEASE SAVEPOINT ${name}`))),
    };
  }

  dispose(): Promise<void> {
    return this.#inner.dispose();
  }
}

function lockedFor(err: unknown, waitedMs: number): DriverAdapterError {
  const cause = (err as DriverAdapterError).cause;
  return new DriverAdapterError({
    ...cause,
    originalMessage: `${(cause as { originalMessage?: string }).originalMessage ?? 'database is locked'}: waited ${waitedMs} ms for another process to release the SQLite write lock`,
  });
}

/**
 * Wraps the better-sqlite3 adapter factory. Create that factory with `timeout: 0` (no busy wait
 * inside better-sqlite3): this wrapper does the waiting.
 */
export function lockWaitingSqlite(factory: PrismaBetterSqlite3, options: LockWaitOptions): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => new LockWaitingAdapter(await factory.connect(), options),
  };
}
