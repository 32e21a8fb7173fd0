/**
 * Fills the measures' facts (src/domain/measures.ts) of rows written before they existed, from
 * each row's snapshot and events, a batch at a time. A row the workflow writes meanwhile carries
 * its own facts (measured = true) and is left alone.
 */
import type { Db } from './client';
import type { CaseState } from '../domain/case-model';
import { caseMeasures, taskMeasures } from '../domain/measures';

const BATCH = 500;

export async function backfillMeasures(db: Db): Promise<number> {
  let done = 0;
  for (;;) {
    const rows = await db.case.findMany({ where: { measured: false }, select: { id: true, snapshot: true }, take: BATCH });
    if (!rows.length) return done;
    for (const { id, snapshot } of rows) {
      const state = snapshot as unknown as Omit<CaseState, 'history'>;
      const followUp = await db.caseEvent.findFirst({ where: { caseId: id, type: 'follow_up_recorded' }, orderBy: { seq: 'desc' }, select: { at: true } });
      await db.$transaction([
        db.case.updateMany({ where: { id, measured: false }, data: { ...caseMeasures(state), followUpAt: followUp?.at ?? null } }),
        ...state.tasks.map((t) => db.departmentTask.updateMany({ where: { caseId: id, no: t.no }, data: taskMeasures(t) })),
      ]);
      done++;
    }
  }
}
