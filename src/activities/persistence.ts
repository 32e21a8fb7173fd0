import type { Db } from '../db/client';
import type { CaseEvent, CaseState } from '../domain/case-model';
import type { Prisma } from '../generated/sqlite/client';

export type CaseSnapshot = Omit<CaseState, 'history'>;

const json = (v: unknown) => v as Prisma.InputJsonValue;
const date = (v: string | undefined) => (v ? new Date(v) : null);

export function caseRow(state: CaseSnapshot, version: number) {
  const { parties, request } = state;
  return {
    townId: parties.building.townId,
    areaId: parties.building.areaId,
    buildingId: parties.building.id,
    enterpriseId: parties.enterprise.id,
    category: request.category,
    urgency: request.urgency,
    title: request.title,
    description: request.description,
    contactName: request.contact.name,
    contactPhone: request.contact.phone,
    stage: state.stage,
    outcome: state.outcome ?? null,
    satisfaction: state.satisfaction ?? null,
    ownerLevel: state.owner.level,
    ownerStewardId: state.owner.id,
    departmentId: state.tasks.filter((t) => t.role === 'lead').at(-1)?.departmentId ?? null,
    responseDueAt: new Date(state.deadlines.responseDueAt),
    resolutionDueAt: new Date(state.deadlines.resolutionDueAt),
    currentDueAt: date(state.window?.dueAt),
    overdue: state.overdue,
    overdueSince: date(state.overdueSince),
    atRisk: state.atRisk,
    paused: !!state.pause,
    calendarUnknown: !!state.calendarUnknown,
    catalogueVersion: state.policy.catalogueVersion,
    escalations: state.escalations.length,
    reminders: state.reminders,
    openedAt: new Date(state.openedAt),
    acknowledgedAt: date(state.acknowledgedAt),
    resolvedAt: date(state.resolvedAt),
    closedAt: date(state.closedAt),
    version,
    snapshot: json(state),
  };
}

export function createPersistenceActivities(db: Db) {
  return {
    /**
     * Folds a batch of events into the read model. Idempotent: the case row only moves
     * forward (version = last seq) and (caseId, seq) is unique, so a retried attempt, or a
     * slow attempt racing its retry, never duplicates or rewinds anything.
     */
    async persistCase({ state, events }: { state: CaseSnapshot; events: CaseEvent[] }): Promise<{ version: number; inserted: number }> {
      const caseId = state.caseId;
      const version = events.length ? events[events.length - 1]!.seq : 0;
      return db.$transaction(async (tx) => {
        const row = caseRow(state, version);
        const existing = await tx.case.findUnique({ where: { id: caseId }, select: { version: true } });
        const advances = !existing || existing.version < version;
        if (!existing) {
          await tx.case.create({ data: { id: caseId, workflowId: `case-${caseId}`, ...row } });
        } else if (advances) {
          await tx.case.update({ where: { id: caseId }, data: row });
        }
        if (advances) {
          for (const t of state.tasks) {
            const task = {
              departmentId: t.departmentId,
              role: t.role,
              status: t.status,
              dispatchedAt: new Date(t.dispatchedAt),
              dueAt: new Date(t.dueAt),
              overdue: !!t.overdueSince,
              overdueSince: date(t.overdueSince),
              overdueMs: Math.round(t.overdueMs),
              reminders: t.reminders,
            };
            await tx.departmentTask.upsert({ where: { caseId_no: { caseId, no: t.no } }, create: { caseId, no: t.no, ...task }, update: task });
          }
        }
        if (advances) {
          // everyone who owned the case keeps seeing it (scope): the owner now, and any owner in
          // between that this batch's escalations and reassignments name
          const owners = new Set([state.owner.id, ...state.escalations.flatMap((e) => [e.fromStewardId, e.toStewardId])]);
          for (const e of events) if (e.type === 'reassigned') for (const k of ['from', 'to']) {
            const id = (e.detail[k] as { id?: string } | undefined)?.id;
            if (id) owners.add(id);
          }
          // one read, and a write only when an owner is new (rarely: assignment, escalation, reassignment)
          const known = new Set((await tx.caseSteward.findMany({ where: { caseId }, select: { stewardId: true } })).map((r) => r.stewardId));
          const fresh = [...owners].filter((id) => !known.has(id));
          if (fresh.length) await tx.caseSteward.createMany({ data: fresh.map((stewardId) => ({ caseId, stewardId })) });
        }
        const seqs = events.map((e) => e.seq);
        const have = new Set(
          (await tx.caseEvent.findMany({ where: { caseId, seq: { in: seqs } }, select: { seq: true } })).map((e) => e.seq),
        );
        const missing = events.filter((e) => !have.has(e.seq));
        if (missing.length) {
          await tx.caseEvent.createMany({
            data: missing.map((e) => ({
              caseId,
              seq: e.seq,
              type: e.type,
              actorId: e.actor.id,
              actorRole: e.actor.kind,
              fromStage: e.from ?? null,
              toStage: e.to ?? null,
              at: new Date(e.at),
              reason: e.reason ?? null,
              detail: json(e.detail),
            })),
          });
        }
        return { version, inserted: missing.length };
      });
    },
  };
}
