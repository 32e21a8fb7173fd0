/**
 * The floor's one activity: one row, written through the product's own Prisma client into the
 * product's database file, idempotently (a retried attempt writes nothing twice), as the
 * product's read-model writes are.
 */
import type { Db } from '../../src/db/client';

export const FLOOR_TABLE = 'bench_floor_step';

export async function createFloorTable(db: Db): Promise<void> {
  await db.$executeRawUnsafe(
    `CREATE TABLE IF NOT EXISTS ${FLOOR_TABLE} (
       id INTEGER PRIMARY KEY AUTOINCREMENT,
       case_id TEXT NOT NULL,
       seq INTEGER NOT NULL,
       step TEXT NOT NULL,
       deadline_ms INTEGER,
       written_ms INTEGER NOT NULL,
       UNIQUE (case_id, seq)
     )`,
  );
}

export interface WriteStepInput {
  caseId: string;
  step: string;
  seq: number;
  deadlineAt?: number;
}

export function createFloorActivities(db: Db) {
  return {
    async writeStep({ caseId, step, seq, deadlineAt }: WriteStepInput): Promise<number> {
      const writtenAt = Date.now();
      await db.$executeRawUnsafe(
        `INSERT INTO ${FLOOR_TABLE} (case_id, seq, step, deadline_ms, written_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (case_id, seq) DO NOTHING`,
        caseId,
        seq,
        step,
        deadlineAt ?? null,
        writtenAt,
      );
      return writtenAt;
    },
  };
}
