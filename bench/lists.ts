/**
 * Lists at scale: `node --import tsx bench/lists.ts [--db sqlite|postgres] [--rows 1000000] [--reps 200] [--stall-seconds 20] [--keep DIR]`
 *
 * Fills a migrated database with the synthetic read model (bench/synthetic-cases.ts), builds the
 * real app on it (createApp, tokens from the local identity provider), and over real HTTP measures
 * p50/p99 of each list's first page and its 50th page (reached by the cursor walk, and by `page=50`
 * where that is still allowed), prints the plan of every SQL statement each list issued (captured
 * from Prisma's query events: SQLite `EXPLAIN QUERY PLAN`, PostgreSQL `EXPLAIN ANALYZE`), then
 * measures `/api/health` and a single-case GET alone and while one client walks the whole list.
 * `--keep DIR` (SQLite) keeps the filled file in DIR and reuses it when it has the same row count.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../src/generated/sqlite/client';
import { PrismaClient as PgPrismaClient } from '../src/generated/postgres/client';
import { createApp } from '../src/api/app';
import { createTokenVerifier } from '../src/auth/verify';
import type { Db } from '../src/db/client';
import { SQLITE_LOCK_WAIT_MS } from '../src/db/client';
import { lockWaitingSqlite } from '../src/db/sqlite-adapter';
import { migrateDeploy } from '../src/db/migrate';
import { silentLogger } from '../src/logger';
import { createTemporalClient } from '../src/runtime';
import { spawnIdp } from '../tests/helpers/idp';
import { startPostgres, type TestPostgres } from '../tests/helpers/postgres';
import { testCodec, testSecrets } from '../tests/helpers/secrets';
import { fillSynthetic, SYN, SYNTHETIC_USERS } from './synthetic-cases';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    rows: { type: 'string', default: '1000000' },
    reps: { type: 'string', default: '200' },
    'stall-seconds': { type: 'string', default: '20' },
    keep: { type: 'string' },
  },
});
const provider = args.db === 'postgres' || args.db === 'postgresql' ? 'postgresql' : 'sqlite';
const ROWS = Number(args.rows);
const REPS = Number(args.reps);
const STATS_REPS = Math.max(5, Math.round(REPS / 10));
const STALL_MS = Number(args['stall-seconds']) * 1000;
const AUDIENCE = 'steward-api';

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};
const fmt = (ms: number) => (Number.isFinite(ms) ? (ms < 10 ? ms.toFixed(2) : ms.toFixed(1)) : '—');

interface Captured {
  query: string;
  params: string;
}

async function main() {
  const loadAtStart = os.loadavg()[0]!.toFixed(1);
  // the database, filled
  let url: string;
  let postgres: TestPostgres | undefined;
  let scratch: string | undefined;
  const log = (m: string) => console.error(`[lists] ${m}`);
  if (provider === 'postgresql') {
    postgres = await startPostgres();
    url = postgres.url;
  } else {
    const dir = args.keep ?? (scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-lists-')));
    fs.mkdirSync(dir, { recursive: true });
    url = `file:${path.join(dir, `synthetic-${ROWS}.db`)}`;
  }
  const sqliteFile = provider === 'sqlite' ? url.slice('file:'.length) : '';
  const reuse = provider === 'sqlite' && fs.existsSync(sqliteFile) && fs.existsSync(`${sqliteFile}.filled`);
  if (!reuse) {
    if (provider === 'sqlite') for (const f of [sqliteFile, `${sqliteFile}-wal`, `${sqliteFile}-shm`]) fs.rmSync(f, { force: true });
    await migrateDeploy(url);
    log(`filling ${ROWS} cases (${provider})…`);
    const filled = await fillSynthetic(url, { rows: ROWS, progress: (n) => n % 200_000 === 0 && log(`  ${n}`) });
    log(`filled: ${filled.rows} cases, ${filled.caseStewards} CaseSteward, ${filled.tasks} DepartmentTask rows in ${(filled.ms / 1000).toFixed(1)} s`);
    if (provider === 'sqlite') fs.writeFileSync(`${sqliteFile}.filled`, JSON.stringify(filled));
  } else log(`reusing ${sqliteFile}`);

  // the app, wired as src/server.ts does, on a Prisma client that reports its queries
  const captured: Captured[] = [];
  let capturing = false;
  const logOpts = { log: [{ emit: 'event' as const, level: 'query' as const }] };
  const db = (
    provider === 'postgresql'
      ? new PgPrismaClient({ adapter: new PrismaPg({ connectionString: url }), ...logOpts })
      : // as createDb builds it (src/db/client.ts), plus the query log
        new PrismaClient({
          adapter: lockWaitingSqlite(new PrismaBetterSqlite3({ url: sqliteFile, timeout: 0 }), { lockWaitMs: SQLITE_LOCK_WAIT_MS }),
          transactionOptions: { maxWait: SQLITE_LOCK_WAIT_MS + 5_000 },
          ...logOpts,
        })
  ) as unknown as Db & { $on(e: 'query', f: (e: { query: string; params: string }) => void): void };
  db.$on('query', (e) => {
    if (capturing) captured.push({ query: e.query, params: e.params });
  });
  const idp = await spawnIdp({ audience: AUDIENCE, users: SYNTHETIC_USERS.map(({ subject, name }) => ({ subject, name })), password: 'demo' });
  const verifier = createTokenVerifier({ issuer: idp.issuer, audience: AUDIENCE, clockToleranceS: 0 });
  // no Temporal server: lists, health and a finished case's GET read the database only
  const { client: temporal, connection } = createTemporalClient({ address: '127.0.0.1:1', namespace: 'default' });
  const app = createApp({ db, temporal, taskQueue: 'bench', logger: silentLogger, verifier, secrets: testSecrets(), codec: testCodec(), quietHours: false, rateLimitPerMinute: 1_000_000 });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tokens = new Map<string, string>();
  for (const u of SYNTHETIC_USERS) tokens.set(u.subject, await idp.userToken(u.subject));
  const get = async (who: string, p: string) => {
    const t0 = performance.now();
    const res = await fetch(base + p, { headers: { authorization: `Bearer ${tokens.get(who)}` } });
    const body = (await res.json()) as { items?: { id: string }[]; nextCursor?: string | null; error?: unknown };
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`${p} as ${who}: ${res.status} ${JSON.stringify(body)}`);
    return { ms, body };
  };
  const time = async (who: string, p: string, reps = REPS) => {
    for (let i = 0; i < 5; i++) await get(who, p); // warm
    const xs: number[] = [];
    for (let i = 0; i < reps; i++) xs.push((await get(who, p)).ms);
    return { p50: quantile(xs, 0.5), p99: quantile(xs, 0.99) };
  };
  /** the cursor of page n (1-based) of a list, by walking it; undefined when the list is shorter */
  const cursorOf = async (who: string, p: string, n: number) => {
    let cursor: string | undefined;
    for (let i = 1; i < n; i++) {
      const { body } = await get(who, `${p}${p.includes('?') ? '&' : '?'}${cursor ? `cursor=${cursor}` : ''}`);
      if (!body.nextCursor) return { cursor: undefined, pages: i };
      cursor = body.nextCursor;
    }
    return { cursor, pages: n };
  };

  const point = SYNTHETIC_USERS.find((u) => u.subject === 'syn-point-7-3')!;
  const LISTS: { name: string; who: string; path: string }[] = [
    { name: 'overdue by area (town manager)', who: 'syn-manager-1', path: `/api/cases?overdue=true&areaId=${SYN.areaId(7)}` },
    { name: 'overdue (district inspector)', who: 'syn-inspector', path: '/api/cases?overdue=true' },
    { name: 'at risk (town manager)', who: 'syn-manager-1', path: '/api/cases?atRisk=true' },
    { name: "点楼长 inbox: ?ownerStewardId=self", who: point.subject, path: `/api/cases?ownerStewardId=${point.scopeId}` },
    { name: '点楼长 default list', who: point.subject, path: '/api/cases' },
    { name: '分楼长 default list', who: 'syn-area-7', path: '/api/cases' },
    { name: '总楼长 default list', who: 'syn-chief-1', path: '/api/cases' },
    { name: 'all cases (district inspector)', who: 'syn-inspector', path: '/api/cases' },
    { name: 'town cases (town manager)', who: 'syn-manager-1', path: '/api/cases' },
    { name: "a department's cases (its staff)", who: 'syn-staff-1-2', path: '/api/cases' },
    { name: 'department tasks, open', who: 'syn-staff-1-2', path: `/api/departments/${SYN.departmentId(1, 2)}/tasks` },
    { name: 'department tasks, all', who: 'syn-staff-1-2', path: `/api/departments/${SYN.departmentId(1, 2)}/tasks?status=all` },
  ];
  const results: string[][] = [];
  const plans: string[] = [];
  for (const list of LISTS) {
    log(`measuring ${list.name}`);
    const first = await time(list.who, list.path);
    const { cursor, pages } = await cursorOf(list.who, list.path, 50);
    const page50 = cursor ? await time(list.who, `${list.path}${list.path.includes('?') ? '&' : '?'}cursor=${cursor}`) : undefined;
    const offsetOk = cursor !== undefined;
    const offset50 = offsetOk ? await time(list.who, `${list.path}${list.path.includes('?') ? '&' : '?'}page=50`) : undefined;
    const total = await time(list.who, `${list.path}${list.path.includes('?') ? '&' : '?'}count=true`, 5);
    results.push([
      list.name,
      `${fmt(first.p50)} / ${fmt(first.p99)}`,
      page50 ? `${fmt(page50.p50)} / ${fmt(page50.p99)}` : `(${pages} page${pages > 1 ? 's' : ''})`,
      offset50 ? `${fmt(offset50.p50)} / ${fmt(offset50.p99)}` : '—',
      `${fmt(total.p50)}`,
    ]);
    // the statements this list issues, with their plans (first page, and a cursor page)
    for (const [label, p] of [['first page', list.path], ...(cursor ? [['page 50 (cursor)', `${list.path}${list.path.includes('?') ? '&' : '?'}cursor=${cursor}`]] : [])] as [string, string][]) {
      captured.length = 0;
      capturing = true;
      await get(list.who, p);
      capturing = false;
      // the list's own statements, not the principal's load (Person, RoleGrant, Steward, Building) or a department's lookup
      const statements = captured.filter((c) => /(Case|CaseSteward|DepartmentTask)[`"] /.test(c.query) && !/[`"](Person|RoleGrant|Steward|Building|Department)[`"] (AS|WHERE|LEFT)/.test(c.query.split(/ FROM /)[1] ?? ''));
      // statements alike but for their values (one per status, building, …) are shown once
      const seen = new Map<string, number>();
      for (const st of statements) seen.set(st.query, (seen.get(st.query) ?? 0) + 1);
      plans.push(`\n### ${list.name} — ${label}: ${p} (as ${list.who})`);
      for (const s of statements) {
        const times = seen.get(s.query);
        if (times === undefined) continue;
        seen.delete(s.query);
        const sql = s.query.replace(/SELECT (\S+\.)?[`"]Case[`"]\.[`"]id[`"], .*?[`"]updatedAt[`"] FROM/, 'SELECT <the list columns> FROM');
        plans.push(`${times > 1 ? `[${times}× with other values] ` : ''}${sql}\n  params ${s.params}\n${indent(await explain(provider, url, s))}`);
      }
    }
  }

  // 考核: the figures, each a handful of COUNT … GROUP BY statements over one period's rows
  const nowBj = new Date(Date.now() + 8 * 3_600_000);
  const month = `${nowBj.getUTCFullYear()}-${String(nowBj.getUTCMonth() + 1).padStart(2, '0')}`;
  const quarter = `${nowBj.getUTCFullYear()}-Q${Math.ceil((nowBj.getUTCMonth() + 1) / 3)}`;
  const year = `${nowBj.getUTCFullYear() - 1}`;
  const STATS: { name: string; who: string; path: string }[] = [
    { name: 'rates, this month, by area (town manager)', who: 'syn-manager-1', path: `/api/stats?period=${month}&groupBy=area` },
    { name: 'rates, this quarter, by town (district inspector)', who: 'syn-inspector', path: `/api/stats?period=${quarter}&groupBy=town` },
    { name: 'rates, last year, by steward (district inspector)', who: 'syn-inspector', path: `/api/stats?period=${year}&groupBy=steward` },
    { name: 'rates, this month (点楼长)', who: point.subject, path: `/api/stats?period=${month}` },
    { name: 'trend, last year by month (town manager)', who: 'syn-manager-1', path: `/api/stats/series?period=${year}&interval=month` },
    { name: 'workload per steward, this month (town manager)', who: 'syn-manager-1', path: `/api/stats/workload?period=${month}` },
    { name: '超期 now (district inspector)', who: 'syn-inspector', path: '/api/stats/overdue' },
    { name: 'departments, this quarter (town manager)', who: 'syn-manager-1', path: `/api/stats/departments?period=${quarter}` },
  ];
  const statsResults: string[][] = [];
  for (const st of STATS) {
    log(`measuring ${st.name}`);
    const t = await time(st.who, st.path, STATS_REPS);
    statsResults.push([st.name, `${fmt(t.p50)} / ${fmt(t.p99)}`]);
  }

  // stalls: health and a single case, alone and while another client walks the whole list
  const one = (await get('syn-inspector', '/api/cases?stage=closed&pageSize=1')).body.items![0]!.id;
  const probe = async (ms: number) => {
    const health: number[] = [];
    const single: number[] = [];
    const until = performance.now() + ms;
    while (performance.now() < until) {
      let t0 = performance.now();
      const h = await fetch(`${base}/api/health`);
      await h.arrayBuffer();
      health.push(performance.now() - t0);
      t0 = performance.now();
      await get('syn-inspector', `/api/cases/${one}`);
      single.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
    return { health, single };
  };
  log('stalls: alone');
  const alone = await probe(Math.min(STALL_MS, 10_000));
  log(`stalls: while one client walks all ${ROWS} cases (pageSize 100) for up to ${STALL_MS / 1000} s`);
  let walking = true;
  let walked = 0;
  const pageTimes: number[] = [];
  const walker = (async () => {
    let cursor: string | undefined;
    while (walking) {
      const { ms, body } = await get('syn-inspector', `/api/cases?pageSize=100${cursor ? `&cursor=${cursor}` : ''}`);
      pageTimes.push(ms);
      walked += body.items!.length;
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
  })();
  const during = await probe(STALL_MS);
  walking = false;
  await walker;

  await new Promise((r) => server.close(r));
  await connection.close().catch(() => {});
  await db.$disconnect();
  await idp.stop();
  sqliteReader?.close();
  await pgClient?.end();
  await postgres?.stop();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });

  console.log(`\n## Lists at ${ROWS.toLocaleString('en')} cases, ${provider} (HTTP, ${REPS} requests each, pageSize 20; ms p50 / p99)\n`);
  console.log(`load average ${loadAtStart} at start, ${os.loadavg()[0]!.toFixed(1)} at end, ${os.cpus().length} CPUs: on a shared machine compare the plans, then the figures\n`);
  console.log(table(['list', 'first page', 'page 50 (cursor)', 'page=50 (OFFSET)', 'count=true p50'], results));
  console.log(`\n## 考核 figures at ${ROWS.toLocaleString('en')} cases, ${provider} (HTTP, ${STATS_REPS} requests each; ms p50 / p99)\n`);
  console.log(table(['figure', 'p50 / p99'], statsResults));
  console.log(`\n## No request stalls the others (${provider}): ms p50 / p99 / max\n`);
  const row = (name: string, xs: number[]) => [name, `${fmt(quantile(xs, 0.5))} / ${fmt(quantile(xs, 0.99))} / ${fmt(Math.max(...xs))}`, String(xs.length)];
  console.log(
    table(
      ['request', 'ms p50 / p99 / max', 'n'],
      [
        row('GET /api/health, alone', alone.health),
        row('GET /api/health, while a client walks the list', during.health),
        row('GET /api/cases/:id, alone', alone.single),
        row('GET /api/cases/:id, while a client walks the list', during.single),
        row(`the walk: one page of 100 (${walked.toLocaleString('en')} rows walked)`, pageTimes),
      ],
    ),
  );
  console.log(`\n## Plans (${provider === 'sqlite' ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN ANALYZE'})\n${plans.join('\n')}`);
}

const indent = (s: string) => s.split('\n').map((l) => `    ${l}`).join('\n');

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

let sqliteReader: Database.Database | undefined;
let pgClient: pg.Client | undefined;

async function explain(kind: 'sqlite' | 'postgresql', url: string, s: Captured): Promise<string> {
  const params = JSON.parse(s.params) as unknown[];
  if (kind === 'sqlite') {
    sqliteReader ??= new Database(url.slice('file:'.length), { readonly: true });
    const bind = params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
    const rows = sqliteReader.prepare(`EXPLAIN QUERY PLAN ${s.query}`).all(...bind) as { id: number; parent: number; detail: string }[];
    const depth = new Map<number, number>([[0, -1]]);
    return rows.map((r) => (depth.set(r.id, (depth.get(r.parent) ?? 0) + 1), `${'  '.repeat(depth.get(r.id)!)}${r.detail}`)).join('\n');
  }
  if (!pgClient) {
    pgClient = new pg.Client({ connectionString: url });
    await pgClient.connect();
  }
  const res = await pgClient.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${s.query}`, params);
  return res.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
}

main()
  .then(() => process.exit(0))
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
