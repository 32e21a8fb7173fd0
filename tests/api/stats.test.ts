/**
 * The managers' rates on hand-built cases whose every step happened at a chosen instant of
 * November 2026 (Beijing), written through the real persistence activity into SQLite and
 * PostgreSQL, asked over real HTTP with tokens from the local identity provider. Each expected
 * number is worked out below from the stories in tests/fixtures/november-stories.ts; each figure's
 * links must list exactly the cases it counts.
 */
import request from 'supertest';
import { silentLogger } from '../../src/logger';
import { createPersistenceActivities } from '../../src/activities/persistence';
import { DEMO } from '../../src/db/seed';
import { AS_OF, bj, NOVEMBER } from '../fixtures/november-stories';
import { useSeededDatabase } from '../helpers/database';
import { useReadApi } from '../helpers/read-api';

const CASES = NOVEMBER();

/** The figures of November 2026 for the whole town, worked out from the stories (tests/fixtures/november-stories.ts). */
const EXPECTED = {
  // due or answered in November: A B C E F H J (D withdrawn in time, G I L answered in October, K due in December)
  response_rate: { denominator: ['A', 'B', 'C', 'E', 'F', 'H', 'J'], numerator: ['A', 'B', 'F', 'H', 'J'] },
  // resolved in November and still resolved: A C H I L (G's resolution was undone by the reopen)
  on_time_rate: { denominator: ['A', 'C', 'H', 'I', 'L'], numerator: ['A', 'H', 'L'] },
  // resolution owed in November: A B C G H I L (F paused, D E withdrawn, J declined, K due in December)
  resolution_rate: { denominator: ['A', 'B', 'C', 'G', 'H', 'I', 'L'], numerator: ['A', 'C', 'H', 'I', 'L'] },
  // last 回访 answer in November: A 满意, G 不满意, I 基本满意
  satisfaction_rate: { denominator: ['A', 'G', 'I'], numerator: ['A', 'I'] },
  no_feedback: { count: ['L'] },
} as const;
const idsOf = (names: readonly string[]) => names.map((n) => CASES[n as keyof typeof CASES].caseId).sort();
const rate = (n: number, d: number) => Math.round((n / d) * 10_000) / 10_000;

describe.each(['sqlite', 'postgresql'] as const)('the managers’ figures on %s', (provider) => {
  const database = useSeededDatabase(provider);
  const { get } = useReadApi(database, DEMO.users, ['manager-town', 'stw-area-west', 'stw-point-3', 'ent-qianshu', 'staff-market']);

  beforeAll(async () => {
    const persistence = createPersistenceActivities(database.db, silentLogger);
    for (const s of Object.values(CASES)) {
      const { history, ...state } = s;
      // two batches, as the workflow writes them: the opening, then the rest
      await persistence.persistCase({ state, events: history.slice(0, 2) });
      await persistence.persistCase({ state, events: history.slice(2) });
    }
  });

  const november = `/api/stats?period=2026-11&asOf=${encodeURIComponent(AS_OF.toISOString())}`;

  /** Every case of a figure's link, walked to the end of the list. */
  async function listed(who: string, link: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await get(who, `${link}&pageSize=5${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      ids.push(...res.body.items.map((c: { id: string }) => c.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    return ids.sort();
  }

  it('counts each rate of November as its definition says, edge cases included', async () => {
    const res = await get('manager-town', november).expect(200);
    // instants are answered in Beijing time
    expect(res.body.period).toMatchObject({ label: '2026-11', from: '2026-11-01T00:00:00.000+08:00', to: '2026-12-01T00:00:00.000+08:00' });
    for (const [key, parts] of Object.entries(EXPECTED)) {
      const fig = res.body.total[key];
      for (const [part, names] of Object.entries(parts)) expect({ key, part, n: fig[part] }).toEqual({ key, part, n: names.length });
      if ('numerator' in parts) expect(fig.rate).toBe(rate(parts.numerator.length, parts.denominator.length));
      expect(res.body.definitions[key].name).toMatch(/[率馈]/);
    }
    expect(res.body.total.response_rate.rate).toBe(0.7143);
  });

  it('links every count to the list of exactly the cases it counts', async () => {
    const res = await get('manager-town', november).expect(200);
    for (const [key, parts] of Object.entries(EXPECTED)) {
      for (const [part, names] of Object.entries(parts)) {
        const link: string = res.body.total[key].cases[part];
        expect({ key, part, ids: await listed('manager-town', link) }).toEqual({ key, part, ids: idsOf(names) });
        const counted = await get('manager-town', `${link}&count=true&pageSize=1`).expect(200);
        expect(counted.body.total).toBe(names.length);
      }
    }
  });

  it('groups by area: the groups add up to the total, and each group links to its own cases', async () => {
    const res = await get('manager-town', `${november}&groupBy=area`).expect(200);
    const byKey = Object.fromEntries(res.body.groups.map((g: { key: string }) => [g.key, g]));
    expect(Object.keys(byKey).sort()).toEqual(['area-east', 'area-west']);
    expect(byKey['area-west'].name).toBe('长风商务片区');
    // E is the only case in area-west: a missed response
    expect(byKey['area-west'].figures.response_rate).toMatchObject({ numerator: 0, denominator: 1, rate: 0 });
    expect(byKey['area-east'].figures.response_rate).toMatchObject({ numerator: 5, denominator: 6, rate: rate(5, 6) });
    expect(res.body.total.response_rate).toMatchObject({ numerator: 5, denominator: 7 });
    expect(await listed('manager-town', byKey['area-west'].figures.response_rate.cases.denominator)).toEqual(idsOf(['E']));
    expect(byKey['area-east'].figures.satisfaction_rate).toMatchObject({ numerator: 2, denominator: 3 });
  });

  it('groups by lead department: the cases never dispatched are a group of their own whose links list exactly them', async () => {
    const res = await get('manager-town', `${november}&groupBy=department`).expect(200);
    const undispatched = res.body.groups.find((g: { key: string | null }) => g.key === null);
    expect(undispatched).toBeDefined();
    for (const key of Object.keys(EXPECTED)) {
      for (const part of ['numerator', 'denominator', 'count'] as const) {
        const link: string | undefined = undispatched.figures[key].cases[part];
        if (!link) continue;
        expect(link).toContain('departmentId=-');
        const ids = await listed('manager-town', link);
        expect(ids.length).toBe(undispatched.figures[key][part]);
        // every one of them without a lead department, and the groups' lists add up to the total's
        const rows = await database.db.case.findMany({ where: { id: { in: ids } }, select: { departmentId: true } });
        expect(rows.every((r) => r.departmentId === null)).toBe(true);
      }
    }
    const sum = res.body.groups.reduce((n: number, g: { figures: { response_rate: { denominator: number } } }) => n + g.figures.response_rate.denominator, 0);
    expect(sum).toBe(res.body.total.response_rate.denominator);
  });

  it('is scoped like every read: a 分楼长 and a 点楼长 count only their area or buildings', async () => {
    for (const who of ['stw-area-west', 'stw-point-3']) {
      const res = await get(who, november).expect(200);
      expect(res.body.total.response_rate).toMatchObject({ numerator: 0, denominator: 1 });
      expect(res.body.total.on_time_rate).toMatchObject({ numerator: 0, denominator: 0, rate: null });
    }
    // enterprises and department staff are not judged by these figures
    await get('ent-qianshu', november).expect(403);
    await get('staff-market', november).expect(403);
  });

  it('counts a period still running only up to now, and a trend adds up to its range', async () => {
    const res = await get('manager-town', `/api/stats/series?from=2026-10-01&to=2026-11-30&interval=month&asOf=${encodeURIComponent(AS_OF.toISOString())}`).expect(200);
    expect(res.body.points.map((p: { period: { label: string } }) => p.period.label)).toEqual(['2026-10', '2026-11']);
    const nov = res.body.points[1].figures;
    for (const [key, parts] of Object.entries(EXPECTED)) for (const [part, names] of Object.entries(parts)) expect(nov[key][part]).toBe(names.length);
    // in October: I resolved on time (Oct 20) — then undone by its reopen; responses of G I L answered in time
    expect(res.body.points[0].figures.response_rate).toMatchObject({ numerator: 3, denominator: 3 });
    // mid-November, asked on Nov 10 at noon: E's deadline (Nov 17) has not come, B's resolution (Nov 23) is not owed yet
    const mid = await get('manager-town', `/api/stats?period=2026-11&asOf=${encodeURIComponent(bj('2026-11-10 12:00').toISOString())}`).expect(200);
    expect(mid.body.period.countedUpTo).toBe('2026-11-10T12:00:00.000+08:00');
    expect(mid.body.total.response_rate.denominator).toBe(6); // A B C F H J
  });

  it('answers 400 with the field and the reason for a period it cannot read', async () => {
    for (const [query, field] of [
      ['period=2026-13', 'query.period'],
      ['period=2026-W54', 'query.period'],
      ['period=yesterday', 'query.period'],
      ['from=2026-11-01', 'query.to'],
      ['from=2026-11-30&to=2026-11-01', 'query.to'],
      ['period=2026-11&from=2026-11-01&to=2026-11-02', 'query.period'],
      ['groupBy=planet', 'query.groupBy'],
      ['period=2026-11&nonsense=1', 'query.nonsense'],
    ]) {
      const res = await get('manager-town', `/api/stats?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.error.issues.map((i: { field: string }) => i.field)).toContain(field);
    }
    const long = await get('manager-town', '/api/stats/series?from=2026-01-01&to=2026-12-31&interval=day');
    expect(long.status).toBe(400);
    expect(long.body.error.issues[0].field).toBe('query.interval');
    const noMeasure = await get('manager-town', '/api/cases?part=numerator');
    expect(noMeasure.status).toBe(400);
  });

  const dec1 = `period=2026-11&asOf=${encodeURIComponent(AS_OF.toISOString())}`;
  const HOUR = 3_600_000;

  it('tells the workload of each owner steward, with medians in working time', async () => {
    const res = await get('manager-town', `/api/stats/workload?${dec1}`).expect(200);
    const by = Object.fromEntries(res.body.stewards.map((r: { stewardId: string }) => [r.stewardId, r]));
    // 陈静 owns B (overdue by the clock since Nov 23), F (paused) and K (due Dec 1)
    expect(by['stw-point-1']).toMatchObject({ name: '陈静', open: 3, overdue: 1, atRisk: 0, acknowledgedLate: 0 });
    // acknowledged in November after 1 h (A, F, H) and 7 h (B, at its deadline): median 1 h
    // 在办 links to exactly those three
    expect(await listed('manager-town', by['stw-point-1'].openCases)).toEqual(idsOf(['B', 'F', 'K']));
    expect(by['stw-point-1'].medianAckWorkingMs).toBe(HOUR);
    // resolved in November: A 22 h, L 36 h (Oct 26–30 and 1 h), H 120 h: median 36 h
    expect(by['stw-point-1'].medianResolveWorkingMs).toBe(36 * HOUR);
    expect(by['stw-point-1'].medianResolveText).toMatch(/5 个工作日 1 小时/);
    // 李明 owns G (reopened, overdue since Nov 26) and acknowledged C late (15 working hours)
    expect(by['stw-area-east']).toMatchObject({ open: 1, overdue: 1, acknowledgedLate: 1, medianAckWorkingMs: 15 * HOUR });
    // C resolved after 141 working hours, I after 232: median 186.5
    expect(by['stw-area-east'].medianResolveWorkingMs).toBe(186.5 * HOUR);
    // a 点楼长 of the west sees only their own
    const west = await get('stw-point-3', `/api/stats/workload?${dec1}`).expect(200);
    expect(west.body.stewards.map((r: { stewardId: string }) => r.stewardId)).not.toContain('stw-point-1');
  });

  it('tells what is overdue now, by level and by how long, and the departments’ overdue tasks', async () => {
    const res = await get('manager-town', `/api/stats/overdue?${dec1}`).expect(200);
    expect(res.body.cases.total).toBe(2);
    expect(res.body.cases.byLevel.map((l: { count: number }) => l.count)).toEqual([1, 1, 0]);
    // G since Nov 26 10:00 (20 working hours), B since Nov 23 09:00 (6 working days)
    expect(res.body.cases.byAge.map((a: { count: number }) => a.count)).toEqual([0, 1, 0, 1]);
    expect(await listed('manager-town', res.body.cases.byLevel[1].cases)).toEqual(idsOf(['G']));
    expect(res.body.departmentTasks).toMatchObject({ total: 1, byDepartment: [{ departmentId: 'dept-urban', name: '城管中队', count: 1 }] });
    expect(res.body.departmentTasks.byAge.map((a: { count: number }) => a.count)).toEqual([0, 0, 0, 1]);
    // opened in November: A B C D E F H J K; C and E were escalated to the 分楼长
    expect(res.body.openedInPeriod).toMatchObject({ cases: 9, escalatedToArea: 2, escalatedToChief: 0 });
  });

  it('tells how each department did: dispatched, replied on time, returned with the reason, overdue', async () => {
    const res = await get('manager-town', `/api/stats/departments?${dec1}`).expect(200);
    const by = Object.fromEntries(res.body.departments.map((r: { departmentId: string }) => [r.departmentId, r]));
    expect(by['dept-market']).toMatchObject({ dispatched: 1, replied: 1, repliedOnTime: 1, onTimeRate: 1, returned: 0, overdueNow: 0 });
    expect(by['dept-tax']).toMatchObject({ dispatched: 1, replied: 0, onTimeRate: null, returned: 1, returnReasons: [{ reason: '不属于本部门职责', count: 1 }] });
    expect(by['dept-urban']).toMatchObject({ dispatched: 1, replied: 0, overdueNow: 1 });
  });
});
