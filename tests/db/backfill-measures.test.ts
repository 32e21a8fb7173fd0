/**
 * Rows recorded before the measures existed get their facts from their own snapshot and events
 * (src/db/backfill-measures.ts), the same facts the persistence activity writes today.
 */
import { createPersistenceActivities } from '../../src/activities/persistence';
import { backfillMeasures } from '../../src/db/backfill-measures';
import { ACTIONS, newCaseState, onWindowElapsed, openAndAssign } from '../../src/domain/case-rules';
import { silentLogger } from '../../src/logger';
import { caseInput, steward } from '../fixtures/case-input';
import { useSeededDatabase } from '../helpers/database';

const FACTS = {
  respondedAt: true,
  responseSettledAt: true,
  responseOnTime: true,
  resolvedOnTime: true,
  resolutionSettledAt: true,
  followUpAt: true,
  ackWorkingMs: true,
  resolveWorkingMs: true,
  escalationsToArea: true,
  escalationsToChief: true,
  measured: true,
} as const;

describe('backfilling the measures of rows written before them', () => {
  const database = useSeededDatabase('sqlite');

  it('fills each unmeasured row with the facts its state gives, and leaves measured rows alone', async () => {
    const t = (s: string) => new Date(`${s}:00+08:00`);
    const s = newCaseState(caseInput('C20261102-BACKF1'), t('2026-11-02T09:00'));
    openAndAssign(s, t('2026-11-02T09:00'));
    ACTIONS.acknowledge.apply(s, { actor: steward(1) }, t('2026-11-02T11:00'));
    ACTIONS.propose.apply(s, { actor: steward(1), text: '已解决' }, t('2026-11-04T10:00'));
    ACTIONS.approve.apply(s, { actor: steward(1) }, t('2026-11-04T10:00'));
    onWindowElapsed(s, new Date(s.window!.dueAt));
    ACTIONS.recordFollowUp.apply(s, { actor: steward(1), satisfaction: 'satisfied' }, t('2026-11-06T10:00'));
    const { history, ...state } = s;
    await createPersistenceActivities(database.db, silentLogger).persistCase({ state, events: history });
    const written = await database.db.case.findUniqueOrThrow({ where: { id: s.caseId }, select: FACTS });
    expect(written).toMatchObject({ measured: true, responseOnTime: true, resolvedOnTime: true, ackWorkingMs: 2 * 3_600_000, followUpAt: t('2026-11-06T10:00') });

    // as a row from before the measures: no facts, not measured
    await database.db.case.update({
      where: { id: s.caseId },
      data: { respondedAt: null, responseSettledAt: null, responseOnTime: false, resolvedOnTime: false, resolutionSettledAt: null, followUpAt: null, ackWorkingMs: null, resolveWorkingMs: null, measured: false },
    });
    expect(await backfillMeasures(database.db)).toBe(1);
    expect(await database.db.case.findUniqueOrThrow({ where: { id: s.caseId }, select: FACTS })).toEqual(written);
    expect(await backfillMeasures(database.db)).toBe(0);
  });
});
