/**
 * Keyset pagination of the lists, on SQLite and PostgreSQL, over real HTTP with tokens from the
 * local identity provider: a walk with the cursor returns every row exactly once, in order, under
 * each sort; rows added meanwhile never make it repeat or skip a row; a malformed cursor is 400;
 * a steward's walk is cut by their scope (parts merged, nothing from another area they never
 * owned); `count=true` answers the total. The read model is the synthetic one (bench/synthetic-cases.ts).
 */
import request from 'supertest';
import { caseScope } from '../../src/auth/scope';
import { loadPrincipal } from '../../src/auth/principal';
import { UNRESOLVED_STAGES } from '../../src/domain/case-kernel';
import type { Prisma } from '../../src/generated/sqlite/client';
import { fillSynthetic, SYN, SYNTHETIC_USERS, syntheticCase } from '../../bench/synthetic-cases';
import { useSeededDatabase } from '../helpers/database';
import { useReadApi } from '../helpers/read-api';

const ROWS = 2400;
const NOW = new Date();
const POINT = SYNTHETIC_USERS.find((u) => u.subject === 'syn-point-7-3')!;

describe.each(['sqlite', 'postgresql'] as const)('lists on %s', (provider) => {
  const database = useSeededDatabase(provider);
  const { get } = useReadApi(database, SYNTHETIC_USERS, SYNTHETIC_USERS.map((u) => u.subject));

  beforeAll(async () => {
    // ten-minute steps over a day: many cases share an openedAt, so ties are broken by id; 30 % open
    await fillSynthetic(database.url, { rows: ROWS, now: NOW, spanMs: 86_400_000, quantumMs: 600_000, openShare: 0.3, seed: 7 });
  });


  /** Walks a list to its end with the cursor; the ids in the order served. */
  async function walk(who: string, path: string, pageSize = 7): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 1000; pages++) {
      const res = await get(who, `${path}${path.includes('?') ? '&' : '?'}pageSize=${pageSize}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.total).toBeUndefined();
      expect(res.body.items.length).toBeLessThanOrEqual(pageSize);
      ids.push(...res.body.items.map((c: { id: string; caseId?: string }) => c.id ?? c.caseId));
      cursor = res.body.nextCursor;
      if (!cursor) return ids;
      expect(res.body.items).toHaveLength(pageSize);
    }
    throw new Error('the walk did not end');
  }

  const principalScope = async (subject: string) => caseScope((await loadPrincipal(database.db, subject))!);
  const running = { stage: { in: [...UNRESOLVED_STAGES] }, paused: false };
  const byKey = <T extends { id: string }>(key: (r: T) => number, dir: 1 | -1) => (a: T, b: T) => dir * (key(a) - key(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  /** Every case the principal may see under `where`, in the order the list promises. */
  async function expected(subject: string, where: Prisma.CaseWhereInput, sort: 'opened' | 'overdue' | 'atRisk' | 'deadline') {
    const rows = await database.db.case.findMany({ where: { AND: [where, await principalScope(subject)] }, omit: { snapshot: true } });
    if (sort === 'opened') return rows.sort(byKey((r) => r.openedAt.getTime(), -1)).map((r) => r.id);
    if (sort === 'overdue') return rows.sort(byKey((r) => (r.overdue ? r.overdueSince! : r.currentDueAt!).getTime(), 1)).map((r) => r.id);
    if (sort === 'deadline') expect(rows.every((r) => r.currentDueAt)).toBe(true);
    return rows.sort(byKey((r) => r.currentDueAt!.getTime(), 1)).map((r) => r.id);
  }
  const overdueNow = () => ({ OR: [{ overdue: true }, { ...running, currentDueAt: { lte: new Date() } }] });
  const atRiskNow = () => ({ AND: [{ OR: [{ atRisk: true }, { ...running, currentWarnAt: { lte: new Date() } }] }, { NOT: overdueNow() }] });

  it.each([
    ['all cases, newest first (district inspector)', 'syn-inspector', '/api/cases', {}, 'opened'],
    ['the overdue list, longest overdue first', 'syn-inspector', '/api/cases?overdue=true', 'overdue', 'overdue'],
    ['the at-risk list, soonest deadline first', 'syn-inspector', '/api/cases?atRisk=true', 'atRisk', 'atRisk'],
    ['a town manager, one area overdue', 'syn-manager-1', `/api/cases?overdue=true&areaId=${SYN.areaId(7)}`, 'overdueArea', 'overdue'],
    ["a 点楼长's default list (buildings + cases owned elsewhere)", POINT.subject, '/api/cases', {}, 'opened'],
    ["a 点楼长's inbox (ownerStewardId = self)", POINT.subject, `/api/cases?ownerStewardId=${POINT.scopeId}`, { ownerStewardId: POINT.scopeId }, 'opened'],
    ["a 点楼长's 我的待办 (ownerStewardId = self, nearest deadline first)", POINT.subject, `/api/cases?ownerStewardId=${POINT.scopeId}&sort=deadline`, { ownerStewardId: POINT.scopeId, currentDueAt: { not: null } }, 'deadline'],
    ['a town manager, unfinished cases by deadline', 'syn-manager-1', '/api/cases?sort=deadline', { currentDueAt: { not: null } }, 'deadline'],
    ["a 分楼长's default list", 'syn-area-7', '/api/cases', {}, 'opened'],
    ["a 总楼长's open cases", 'syn-chief-1', '/api/cases?stage=in_progress', { stage: 'in_progress' }, 'opened'],
    ["a department's staff", 'syn-staff-1-2', '/api/cases', {}, 'opened'],
  ] as const)('walks %s: every row once, in order', async (_name, who, path, where, sort) => {
    const want =
      where === 'overdue'
        ? await expected(who, overdueNow(), sort)
        : where === 'atRisk'
          ? await expected(who, atRiskNow(), sort)
          : where === 'overdueArea'
            ? await expected(who, { AND: [overdueNow(), { areaId: SYN.areaId(7) }] }, sort)
            : await expected(who, where, sort);
    expect(want.length).toBeGreaterThan(sort === 'opened' ? 7 : 0); // more than a page
    const got = await walk(who, path);
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual(want);
    const counted = await get(who, `${path}${path.includes('?') ? '&' : '?'}count=true&pageSize=3`).expect(200);
    expect(counted.body.total).toBe(want.length);
    expect(counted.body.items.map((c: { id: string }) => c.id)).toEqual(want.slice(0, 3));
  });

  it("keeps a 点楼长's walk to their scope: their buildings, or cases they owned", async () => {
    const got = await walk(POINT.subject, '/api/cases', 20);
    const buildings = (await database.db.building.findMany({ where: { pointStewardId: POINT.scopeId! } })).map((b) => b.id);
    const owned = new Set((await database.db.caseSteward.findMany({ where: { stewardId: POINT.scopeId! } })).map((r) => r.caseId));
    const rows = await database.db.case.findMany({ where: { id: { in: got } }, select: { id: true, buildingId: true, areaId: true } });
    for (const r of rows) expect(buildings.includes(r.buildingId) || owned.has(r.id)).toBe(true);
    // another area's cases appear only when this steward owned them (handed on to them)
    const elsewhere = rows.filter((r) => r.areaId !== SYN.areaId(7));
    expect(elsewhere.every((r) => owned.has(r.id))).toBe(true);
    const otherArea = await database.db.case.count({ where: { areaId: { not: SYN.areaId(7) } } });
    expect(elsewhere.length).toBeLessThan(otherArea);
  });

  it("walks a department's task list (all statuses) in due order, once each", async () => {
    const dept = SYN.departmentId(1, 2);
    const tasks = await database.db.departmentTask.findMany({ where: { departmentId: dept } });
    const want = tasks.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : a.no - b.no)).map((t) => `${t.caseId}/${t.no}`);
    const got: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await get('syn-staff-1-2', `/api/departments/${dept}/tasks?status=all&pageSize=5${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      got.push(...res.body.items.map((t: { caseId: string; no: number }) => `${t.caseId}/${t.no}`));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(want.length).toBeGreaterThan(5);
    expect(got).toEqual(want);
    const counted = await get('syn-staff-1-2', `/api/departments/${dept}/tasks?status=all&count=true`).expect(200);
    expect(counted.body.total).toBe(want.length);
    expect((await get('syn-staff-1-2', `/api/departments/${dept}/tasks?cursor=nonsense`)).status).toBe(400);
  });

  it('neither repeats nor skips a row when cases are added during the walk', async () => {
    const before = await expected('syn-inspector', {}, 'opened');
    const seen: string[] = [];
    let cursor: string | null = null;
    let added = 0;
    do {
      const res: request.Response = await get('syn-inspector', `/api/cases?pageSize=50${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      seen.push(...res.body.items.map((c: { id: string }) => c.id));
      cursor = res.body.nextCursor;
      // new cases around the walk's position: newer than all, older than all, and at its very key
      const last = res.body.items.at(-1) as { openedAt: string } | undefined;
      if (last) {
        for (const openedAt of [new Date(NOW.getTime() + 60_000 * (added + 1)), new Date(Date.parse(last.openedAt)), new Date(NOW.getTime() - 2 * 86_400_000 - added)]) {
          const row = syntheticCase(100_000 + added++, 200_000, { now: NOW.getTime(), spanMs: 86_400_000, quantumMs: 1, seed: 99, openShare: 0 });
          const { stewards: _s, tasks: _t, snapshot, ...data } = row;
          const date = (ms: number | null) => (ms === null ? null : new Date(ms));
          await database.db.case.create({
            data: {
              ...data,
              workflowId: `case-${row.id}`,
              snapshot: JSON.parse(snapshot),
              openedAt,
              responseDueAt: new Date(row.responseDueAt),
              resolutionDueAt: new Date(row.resolutionDueAt),
              currentDueAt: date(row.currentDueAt),
              currentWarnAt: date(row.currentWarnAt),
              overdueSince: date(row.overdueSince),
              acknowledgedAt: date(row.acknowledgedAt),
              resolvedAt: date(row.resolvedAt),
              closedAt: date(row.closedAt),
              respondedAt: date(row.respondedAt),
              responseSettledAt: date(row.responseSettledAt),
              resolutionSettledAt: date(row.resolutionSettledAt),
              followUpAt: date(row.followUpAt),
              updatedAt: undefined,
            },
          });
        }
      }
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const original = new Set(before);
    // every case there at the start, once, in the order it had
    expect(seen.filter((id) => original.has(id))).toEqual(before);
    const final = await expected('syn-inspector', {}, 'opened');
    // what the walk served is in the list's order throughout
    const rank = new Map(final.map((id, i) => [id, i]));
    expect(seen.map((id) => rank.get(id)!)).toEqual([...seen.map((id) => rank.get(id)!)].sort((a, b) => a - b));
  });

  it('refuses a malformed cursor with 400 naming the field', async () => {
    const overdueCursor = (await get('syn-inspector', '/api/cases?overdue=true&pageSize=1').expect(200)).body.nextCursor as string;
    expect(overdueCursor).toEqual(expect.any(String));
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const cursor of ['not a cursor!', 'abc', b64({ a: 1 }), b64([1, 'opened', 'yesterday', 'C20261122-ABCDEF']), b64([2, 'opened', 0, 'x']), 'A'.repeat(300), overdueCursor]) {
      const res = await get('syn-inspector', `/api/cases?cursor=${encodeURIComponent(cursor)}`);
      expect({ cursor, status: res.status }).toEqual({ cursor, status: 400 });
      expect(res.body.error.issues.map((i: { field: string }) => i.field)).toEqual(['query.cursor']);
    }
    const both = await get('syn-inspector', `/api/cases?cursor=${overdueCursor}&page=2`);
    expect(both.status).toBe(400);
    expect(both.body.error.issues.map((i: { field: string }) => i.field)).toContain('query.page');
    const far = await get('syn-inspector', '/api/cases?page=200&pageSize=20');
    expect(far.status).toBe(400);
    expect(far.body.error.issues[0]).toMatchObject({ field: 'query.page', message: expect.stringMatching(/cursor/) });
  });

  it('counts only on request, and keeps page for the first rows', async () => {
    const want = await expected(POINT.subject, {}, 'opened');
    const plain = await get(POINT.subject, '/api/cases?pageSize=5').expect(200);
    expect(plain.body.total).toBeUndefined();
    expect(plain.body.page).toBeUndefined();
    const counted = await get(POINT.subject, '/api/cases?pageSize=5&count=true').expect(200);
    expect(counted.body.total).toBe(want.length);
    const second = await get(POINT.subject, '/api/cases?pageSize=5&page=2').expect(200);
    expect(second.body).toMatchObject({ page: 2, pageSize: 5 });
    expect(second.body.items.map((c: { id: string }) => c.id)).toEqual(want.slice(5, 10));
    const next = await get(POINT.subject, `/api/cases?pageSize=5&cursor=${plain.body.nextCursor}`).expect(200);
    expect(next.body.items.map((c: { id: string }) => c.id)).toEqual(want.slice(5, 10));
  });
});
