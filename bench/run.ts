/**
 * npm run bench — what a case costs on this machine: N cases opened and driven to closed
 * over real HTTP against a real Temporal dev server, worker and SQLite database.
 * Reports action latency percentiles, throughput, Temporal history events and read-model
 * events per case, and memory. BENCH_CASES (default 50), BENCH_CONCURRENCY (default 10).
 */
import type { AddressInfo } from 'node:net';
import { createCatalogueStore } from '../src/catalogue-store';
import { DEMO } from '../src/db/seed';
import { caseWorkflowId } from '../src/workflows/definitions';
import { startStack } from '../tests/helpers/stack';

const N = Number(process.env.BENCH_CASES ?? 50);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

async function main() {
  // the same real parts as the API tests: dev server, worker, SQLite, the Express app
  const stack = await startStack();
  const { db, client } = stack;
  // the 回访 comes a second after approval, so a bench run can close its cases
  await createCatalogueStore(db).change('other', { policy: { followUpDelay: { value: 1, unit: 'seconds' } } }, 'bench');
  const http = stack.app.listen(0, '127.0.0.1');
  await new Promise((r) => http.once('listening', r));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}/api`;

  const latency: Record<string, number[]> = {};
  // bearer tokens from the stack's identity provider, by demo user (enterprise users are ent-*)
  const bearer = new Map<string, string>();
  for (const u of DEMO.users) bearer.set(u.subject, `Bearer ${await stack.token(u.subject)}`);
  const userOfEnterprise = (code: string) => DEMO.users.find((u) => u.roles.some((r) => r.role === 'enterprise' && r.scopeId === code))!.subject;
  async function call(action: string, url: string, who: string, body: unknown) {
    const t = performance.now();
    const res = await fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: bearer.get(who)! }, body: JSON.stringify(body) });
    (latency[action] ??= []).push(performance.now() - t);
    const json = (await res.json()) as Record<string, any>;
    if (res.status >= 300) throw new Error(`${action}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  const lifetimes: number[] = [];
  async function oneCase(i: number) {
    const b = DEMO.buildings[i % DEMO.buildings.length]!;
    const e = DEMO.enterprises.find((x) => x.buildingId === b.id)!;
    const started = performance.now();
    const opened = await call('open', '/cases', userOfEnterprise(e.creditCode), {
      buildingId: b.id, enterprise: { creditCode: e.creditCode }, category: 'other',
      title: `基准诉求 ${i}`, description: '基准测试', contact: { name: '测试', phone: '13900000000' },
    });
    const id = opened.caseId as string;
    await call('acknowledge', `/cases/${id}/acknowledge`, b.pointStewardId, {});
    await call('propose', `/cases/${id}/propose`, b.pointStewardId, { text: '已解决' });
    await call('approve', `/cases/${id}/approve`, b.pointStewardId, {});
    for (;;) {
      const s = (await (await fetch(`${base}/cases/${id}`, { headers: { authorization: bearer.get(b.pointStewardId)! } })).json()) as { stage: string };
      if (s.stage === 'follow_up') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await call('follow-up', `/cases/${id}/follow-up`, b.pointStewardId, { satisfaction: 'satisfied' });
    lifetimes.push(performance.now() - started);
    return id;
  }

  const t0 = performance.now();
  const ids: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < N) ids.push(await oneCase(next++));
  }));
  const wall = (performance.now() - t0) / 1000;

  const histories = await Promise.all(ids.slice(0, 10).map((id) => client.workflow.getHandle(caseWorkflowId(id)).fetchHistory()));
  const historyEvents = histories.map((h) => h.events?.length ?? 0);
  const dbEvents = await db.caseEvent.count({ where: { caseId: { in: ids } } });
  const mem = process.memoryUsage();

  console.log(`\ncases: ${N} driven open → closed, ${CONCURRENCY} at a time, in ${wall.toFixed(1)} s (${(N / wall).toFixed(1)} cases/s, incl. a 1 s follow-up delay each)`);
  console.log('action latency over HTTP (ms):');
  for (const [action, xs] of Object.entries(latency)) {
    console.log(`  ${action.padEnd(12)} p50 ${pct(xs, 50).toFixed(0).padStart(5)}  p95 ${pct(xs, 95).toFixed(0).padStart(5)}  max ${Math.max(...xs).toFixed(0).padStart(5)}`);
  }
  console.log(`case lifetime (ms): p50 ${pct(lifetimes, 50).toFixed(0)}  p95 ${pct(lifetimes, 95).toFixed(0)}`);
  console.log(`read-model events per case: ${(dbEvents / N).toFixed(1)}; Temporal history events per case: ${Math.min(...historyEvents)}–${Math.max(...historyEvents)}`);
  console.log(`process memory (API + worker): rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);

  http.close();
  await stack.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
