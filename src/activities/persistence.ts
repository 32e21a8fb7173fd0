import { ApplicationFailure } from '@temporalio/activity';
import { isUnavailable } from '../api/errors';
import type { Db } from '../db/client';
import type { CaseEvent, CaseState } from '../domain/case-model';
import type { Prisma } from '../generated/sqlite/client';
import { createLogger, type Logger } from '../logger';
import { LONE_SURROGATE } from '../domain/text';
import { caseMeasures, followUpAt, taskMeasures } from '../domain/measures';

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
    currentWarnAt: date(state.window?.warnAt),
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
    ...caseMeasures(state),
    version,
    snapshot: json(state),
  };
}

/** The failure type the workflow catches: the batch is recorded as refused and the case goes on. */
export const RECORD_REFUSED = 'RecordRefused';

/** Events an operator must look at; each one persisted also becomes an Incident row. */
const INCIDENT_EVENTS: ReadonlySet<string> = new Set(['rule_failed', 'record_refused']);

/**
 * Events after which the case may have an owner CaseSteward does not know yet (and record_refused:
 * a refused batch's owners were never written, so the note after it looks again).
 */
const OWNER_EVENTS: ReadonlySet<string> = new Set(['assigned', 'escalated', 'reassigned', 'reopened', 'record_refused']);

// DepartmentTask.overdueMs is a 32-bit Int on PostgreSQL: ~74 working days overdue would overflow it
const MAX_INT = 2 ** 31 - 1;

type Batch = { state: CaseSnapshot; events: CaseEvent[] };
type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

interface ErrorLike {
  name?: string;
  code?: unknown;
  message?: string;
  cause?: unknown;
  meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; code?: unknown; originalMessage?: unknown; message?: unknown } } };
}

/** The database's own error (SQLSTATE and its message), wherever the driver adapter put it. */
function databaseError(err: unknown): { prismaCode?: string; sqlState?: string; dbMessage?: string; name?: string } {
  const out: ReturnType<typeof databaseError> = {};
  let cur: unknown = err;
  for (let depth = 0; cur && typeof cur === 'object' && depth < 8; depth++, cur = (cur as ErrorLike).cause) {
    const c = cur as ErrorLike;
    out.name ??= c.name;
    const isPrisma = c.name?.startsWith('PrismaClient') ?? false;
    if (isPrisma && typeof c.code === 'string') out.prismaCode ??= c.code;
    const driver = c.meta?.driverAdapterError?.cause;
    const state = driver?.originalCode ?? driver?.code ?? (isPrisma ? undefined : c.code);
    if (typeof state === 'string' && /^[0-9A-Z]{5}$/.test(state)) out.sqlState ??= state;
    const message = driver?.originalMessage ?? driver?.message;
    if (typeof message === 'string') out.dbMessage ??= message;
  }
  return out;
}

// Prisma's own refusals of a value: too long, invalid, out of range, too large a number
const REFUSING_PRISMA_CODES = new Set(['P2000', 'P2007', 'P2020', 'P2033']);

/**
 * The database (or Prisma) refused the data itself: the same batch fails on every attempt, so
 * retrying it would wedge the case. SQLSTATE class 22 is "data exception" (NUL in text 22021,
 * \u0000 in JSON 22P05, bad JSON text 22P02, out of range 22003), class 54 a row or value too big.
 * An unreachable database is never a refusal: that attempt must be retried.
 */
export function isDataRefusal(err: unknown): boolean {
  if (isUnavailable(err)) return false;
  const { prismaCode, sqlState, name } = databaseError(err);
  if (sqlState && /^(22|54)/.test(sqlState)) return true;
  if (prismaCode && REFUSING_PRISMA_CODES.has(prismaCode)) return true;
  return name === 'PrismaClientValidationError';
}

function isUniqueViolation(err: unknown): boolean {
  const { prismaCode, sqlState } = databaseError(err);
  return prismaCode === 'P2002' || sqlState === '23505';
}

/** A short description of a refusal that carries no data (Prisma's messages can quote values). */
function refusalReason(err: unknown): string {
  const { prismaCode, sqlState, dbMessage, name } = databaseError(err);
  if (sqlState) return `database error ${sqlState}${dbMessage ? ` (${dbMessage})` : ''}`;
  if (prismaCode) return `Prisma error ${prismaCode}`;
  return name === 'PrismaClientValidationError' ? 'Prisma refused a value of the record' : (name ?? 'unknown error');
}

// NUL (PostgreSQL text and jsonb cannot hold it), other C0 controls but \t \n \r, lone surrogates
const UNSAFE_TEXT = new RegExp(`[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F]|${LONE_SURROGATE.source}`, 'g');

/** A deep copy with every string (keys too) stripped of characters a database may refuse. */
export function sanitise<T>(value: T): T {
  if (typeof value === 'string') return value.replace(UNSAFE_TEXT, '') as T;
  if (Array.isArray(value)) return value.map(sanitise) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [sanitise(k), sanitise(v)])) as T;
  }
  return value;
}

const seqRange = (d: unknown) => {
  const { fromSeq, toSeq } = (d ?? {}) as { fromSeq?: unknown; toSeq?: unknown };
  return `${String(fromSeq)}-${String(toSeq)}`;
};

export function createPersistenceActivities(db: Db, logger: Logger = createLogger()) {
  /** Everything one batch writes, in one transaction. */
  async function write(tx: Tx, { state, events }: Batch, version: number, lookFirst: boolean): Promise<{ version: number; inserted: number }> {
    const caseId = state.caseId;
    // a batch without a 回访 leaves the time of the last one as it was
    const followUp = followUpAt(events);
    const row = { ...caseRow(state, version), ...(followUp ? { followUpAt: followUp } : {}) };
    // one conditional statement: a racing attempt with a newer version can never be overwritten
    const advance = async () => (await tx.case.updateMany({ where: { id: caseId, version: { lt: version } }, data: row })).count > 0;
    let advances = await advance();
    let created = false;
    if (!advances) {
      const existing = await tx.case.findUnique({ where: { id: caseId }, select: { version: true } });
      if (!existing) {
        // a racing attempt creating it too makes one of us fail on the key; writeBatch runs that one again
        await tx.case.create({ data: { id: caseId, workflowId: `case-${caseId}`, ...row } });
        advances = created = true;
      } else if (existing.version < version) {
        // an older attempt's row committed between our two statements (PostgreSQL reads each statement
        // at its own moment): the update did not see it then, and does now
        advances = await advance();
      }
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
          overdueMs: Math.min(Math.round(t.overdueMs), MAX_INT),
          reminders: t.reminders,
          ...taskMeasures(t),
        };
        await tx.departmentTask.upsert({ where: { caseId_no: { caseId, no: t.no } }, create: { caseId, no: t.no, ...task }, update: task });
      }
      // everyone who owned the case keeps seeing it (scope): the owner now, and any owner in
      // between that this batch's escalations and reassignments name
      const owners = new Set([state.owner.id, ...state.escalations.flatMap((e) => [e.fromStewardId, e.toStewardId])]);
      for (const e of events) if (e.type === 'reassigned') for (const k of ['from', 'to']) {
        const id = (e.detail[k] as { id?: string } | undefined)?.id;
        if (id) owners.add(id);
      }
      // looked at only when the owner may have changed; a write only when an owner is new
      if (created || events.some((e) => OWNER_EVENTS.has(e.type))) {
        const known = new Set((await tx.caseSteward.findMany({ where: { caseId }, select: { stewardId: true } })).map((r) => r.stewardId));
        const fresh = [...owners].filter((id) => !known.has(id));
        if (fresh.length) await tx.caseSteward.createMany({ data: fresh.map((stewardId) => ({ caseId, stewardId })) });
      }
    }
    // A batch's events are written with the version that ends it, in one transaction, and a case's
    // batches do not overlap: a row that advances holds none of them yet, so only a repeated or stale
    // attempt looks first (and any attempt after one that met an event already there).
    const have = advances && !lookFirst
      ? new Set<number>()
      : new Set((await tx.caseEvent.findMany({ where: { caseId, seq: { in: events.map((e) => e.seq) } }, select: { seq: true } })).map((e) => e.seq));
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
      // written with the event row itself, whose (caseId, seq) key makes this happen once
      await writeIncidents(tx, caseId, missing.filter((e) => INCIDENT_EVENTS.has(e.type)));
    }
    return { version, inserted: missing.length };
  }

  async function writeIncidents(tx: Tx, caseId: string, events: CaseEvent[]): Promise<void> {
    if (!events.length) return;
    // a refusal this activity already reported (recordRefusal) is the same incident as the note
    // the workflow then records about it
    const reported = events.some((e) => e.type === 'record_refused')
      ? new Set((await tx.incident.findMany({ where: { caseId, kind: 'record_refused' }, select: { detail: true } })).map((i) => seqRange(i.detail)))
      : new Set<string>();
    const data = events
      .filter((e) => !(e.type === 'record_refused' && reported.has(seqRange(e.detail))))
      .map((e) => ({ kind: e.type, caseId, message: e.reason ?? e.type, detail: json({ seq: e.seq, ...e.detail }), at: new Date(e.at) }));
    if (data.length) await tx.incident.createMany({ data });
  }

  /** One batch in one transaction; a key another attempt took first means: run it again, now seeing that row. */
  async function writeBatch(batch: Batch, version: number) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.$transaction((tx) => write(tx, batch, version, attempt > 1));
      } catch (err) {
        if (attempt >= 3 || !isUniqueViolation(err)) throw err;
      }
    }
  }

  async function recordRefusal(caseId: string, fromSeq: number, toSeq: number, reason: string): Promise<void> {
    const detail = { fromSeq, toSeq, reason };
    // a worker that died after this write makes Temporal run the activity again: one incident still
    const existing = await db.incident.findMany({ where: { caseId, kind: 'record_refused' }, select: { detail: true } });
    if (existing.some((i) => seqRange(i.detail) === seqRange(detail))) return;
    await db.incident.create({
      data: { kind: 'record_refused', caseId, message: `the database refused events ${fromSeq}-${toSeq} of case ${caseId}, also with their text cleaned: ${reason}`, detail: json(detail) },
    });
  }

  return {
    /**
     * Folds a batch of events into the read model. Idempotent: the case row only moves
     * forward (version = last seq) and (caseId, seq) is unique, so a retried attempt, or a
     * slow attempt racing its retry, never duplicates or rewinds anything.
     *
     * Data the database refuses would fail every attempt and wedge the case: such a batch is
     * written again with its text cleaned, and if that is refused too it is reported (Incident,
     * error log) and fails as RecordRefused, not retried. An unreachable database is retried.
     */
    async persistCase(batch: Batch): Promise<{ version: number; inserted: number }> {
      const { events } = batch;
      const version = events.length ? events[events.length - 1]!.seq : 0;
      const caseId = batch.state.caseId;
      try {
        return await writeBatch(batch, version);
      } catch (err) {
        if (!isDataRefusal(err)) throw err;
        logger.warn({ caseId, version, error: refusalReason(err) }, 'read model refused a batch; writing it again with its text cleaned');
      }
      try {
        return await writeBatch(sanitise(batch), version);
      } catch (err) {
        if (!isDataRefusal(err)) throw err;
        const reason = refusalReason(err);
        const fromSeq = events[0]?.seq ?? version;
        logger.error({ caseId, fromSeq, toSeq: version, error: reason }, 'read model refused a batch even with its text cleaned; recorded as an incident');
        try {
          await recordRefusal(caseId, fromSeq, version, reason);
        } catch (incidentErr) {
          // the database gone meanwhile: let Temporal retry the whole batch later
          if (isUnavailable(incidentErr)) throw incidentErr;
          logger.error({ caseId, error: refusalReason(incidentErr) }, 'could not record the refusal as an incident');
        }
        throw ApplicationFailure.nonRetryable(`the read model refused events ${fromSeq}-${version} of case ${caseId}: ${reason}`, RECORD_REFUSED);
      }
    },
  };
}
