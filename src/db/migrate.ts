/**
 * Prisma migrations without Prisma's native schema engine (which cannot be downloaded here):
 * the same engine's official Wasm build, driven through our driver adapters.
 *
 * Layout is stock Prisma, one directory per provider with identical migration names:
 *   prisma/migrations/<ts>_<name>/migration.sql           (SQLite)
 *   prisma/postgres/migrations/<ts>_<name>/migration.sql  (PostgreSQL)
 * and the engine keeps its usual `_prisma_migrations` table, so stock tooling agrees with us.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlQuery,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import Database from 'better-sqlite3';
import pg from 'pg';
import type * as Wasm from '@prisma/schema-engine-wasm' with { 'resolution-mode': 'import' };
import { type Provider, providerOf, redact, sqlitePath, SQLITE_BUSY_TIMEOUT_MS } from './client';

/** The repository root; tests point `root` at a scratch copy of prisma/. */
const REPO_ROOT = path.resolve(__dirname, '../..');
const schemaPath = (root: string) => path.join(root, 'prisma/schema.prisma');
export const migrationsDir = (provider: Provider, root = REPO_ROOT) =>
  path.join(root, provider === 'sqlite' ? 'prisma/migrations' : 'prisma/postgres/migrations');
/**
 * The PostgreSQL datamodel each PostgreSQL migration leads to. New PostgreSQL migrations are
 * diffed from the latest one, so creating a migration needs no PostgreSQL server (see
 * createMigration). Not named *.prisma so that schema-folder loading can never pick it up.
 */
const SNAPSHOT_FILE = 'schema.prisma.snapshot';
const NO_FILTER: Wasm.SchemaFilter = { externalTables: [], externalEnums: [] };

type Log = (msg: string) => void;

export interface MigrationStatus {
  /** committed migrations the database has not finished applying, in order */
  pending: string[];
  /** migrations the database records that this code does not have (a newer release migrated it) */
  unknown: string[];
}

/**
 * Which committed migrations the database lacks, read from `_prisma_migrations` with a plain
 * query. Unlike the schema engine (which takes SQLite's exclusive lock), this can run beside
 * live processes, so every process can check the schema at start without disturbing the others.
 */
export async function migrationStatus(databaseUrl: string, root = REPO_ROOT): Promise<MigrationStatus> {
  const provider = providerOf(databaseUrl);
  const committed = readMigrations(provider, root).migrationDirectories.map((d) => d.path);
  const done = await appliedMigrations(databaseUrl);
  return { pending: committed.filter((m) => !done.has(m)), unknown: [...done].filter((m) => !committed.includes(m)).sort() };
}

const APPLIED_SQL = `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;

async function appliedMigrations(databaseUrl: string): Promise<Set<string>> {
  if (providerOf(databaseUrl) === 'sqlite') {
    const file = sqlitePath(databaseUrl);
    if (file === ':memory:' || !fs.existsSync(file)) return new Set();
    const db = new Database(file, { readonly: true, timeout: SQLITE_BUSY_TIMEOUT_MS });
    try {
      const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`).get();
      return new Set(table ? (db.prepare(APPLIED_SQL).pluck().all() as string[]) : []);
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ t: string | null }>(`SELECT to_regclass('_prisma_migrations')::text AS t`);
    if (!rows[0]?.t) return new Set();
    return new Set((await client.query<{ migration_name: string }>(APPLIED_SQL)).rows.map((r) => r.migration_name));
  } finally {
    await client.end();
  }
}

/** Refuses to run against a database whose schema is behind this code. */
export async function requireCurrentSchema(databaseUrl: string, root = REPO_ROOT): Promise<MigrationStatus> {
  const status = await migrationStatus(databaseUrl, root);
  if (status.pending.length) {
    throw new SchemaBehindError(
      `The database ${redact(databaseUrl)} lacks ${status.pending.length} migration(s) (${status.pending.join(', ')}). ` +
        'Apply them once, from one place, with `npm run db:migrate` (npm start does it for its embedded database), then start this process again.',
    );
  }
  return status;
}

export class SchemaBehindError extends Error {
  override readonly name = 'SchemaBehindError';
}

export async function migrateDeploy(
  databaseUrl: string,
  opts: { log?: Log; root?: string } = {},
): Promise<{ applied: string[] }> {
  const provider = providerOf(databaseUrl);
  const { log = () => {}, root = REPO_ROOT } = opts;
  // the engine locks a SQLite file exclusively; when nothing is pending, do not take that lock
  // from processes already running on it
  if (!(await migrationStatus(databaseUrl, root)).pending.length) {
    log(`${provider}: database up to date`);
    return { applied: [] };
  }
  return withEngine(readSchema(provider, root), connectFactory(databaseUrl), log, async (engine) => {
    const migrationsList = readMigrations(provider, root);
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: NO_FILTER });
    log(
      appliedMigrationNames.length
        ? `${provider}: applied ${appliedMigrationNames.join(', ')}`
        : `${provider}: ${migrationsList.migrationDirectories.length} migration(s), database up to date`,
    );
    return { applied: appliedMigrationNames };
  });
}

/**
 * Writes `<timestamp>_<name>/migration.sql` for both providers from the change between the
 * migrations so far and prisma/schema.prisma. Returns null dirs when nothing changed.
 *
 * - SQLite: the engine's own `createMigration`, which replays the migration history into an
 *   in-memory shadow database and diffs it against the schema (authoritative, like `migrate dev`).
 * - PostgreSQL: `diff` from the datamodel snapshot stored with the latest PostgreSQL migration
 *   to the current schema. Both are datamodels, so no server (and no shadow database) is needed.
 *   Pass `pgShadowUrl` (a PostgreSQL server we may CREATE/DROP a database on) to instead replay
 *   the history into a shadow database, e.g. when a migration was edited by hand or a snapshot
 *   is missing. tests/db/migrate.test.ts checks on a real server that the migrations reproduce
 *   the schema, so a stale snapshot cannot go unnoticed.
 */
export async function createMigration(
  name: string,
  opts: { log?: Log; pgShadowUrl?: string; now?: Date; root?: string } = {},
): Promise<{ name: string | null; dirs: string[] }> {
  const { log = () => {}, root = REPO_ROOT } = opts;
  const slug = name.trim().toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!slug) throw new Error(`Invalid migration name ${JSON.stringify(name)}`);
  const dirName = `${timestamp(opts.now ?? new Date())}_${slug}`;
  const schemas = { sqlite: readSchema('sqlite', root), postgresql: readSchema('postgresql', root) };

  // Main database unused; the shadow database is the adapter's default, `:memory:`.
  const sqliteSql = await withEngine(schemas.sqlite, new PrismaBetterSqlite3({ url: ':memory:' }), log, async (engine) => {
    const input = { migrationsList: readMigrations('sqlite', root), filters: NO_FILTER };
    // The flow of `migrate dev`: bring the (throwaway) main database up to date, let devDiagnostic
    // replay the history into the shadow database, and createMigration diffs from that result.
    await engine.applyMigrations(input);
    const { action } = await engine.devDiagnostic(input);
    if (action.tag === 'reset') throw new Error(`SQLite migration history is inconsistent: ${action.reason}`);
    const out = await engine.createMigration({
      ...input,
      draft: false,
      migrationName: slug,
      schema: { files: [schemas.sqlite] },
    });
    return out.migrationScript;
  });

  const pgSql = await postgresMigrationScript(schemas.postgresql, readMigrations('postgresql', root), opts.pgShadowUrl, log);

  if (!sqliteSql && !pgSql) {
    log('No schema changes; no migration created.');
    return { name: null, dirs: [] };
  }
  const dirs: string[] = [];
  for (const [provider, sql] of [['sqlite', sqliteSql], ['postgresql', pgSql]] as const) {
    const dir = path.join(migrationsDir(provider, root), dirName);
    fs.mkdirSync(dir, { recursive: true });
    // Keep the names aligned even when a change only affects one provider.
    fs.writeFileSync(path.join(dir, 'migration.sql'), sql ?? `-- No changes for ${provider} in this migration.\n`);
    if (provider === 'postgresql') fs.writeFileSync(path.join(dir, SNAPSHOT_FILE), schemas.postgresql.content);
    writeLockfile(provider, root);
    dirs.push(dir);
    log(`Created ${path.relative(root, dir)}`);
  }
  return { name: dirName, dirs };
}

async function postgresMigrationScript(
  schema: Wasm.SchemaContainer,
  migrationsList: Wasm.MigrationList,
  shadowUrl: string | undefined,
  log: Log,
): Promise<string | null> {
  const to: Wasm.DiffTarget = { tag: 'schemaDatamodel', files: [schema] };
  let from: Wasm.DiffTarget;
  if (shadowUrl) {
    from = { tag: 'migrations', ...migrationsList };
  } else {
    const last = migrationsList.migrationDirectories.at(-1)?.path;
    if (!last) {
      // Not { tag: 'empty' }: that one lacks even the `public` schema and adds CREATE SCHEMA.
      const content = 'datasource db {\n  provider = "postgresql"\n}\n';
      from = { tag: 'schemaDatamodel', files: [{ path: 'empty.prisma', content }] };
    } else {
      const snapshot = path.join(migrationsList.baseDir, last, SNAPSHOT_FILE);
      if (!fs.existsSync(snapshot)) {
        throw new Error(`${snapshot} is missing; pass a PostgreSQL shadow URL (PG_SHADOW_URL) to diff from the migration history instead.`);
      }
      from = { tag: 'schemaDatamodel', files: [{ path: snapshot, content: fs.readFileSync(snapshot, 'utf8') }] };
    }
  }
  // Without a shadow URL the engine still wants a PostgreSQL adapter (it connects eagerly), but a
  // datamodel-to-datamodel diff never queries it: hand it one that refuses every query.
  const factory = shadowUrl ? connectFactory(shadowUrl) : offlinePostgresFactory();
  return withEngine(schema, factory, log, async (engine) => {
    const { stdout, exitCode } = await engine.diff({ from, to, script: true, exitCode: true, filters: NO_FILTER });
    return exitCode === 2 ? stdout : null; // 0: empty diff (stdout is then only a comment)
  });
}

/** Used by tests to prove the committed migrations reproduce the schema on a live database. */
export async function diffDatabaseToSchema(databaseUrl: string, root = REPO_ROOT): Promise<string> {
  const schema = readSchema(providerOf(databaseUrl), root);
  return withEngine(schema, connectFactory(databaseUrl), () => {}, async (engine) => {
    const { stdout } = await engine.diff({
      // The live database behind the adapter (a 'url' target is refused by the Wasm engine).
      from: { tag: 'schemaDatasource', files: [schema], configDir: root },
      to: { tag: 'schemaDatamodel', files: [schema] },
      script: true,
      exitCode: true,
      filters: NO_FILTER,
    });
    return (stdout ?? '').split('\n').filter((l) => l.trim() && !l.startsWith('--')).join('\n');
  });
}

// ---------------------------------------------------------------------------------------------

function connectFactory(databaseUrl: string): SqlMigrationAwareDriverAdapterFactory {
  if (providerOf(databaseUrl) === 'sqlite') {
    return new PrismaBetterSqlite3({ url: sqlitePath(databaseUrl), timeout: SQLITE_BUSY_TIMEOUT_MS });
  }
  const pool = (url: string) =>
    // Client: see CharAsTextClient. The cast: two copies of @types/pg disagree on PoolConfig.
    new PrismaPg({ connectionString: url, Client: CharAsTextClient } as pg.PoolConfig as ConstructorParameters<typeof PrismaPg>[0]);
  const main = pool(databaseUrl);
  return {
    provider: main.provider,
    adapterName: main.adapterName,
    connect: () => main.connect(),
    // The adapter's own shadow database keeps the main database when given a connection string,
    // and is dropped while its pool is still connected (DROP then fails). Do it in order.
    connectToShadowDb: async () => {
      const admin = await main.connect();
      const name = `prisma_migrate_shadow_db_${randomUUID()}`;
      await admin.executeScript(`CREATE DATABASE "${name}"`);
      const url = new URL(databaseUrl);
      url.pathname = `/${name}`;
      const shadow = await pool(url.toString()).connect();
      const closeShadow = shadow.dispose.bind(shadow);
      let closed = false;
      shadow.dispose = async () => {
        if (closed) return;
        closed = true;
        await closeShadow();
        await admin.executeScript(`DROP DATABASE IF EXISTS "${name}"`);
        await admin.dispose();
      };
      return shadow;
    },
  };
}

function offlinePostgresFactory(): SqlMigrationAwareDriverAdapterFactory {
  const refuse = async (): Promise<never> => {
    throw new Error('offline PostgreSQL adapter: this operation needs a real server (pass pgShadowUrl)');
  };
  const adapter: SqlDriverAdapter = {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    // On connect the engine asks which PostgreSQL it talks to (to choose its dialect); answer as
    // the version we deploy on. Anything else would need a database, so it fails loudly.
    queryRaw: async (q) => {
      if (!/\bversion\(\)/.test(q.sql)) return refuse();
      return {
        columnNames: ['exists', 'version', 'numeric_version'],
        columnTypes: [ColumnTypeEnum.Boolean, ColumnTypeEnum.Text, ColumnTypeEnum.Int32],
        rows: [[true, 'PostgreSQL 15.0 (offline)', 150000]],
      };
    },
    executeRaw: refuse,
    executeScript: refuse,
    startTransaction: refuse,
    getConnectionInfo: () => ({ supportsRelationJoins: true }),
    dispose: async () => {},
  };
  return { provider: 'postgres', adapterName: '@prisma/adapter-pg', connect: async () => adapter, connectToShadowDb: refuse };
}

/**
 * The engine's catalog queries return `"char"` columns (e.g. pg_constraint.contype), which the
 * pg adapter refuses as an unsupported type. They are single ASCII characters, and pg's text
 * parser for them is identity, so relabel them as text before the adapter looks.
 */
const PG_CHAR = 18;
const PG_TEXT = 25;
class CharAsTextClient extends pg.Client {
  override query(...args: any[]): any {
    const fix = (res: any) => {
      for (const r of Array.isArray(res) ? res : [res]) {
        for (const f of r?.fields ?? []) if (f.dataTypeID === PG_CHAR) f.dataTypeID = PG_TEXT;
      }
      return res;
    };
    const cbAt = args.findIndex((a) => typeof a === 'function');
    if (cbAt >= 0) {
      const cb = args[cbAt];
      args[cbAt] = (err: unknown, res: unknown) => cb(err, err ? res : fix(res));
      return (super.query as any)(...args);
    }
    const ret = (super.query as any)(...args);
    return ret && typeof ret.then === 'function' ? ret.then(fix) : ret;
  }
}

async function withEngine<T>(
  schema: Wasm.SchemaContainer,
  factory: SqlMigrationAwareDriverAdapterFactory,
  log: Log,
  fn: (engine: Wasm.SchemaEngine) => Promise<T>,
): Promise<T> {
  const { SchemaEngine } = await loadWasmEngine();
  // The engine never closes what it opens; track connections so pools and files get released.
  const opened: SqlDriverAdapter[] = [];
  const track = (connect: () => Promise<SqlDriverAdapter>) => async () => {
    const adapter = await connect();
    opened.push(adapter);
    return runScriptsAsScripts(adapter);
  };
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: track(() => factory.connect()),
    connectToShadowDb: track(() => factory.connectToShadowDb()),
  };
  const bound = bindMigrationAwareSqlAdapterFactory(tracked);
  const keepAlive = setInterval(() => {}, 60_000); // engine timers are unref'd (loadWasmEngine)
  let engine: Wasm.SchemaEngine | undefined;
  try {
    engine = await SchemaEngine.new({ datamodels: [[schema.path, schema.content]] }, (line: string) => log(`engine: ${line}`), bound);
    return await fn(engine);
  } catch (e) {
    throw engineError(e, bound.errorRegistry);
  } finally {
    clearInterval(keepAlive);
    engine?.free();
    for (const a of opened.reverse()) await a.dispose().catch(() => {});
  }
}

/**
 * When replaying migrations into a shadow database the engine sends each migration.sql as a
 * single raw statement, which better-sqlite3 rejects ("more than one statement"). Run those as
 * scripts instead; parameterless migration SQL returns nothing the engine needs.
 */
function runScriptsAsScripts(a: SqlDriverAdapter): SqlDriverAdapter {
  const isMulti = (e: unknown) => /more than one statement/.test(`${(e as Error)?.message} ${JSON.stringify((e as any)?.cause ?? '')}`);
  const retry = <T>(run: () => Promise<T>, q: SqlQuery, empty: T) =>
    run().catch(async (e: unknown) => {
      if (q.args.length || !isMulti(e)) throw e;
      await a.executeScript(q.sql);
      return empty;
    });
  return {
    provider: a.provider,
    adapterName: a.adapterName,
    queryRaw: (q) => retry(() => a.queryRaw(q), q, { columnNames: [], columnTypes: [], rows: [] }),
    executeRaw: (q) => retry(() => a.executeRaw(q), q, 0),
    executeScript: (sql) => a.executeScript(sql),
    startTransaction: (level) => a.startTransaction(level),
    getConnectionInfo: a.getConnectionInfo && (() => a.getConnectionInfo!()),
    dispose: () => a.dispose(),
  };
}

/**
 * Adapter failures reach us as "External error id#N"; the JS error itself waits in the
 * factory's registry. Put its message back in so failures are diagnosable.
 */
function engineError(e: unknown, registry: { consumeError(id: number): { error: unknown } | undefined }): Error {
  const err = e instanceof Error ? e : new Error(`schema engine: ${typeof e === 'string' ? e : JSON.stringify(e)}`);
  err.message = redact(
    err.message.replace(/External error id#(\d+)/g, (m, id: string) => {
      const cause = registry.consumeError(Number(id))?.error;
      return cause ? `${m}: ${cause instanceof Error ? cause.message : String(cause)}` : m;
    }),
  );
  return err;
}

/**
 * The package entry does `import * as wasm from "./schema_engine_bg.wasm"`, which neither Node
 * nor Jest can load, and its glue file is ESM, which Jest's CommonJS runtime cannot require.
 * So evaluate the glue as a plain function (it has no imports; its exports become locals) and
 * instantiate the .wasm with it ourselves. Once per process: the glue is bound to one instance.
 */
let enginePromise: Promise<typeof Wasm> | undefined;
// Node has the WebAssembly global, but our lib settings (no DOM) do not declare it.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
};
function loadWasmEngine(): Promise<typeof Wasm> {
  enginePromise ??= (async () => {
    const dir = path.dirname(require.resolve('@prisma/schema-engine-wasm'));
    const names: string[] = [];
    const src = fs
      .readFileSync(path.join(dir, 'schema_engine_bg.js'), 'utf8')
      .replace(/^export (function|class) ([\w$]+)/gm, (_m, kind: string, id: string) => {
        names.push(id);
        return `${kind} ${id}`;
      });
    // The engine arms timers it never clears (a 10 s lock timeout on every PostgreSQL
    // migration), which would hold the process open. Unref them; withEngine keeps the process
    // alive itself while a call is in flight.
    const unrefSetTimeout = (fn: () => void, ms: number) => setTimeout(fn, ms).unref();
    const glue = new Function('setTimeout', `${src}\nreturn { ${names.join(', ')} };`)(unrefSetTimeout);
    const { instance } = await WebAssembly.instantiate(fs.readFileSync(path.join(dir, 'schema_engine_bg.wasm')), {
      './schema_engine_bg.js': glue,
    });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return enginePromise;
}

function readSchema(provider: Provider, root: string): Wasm.SchemaContainer {
  const file = schemaPath(root);
  const content = fs.readFileSync(file, 'utf8');
  if (provider === 'sqlite') return { path: file, content };
  // Same derivation as scripts/prisma-generate.sh, minus the client output (irrelevant here), so
  // migrations never depend on whether the generated postgres schema is up to date.
  const pgContent = content.replace(/^(\s*provider\s*=\s*)"sqlite"/m, '$1"postgresql"');
  if (pgContent === content) throw new Error(`${file}: no provider = "sqlite" line to derive from`);
  return { path: path.join(root, 'prisma/postgres/schema.prisma'), content: pgContent };
}

function readMigrations(provider: Provider, root: string): Wasm.MigrationList {
  const baseDir = migrationsDir(provider, root);
  const lockPath = path.join(baseDir, 'migration_lock.toml');
  const dirs = fs.existsSync(baseDir)
    ? fs.readdirSync(baseDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: dirs.map((d) => {
      const file = path.join(baseDir, d, 'migration.sql');
      return {
        path: d,
        migrationFile: {
          path: 'migration.sql',
          content: fs.existsSync(file)
            ? { tag: 'ok' as const, value: fs.readFileSync(file, 'utf8') }
            : { tag: 'error' as const, value: `${file} not found` },
        },
      };
    }),
  };
}

function writeLockfile(provider: Provider, root: string): void {
  const file = path.join(migrationsDir(provider, root), 'migration_lock.toml');
  if (fs.existsSync(file)) return;
  fs.writeFileSync(
    file,
    '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\n' +
      `provider = "${provider}"\n`,
  );
}

/** Prisma's migration name prefix: UTC yyyyMMddHHmmss. */
function timestamp(d: Date): string {
  return d.toISOString().replace(/\D/g, '').slice(0, 14);
}
