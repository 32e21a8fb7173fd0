/**
 * Drives cases from open to closed over HTTP the way a careful client does under faults (every
 * request carries an Idempotency-Key and is retried with the same key after a lost answer, a
 * refused connection or a 503) and checks afterwards that nothing was lost, duplicated or left
 * stuck. Shared by the CI fault-injection test and the bigger chaos run (bench/chaos.ts).
 */
import Database from 'better-sqlite3';
import pg from 'pg';

export const ENTERPRISE = '91310107MA1K6GH70A'; // 上海环球港餐饮管理有限公司, bld-yueda, 点楼长 stw-point-4

/** A catalogue whose follow-up comes 2 s after approval, so a real-time run can close cases. */
export const CHAOS_CATALOGUE = {
  version: 'chaos-1',
  categories: [{ code: 'outdoor_promotion', name: '外摆活动审批', policy: { followUpDelay: { value: 2, unit: 'seconds' } } }],
};

export interface DriveOptions {
  /** the API's base URL (…/api); the same port across restarts */
  base: () => string;
  token: (user: string) => Promise<string>;
  /** at least this many cases */
  cases: number;
  /** and more while this says so (e.g. until the faults are over) */
  keepGoing?: () => boolean;
  concurrency: number;
  /** makes keys unique per run */
  tag: string;
  /** how long one request may keep being retried */
  retryForMs?: number;
}

export interface DriveResult {
  caseIds: string[];
  /** requests answered 2xx (one per intended step) */
  acknowledged: number;
  /** requests repeated after a lost answer, a refused connection or a 503 */
  retries: number;
  /** answers a careful client should never get (e.g. a 409 for a step it retried) */
  anomalies: string[];
  /** longest time one step took from its first attempt to its answer, ms */
  longestStepMs: number;
  /** every answered action: when its first attempt started and when it was answered (epoch ms) */
  actions: { started: number; answered: number }[];
}

// 429: a careful client waits and retries a rate-limited request too
const RETRYABLE = new Set([202, 429, 502, 503, 504]);

export async function driveCases(o: DriveOptions): Promise<DriveResult> {
  const result: DriveResult = { caseIds: [], acknowledged: 0, retries: 0, anomalies: [], longestStepMs: 0, actions: [] };
  const retryForMs = o.retryForMs ?? 90_000;

  async function step(user: string, method: string, url: string, body: unknown, key: string | undefined, accept: (status: number, b: any) => boolean) {
    const started = Date.now();
    for (;;) {
      let status = 0;
      let answer: any;
      try {
        const res = await fetch(`${o.base()}${url}`, {
          method,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${await o.token(user)}`, ...(key ? { 'idempotency-key': key } : {}) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(20_000),
        });
        status = res.status;
        answer = await res.json().catch(() => undefined);
      } catch {
        status = 0; // refused, reset or timed out: the answer is lost, the request may have been applied
      }
      if (status >= 200 && status < 300 && !RETRYABLE.has(status) && accept(status, answer)) {
        result.longestStepMs = Math.max(result.longestStepMs, Date.now() - started);
        if (method !== 'GET') {
          result.acknowledged++;
          result.actions.push({ started, answered: Date.now() });
        }
        return answer;
      }
      if (status !== 0 && !RETRYABLE.has(status) && !(method === 'GET' && status === 200)) {
        result.anomalies.push(`${method} ${url} (${key ?? 'read'}): ${status} ${JSON.stringify(answer)}`);
        throw new Error(result.anomalies.at(-1));
      }
      if (Date.now() - started > retryForMs) {
        result.anomalies.push(`${method} ${url} (${key ?? 'read'}): still ${status || 'unreachable'} after ${retryForMs} ms`);
        throw new Error(result.anomalies.at(-1));
      }
      if (status === 0 || RETRYABLE.has(status)) result.retries++;
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  async function driveOne(i: number) {
    const key = (s: string) => `${o.tag}-${i}-${s}`;
    const ok = () => true;
    const opened = await step('ent-yueda', 'POST', '/cases', {
      buildingId: 'bld-yueda',
      enterprise: { creditCode: ENTERPRISE },
      category: 'outdoor_promotion',
      title: `故障注入 ${o.tag} #${i}`,
      description: '在进程被杀死期间提交和处理的诉求。',
      contact: { name: '冯经理', phone: '13900000004' },
    }, key('open'), ok);
    const id = opened.caseId as string;
    result.caseIds.push(id);
    const act = (user: string, action: string, body: unknown) => step(user, 'POST', `/cases/${id}/${action}`, body, key(action), ok);
    await act('stw-point-4', 'acknowledge', {});
    await act('stw-point-4', 'dispatch', { departmentId: 'dept-urban', instructions: '核定摆位与时段' });
    await act('staff-urban', 'department-reply', { text: '准予外摆' });
    await act('stw-area-west', 'approve', { note: '同意' });
    await step('stw-point-4', 'GET', `/cases/${id}?live=true`, undefined, undefined, (_s, b) => b?.stage === 'follow_up');
    await act('stw-point-4', 'follow-up', { satisfaction: 'satisfied' });
  }

  let next = 0;
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (next < o.cases || o.keepGoing?.()) {
        const i = next++;
        await driveOne(i).catch(() => undefined); // recorded as an anomaly
      }
    }),
  );
  return result;
}

/** Each action this driver takes leaves exactly one of these events. */
const ONCE = ['opened', 'acknowledged', 'dispatched', 'department_replied', 'follow_up_recorded'];

export interface CheckResult {
  /** cases the client opened that the read model does not have */
  lost: string[];
  /** intakes that made more than one case (same title), and events recorded twice */
  duplicated: string[];
  /** cases not closed, or whose history has gaps */
  stuck: string[];
  /** cases carrying a rule_failed or record_refused event */
  failed: string[];
}

/** Reads the read model directly (not through the API under test). */
export async function checkCases(databaseUrl: string, tag: string, caseIds: string[]): Promise<CheckResult> {
  const rows = await query(
    databaseUrl,
    `SELECT c.id, c.title, c.stage, e.seq, e.type FROM "Case" c LEFT JOIN "CaseEvent" e ON e."caseId" = c.id WHERE c.title LIKE '故障注入 ${tag} #%' ORDER BY c.id, e.seq`,
  );
  const byCase = new Map<string, { title: string; stage: string; events: { seq: number; type: string }[] }>();
  for (const r of rows) {
    const c = byCase.get(r.id) ?? { title: r.title, stage: r.stage, events: [] as { seq: number; type: string }[] };
    if (r.seq !== null) c.events.push({ seq: Number(r.seq), type: r.type });
    byCase.set(r.id, c);
  }
  const result: CheckResult = { lost: [], duplicated: [], stuck: [], failed: [] };
  const titles = new Map<string, number>();
  for (const c of byCase.values()) titles.set(c.title, (titles.get(c.title) ?? 0) + 1);
  for (const [title, n] of titles) if (n > 1) result.duplicated.push(`${n} cases titled ${title}`);
  for (const id of caseIds) {
    const c = byCase.get(id);
    if (!c) {
      result.lost.push(id);
      continue;
    }
    if (c.stage !== 'closed' || c.events.some((e, i) => e.seq !== i + 1)) result.stuck.push(`${id} (${c.stage}, ${c.events.length} events)`);
    for (const type of ONCE) {
      const n = c.events.filter((e) => e.type === type).length;
      if (n !== 1) result.duplicated.push(`${id}: ${n}× ${type}`);
    }
    if (c.events.some((e) => e.type === 'rule_failed' || e.type === 'record_refused')) result.failed.push(id);
  }
  return result;
}

async function query(databaseUrl: string, sql: string): Promise<any[]> {
  if (databaseUrl.startsWith('file:')) {
    const db = new Database(databaseUrl.slice('file:'.length), { readonly: true, timeout: 5_000 });
    try {
      return db.prepare(sql).all();
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}
