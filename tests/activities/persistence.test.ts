/**
 * persistCase under the faults that used to wedge a case: racing attempts of consecutive
 * batches, text the database refuses, a refusal that cleaning does not cure, and an
 * unreachable database (which must stay retryable).
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createPersistenceActivities, type CaseSnapshot } from '../../src/activities/persistence';
import { createDb, type Db } from '../../src/db/client';
import type { CaseEvent, CaseState } from '../../src/domain/case-model';
import { ACTIONS, newCaseState, onRecordRefused, onRuleFailed, openAndAssign } from '../../src/domain/case-rules';
import { silentLogger } from '../../src/logger';
import { caseInput, steward } from '../fixtures/case-input';
import { useSeededDatabase } from '../helpers/database';

const T0 = new Date('2026-03-02T01:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/** The batches a workflow would persist, each with the full history up to its version. */
function versions(caseId: string, mutate?: (s: CaseState) => void): { state: CaseSnapshot; events: CaseEvent[] }[] {
  const state = newCaseState(caseInput(caseId), T0);
  mutate?.(state);
  openAndAssign(state, T0);
  const out: { state: CaseSnapshot; events: CaseEvent[] }[] = [];
  const take = () => {
    const { history, ...snapshot } = structuredClone(state);
    out.push({ state: snapshot, events: history });
  };
  take(); // v2: assigned
  ACTIONS.acknowledge.apply(state, { actor: steward(1) }, at(60));
  take(); // v3: acknowledged
  ACTIONS.propose.apply(state, { actor: steward(1), text: '协调周边停车场错峰共享' }, at(120));
  take(); // v4: pending_approval
  return out;
}

const run = <A extends unknown[], R>(fn: (...a: A) => Promise<R>, ...args: A) => new MockActivityEnvironment().run(fn, ...args);

describe.each(['sqlite', 'postgresql'] as const)('on %s', (provider) => {
  const store = useSeededDatabase(provider);
  let db: Db;
  let acts: ReturnType<typeof createPersistenceActivities>;
  beforeAll(() => {
    db = store.db;
    acts = createPersistenceActivities(db, silentLogger);
  });

  async function expectPersisted(caseId: string, batch: { state: CaseSnapshot; events: CaseEvent[] }) {
    const row = await db.case.findUniqueOrThrow({ where: { id: caseId }, include: { events: { orderBy: { seq: 'asc' } }, stewards: true } });
    const version = batch.events.at(-1)!.seq;
    expect(row).toMatchObject({ version, stage: batch.state.stage });
    expect((row.snapshot as { stage: string }).stage).toBe(batch.state.stage);
    expect(row.currentWarnAt?.toISOString()).toBe(batch.state.window?.warnAt ? new Date(batch.state.window.warnAt).toISOString() : undefined);
    expect(row.events.map((e) => e.seq)).toEqual(batch.events.map((e) => e.seq));
    expect(row.stewards.map((s) => s.stewardId)).toEqual(['stw-point-1']);
  }

  it('two attempts of consecutive versions racing, in either order, leave the newer one and every event once', async () => {
    let n = 0;
    for (const preexisting of [false, true]) {
      for (const newerFirst of [false, true]) {
        for (let round = 0; round < 8; round++) {
          const caseId = `C20260302-RACE${String(++n).padStart(2, '0')}`;
          const [v2, v3, v4] = versions(caseId);
          // with a row at v2 the race is on the conditional update, without one on creating it (on
          // PostgreSQL the older may commit its row between the newer's update and its look: caught here)
          if (preexisting) await run(acts.persistCase, v2!);
          const [older, newer] = preexisting ? [v3!, v4!] : [v2!, v3!];
          const calls = newerFirst ? [newer, older] : [older, newer];
          await Promise.all(calls.map((b) => run(acts.persistCase, b)));
          await expectPersisted(caseId, newer);
        }
      }
    }
  });

  it('writes the current warning point and an incident for each rule_failed / record_refused event, once', async () => {
    const caseId = 'C20260302-INCI01';
    const [, v3] = versions(caseId);
    expect(v3!.state.window?.warnAt).toBeDefined();
    await run(acts.persistCase, v3!);
    await expectPersisted(caseId, v3!);

    const state = { ...structuredClone(v3!.state), history: structuredClone(v3!.events) } as CaseState;
    onRuleFailed(state, at(90), 'timer', 'calendar does not cover 2031');
    onRecordRefused(state, at(91), 2, 3, 'database error 22021');
    const { history, ...snapshot } = state;
    const batch = { state: snapshot, events: history.slice(3) };
    expect(await run(acts.persistCase, batch)).toEqual({ version: 5, inserted: 2 });
    expect(await run(acts.persistCase, batch)).toEqual({ version: 5, inserted: 0 });
    const incidents = await db.incident.findMany({ where: { caseId }, orderBy: { id: 'asc' } });
    expect(incidents.map((i) => [i.kind, i.message])).toEqual([
      ['rule_failed', '规则执行失败（timer）：calendar does not cover 2031'],
      ['record_refused', 'database error 22021'],
    ]);
    expect(incidents[0]!.detail).toMatchObject({ seq: 4, where: 'timer' });
  });
});

describe('on postgresql: data the database refuses', () => {
  const store = useSeededDatabase('postgresql');
  let db: Db;
  beforeAll(() => (db = store.db));

  /** The real database, except that every transaction fails with `error`. */
  const failingDb = (error: unknown) =>
    new Proxy(db, { get: (target, p) => (p === '$transaction' ? async () => Promise.reject(error) : Reflect.get(target, p, target)) });

  it('cleans text PostgreSQL cannot store (NUL, lone surrogates, control characters) and persists the case', async () => {
    const caseId = 'C20260302-NUL001';
    const [, v3] = versions(caseId, (s) => {
      s.request.title = '停车\u0000位不足\u0007';
      s.request.description = '第一行\n第二行\t\ud800完';
    });
    // in an event's JSON too (the acknowledge note)
    v3!.events[2]!.detail.note = 'a\u0000b\ud83d\ude00';
    const acts = createPersistenceActivities(db, silentLogger);
    expect(await new MockActivityEnvironment().run(acts.persistCase, v3!)).toEqual({ version: 3, inserted: 3 });
    const row = await db.case.findUniqueOrThrow({ where: { id: caseId }, include: { events: { orderBy: { seq: 'asc' } } } });
    expect(row).toMatchObject({ version: 3, stage: 'acknowledged', title: '停车位不足', description: '第一行\n第二行\t完' });
    expect((row.snapshot as unknown as CaseSnapshot).request.title).toBe('停车位不足');
    expect(row.events[2]!.detail).toMatchObject({ note: 'ab\ud83d\ude00' });
    expect(await db.incident.count({ where: { caseId } })).toBe(0);
  });

  it('a refusal that cleaning does not cure ends as RecordRefused, not retried, with one incident', async () => {
    // a real refusal from this database, then thrown by every transaction
    const refusal = await db.town.create({ data: { id: 'town-nul', name: 'x\u0000' } }).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ name: 'PrismaClientKnownRequestError' });
    const acts = createPersistenceActivities(failingDb(refusal), silentLogger);
    const caseId = 'C20260302-REFU01';
    const [, v3] = versions(caseId);
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(new MockActivityEnvironment().run(acts.persistCase, v3!)).rejects.toMatchObject({
        type: 'RecordRefused',
        nonRetryable: true,
        message: expect.stringMatching(/refused events 1-3 of case C20260302-REFU01: database error 22021/),
      });
    }
    const incidents = await db.incident.findMany({ where: { caseId } });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ kind: 'record_refused', resolvedAt: null, detail: { fromSeq: 1, toSeq: 3 } });
    expect(await db.case.count({ where: { id: caseId } })).toBe(0);

    // the note the workflow then records about it is the same incident, not a second one
    const state = { ...structuredClone(v3!.state), history: structuredClone(v3!.events) } as CaseState;
    onRecordRefused(state, at(90), 1, 3, 'refused');
    const { history, ...snapshot } = state;
    await new MockActivityEnvironment().run(createPersistenceActivities(db, silentLogger).persistCase, { state: snapshot, events: history.slice(3) });
    expect(await db.incident.count({ where: { caseId } })).toBe(1);
    expect(await db.caseEvent.findMany({ where: { caseId }, select: { seq: true, type: true } })).toEqual([{ seq: 4, type: 'record_refused' }]);
  });

  it('an unreachable database stays a retryable failure, with no incident', async () => {
    const gone = createDb('postgresql://postgres@127.0.0.1:1/postgres');
    const unreachable = await gone.town.findMany().catch((e: unknown) => e);
    await gone.$disconnect();
    const acts = createPersistenceActivities(failingDb(unreachable), silentLogger);
    const caseId = 'C20260302-DOWN01';
    const [, v3] = versions(caseId);
    const failure = await new MockActivityEnvironment().run(acts.persistCase, v3!).catch((e: unknown) => e);
    expect(failure).toBe(unreachable);
    expect(failure).toMatchObject({ code: 'P1001' });
    expect(await db.incident.count({ where: { caseId } })).toBe(0);
  });
});
