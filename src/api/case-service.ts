/**
 * What the case routes do: open a case (workflow first; the workflow writes its own row), act
 * on it through Updates, read it from the read model's versioned snapshot (or, on request or
 * before its first write, live from the workflow), and list from the read model.
 */
import { createHash } from 'node:crypto';
import { type Client, isGrpcCancelledError, isGrpcDeadlineError, WorkflowUpdateStage } from '@temporalio/client';
import type { Db } from '../db/client';
import type { Actor, CaseEvent, CaseState } from '../domain/case-model';
import { isTerminal } from '../domain/case-model';
import type { ActionArgs, ActionName } from '../domain/case-rules';
import type { CatalogueStore } from '../catalogue-store';
import type { OfficeHours } from '../domain/working-time';
import { describeClocks, standing } from '../domain/clocks';
import { ACTION_UPDATES, type CaseAnswer, caseWorkflowId, CLIENT_KEY_PREFIX, getCaseStateQuery } from '../workflows/definitions';
import { UNRESOLVED_STAGES } from '../domain/case-kernel';
import type { Directory } from './directory';
import { createIntake } from './intake';
import { conflict, isUnavailable, notFound, unavailable } from './errors';
import type { ListCasesQuery, OpenCaseBody } from './schemas';
import { answersFor, type Principal } from '../auth/principal';
import { caseScope, departmentOnly, stateInScope } from '../auth/scope';
import type { CaseFacts } from '../auth/actor';
import type { StewardChain } from '../domain/case-model';

export interface CaseServiceDeps {
  db: Db;
  temporal: Client;
  directory: Directory;
  catalogue: CatalogueStore;
  officeHours: OfficeHours;
  quietHours: boolean;
  taskQueue: string;
  /** how long to wait for an accepted action to be recorded before answering 202 */
  actionWaitMs: number;
}

/** A case the caller may see: what actor resolution needs, and where it stands. */
export interface Located {
  facts: CaseFacts & { townId: string };
  stage: CaseState['stage'];
  outcome: string | null;
  /** the read model's row: its snapshot, version and when it was written */
  row?: { snapshot: unknown; version: number; updatedAt: Date };
  /** set when the read model had no row (yet, or could not be read) and the workflow answered */
  live?: CaseView;
}

/**
 * A case as answered: its state, where it came from, and its `version` (the seq of the last event
 * it includes). From the read model it also says when that version was written (`recordedAt`):
 * an action's answer carries the version the lists will show once the read model catches up.
 */
export type CaseView = Omit<CaseState, 'history'> & {
  /** the whole history (reads); an action's answer carries `events` instead */
  history?: CaseEvent[];
  /** an action's answer: the events that action added */
  events?: CaseEvent[];
  source: 'workflow' | 'database';
  version: number;
  recordedAt?: string;
  clocks: ReturnType<typeof describeClocks>;
};

const view = (state: CaseState, source: CaseView['source'], recordedAt?: Date): CaseView => ({
  ...state,
  source,
  version: state.history.at(-1)?.seq ?? 0,
  ...(recordedAt ? { recordedAt: recordedAt.toISOString() } : {}),
  clocks: describeClocks(state, new Date()),
});

/** An action's answer: the case as the action left it and the events it added, not the whole history. */
const answerView = (answer: CaseAnswer): CaseView => ({ ...answer, source: 'workflow', clocks: describeClocks(answer, new Date()) });


export interface Outcome {
  status: 200 | 201 | 202;
  body: unknown;
}

/**
 * What a department sees of a case dispatched to it: the request it must act on (with the
 * enterprise's contact, which it needs to do so), its own tasks and deadlines — not the steward
 * chain, other departments' work, the history or the escalations.
 */
export function departmentView(state: CaseView, principal: Principal) {
  const mine = new Set(answersFor(principal));
  return {
    caseId: state.caseId,
    source: state.source,
    version: state.version,
    stage: state.stage,
    parties: { building: state.parties.building, enterprise: { id: state.parties.enterprise.id, name: state.parties.enterprise.name } },
    request: state.request,
    policy: { category: state.policy.category, categoryName: state.policy.categoryName, departmentReply: state.policy.departmentReply },
    openedAt: state.openedAt,
    tasks: state.tasks.filter((t) => mine.has(t.departmentId)),
  };
}

export function createCaseService({ db, temporal, directory, catalogue, officeHours, quietHours, taskQueue, actionWaitMs }: CaseServiceDeps) {
  const handle = (caseId: string) => temporal.workflow.getHandle(caseWorkflowId(caseId));
  // queries and updates need a worker; without one they would hang the HTTP caller
  const bounded = <T>(fn: () => Promise<T>) => temporal.connection.withDeadline(Date.now() + actionWaitMs, fn);
  // our deadline is the only thing that cancels these calls, and grpc-js sometimes reports
  // it as CANCELLED rather than DEADLINE_EXCEEDED (seen on the dev server): both mean "no answer"
  const deadlineExceeded = (err: unknown) =>
    isGrpcDeadlineError(err) || isGrpcCancelledError(err) || (err as Error)?.name === 'WorkflowUpdateRPCTimeoutOrCancelledError';

  async function fromDatabase(caseId: string, row: NonNullable<Located['row']>): Promise<CaseView> {
    const events = await db.caseEvent.findMany({ where: { caseId, seq: { lte: row.version } }, orderBy: { seq: 'asc' } });
    const history: CaseEvent[] = events.map((e) => ({
      seq: e.seq,
      at: e.at.toISOString(),
      type: e.type as CaseEvent['type'],
      actor: { kind: e.actorRole as Actor['kind'], id: e.actorId },
      ...(e.fromStage ? { from: e.fromStage as CaseEvent['from'] } : {}),
      ...(e.toStage ? { to: e.toStage as CaseEvent['to'] } : {}),
      ...(e.reason ? { reason: e.reason } : {}),
      detail: e.detail as Record<string, unknown>,
    }));
    return view({ ...(row.snapshot as unknown as Omit<CaseState, 'history'>), history }, 'database', row.updatedAt);
  }

  /**
   * The case as this principal may see it (404 outside their scope): the read model's snapshot,
   * which needs no worker; `live` asks the running workflow instead, for what only it knows yet.
   */
  async function get(caseId: string, principal: Principal, opts: { live?: boolean } = {}) {
    const found = await locate(caseId, principal);
    const state = found.live ?? (opts.live && !isTerminal(found.stage) ? await liveState(caseId) : await fromDatabase(caseId, found.row!));
    return departmentOnly(principal) ? departmentView(state, principal) : state;
  }

  /**
   * Finds a case the principal may see, by its read-model row, or — while its first write is
   * still on its way — by the workflow's live state. Outside their scope it does not exist (404).
   */
  async function locate(caseId: string, principal: Principal): Promise<Located> {
    let row;
    try {
      row = await db.case.findFirst({
        where: { id: caseId, ...caseScope(principal) },
        select: {
          stage: true,
          outcome: true,
          enterpriseId: true,
          ownerStewardId: true,
          townId: true,
          snapshot: true,
          version: true,
          updatedAt: true,
          tasks: { select: { departmentId: true } },
        },
      });
    } catch (err) {
      // the database is down but the case runs on: find it, and check scope, on its live state
      if (!isUnavailable(err)) throw err;
      return locateLive(caseId, principal);
    }
    if (row) {
      const facts = {
        enterpriseId: row.enterpriseId,
        ownerStewardId: row.ownerStewardId,
        townId: row.townId,
        chain: (row.snapshot as unknown as { chain: StewardChain }).chain,
        departmentIds: [...new Set(row.tasks.map((t) => t.departmentId))],
      };
      return { facts, stage: row.stage as CaseState['stage'], outcome: row.outcome, row };
    }
    const stored = await db.case.findUnique({ where: { id: caseId }, select: { stage: true } });
    // a department or steward gains a case through the workflow (a dispatch, an escalation, a
    // reassignment) a moment before the read model shows it: ask the running case itself
    if (stored && (isTerminal(stored.stage as CaseState['stage']) || !(principal.posts.length || answersFor(principal).length))) {
      throw notFound(`case ${caseId} not found`);
    }
    return locateLive(caseId, principal);
  }

  async function locateLive(caseId: string, principal: Principal): Promise<Located> {
    const live = await liveState(caseId);
    if (!stateInScope(principal, live)) throw notFound(`case ${caseId} not found`);
    const facts = {
      enterpriseId: live.parties.enterprise.id,
      ownerStewardId: live.owner.id,
      townId: live.parties.building.townId,
      chain: live.chain,
      departmentIds: [...new Set(live.tasks.map((t) => t.departmentId))],
    };
    return { facts, stage: live.stage, outcome: live.outcome ?? null, live };
  }

  async function liveState(caseId: string): Promise<CaseView> {
    try {
      return view(await bounded(() => handle(caseId).query(getCaseStateQuery)), 'workflow');
    } catch (err) {
      if ((err as Error).name === 'WorkflowNotFoundError') throw notFound(`case ${caseId} not found`);
      if (deadlineExceeded(err)) throw unavailable(`case ${caseId} did not answer within ${actionWaitMs} ms; is a worker running?`);
      throw err;
    }
  }

  // opening a case, exactly once: see intake.ts
  const intake = createIntake({ db, temporal, directory, catalogue, officeHours, quietHours, taskQueue, actionWaitMs, view: (state) => view(state, 'workflow') });
  async function open(body: OpenCaseBody, principal: Principal, idempotencyKey?: string): Promise<Outcome> {
    return intake.open(body, principal, idempotencyKey);
  }

  /**
   * An action on a case `locate` found (so it exists, and the caller may see it). With an
   * Idempotency-Key the Update id is derived from the caller, the key and the request, so a
   * retry after a lost answer is applied once and answers with the case as it now stands.
   */
  async function act<K extends ActionName>(
    caseId: string,
    found: Located,
    action: K,
    args: ActionArgs[K],
    keyed?: { personId: string; key: string },
  ): Promise<Outcome> {
    const updateId = keyed
      ? CLIENT_KEY_PREFIX + createHash('sha256').update(JSON.stringify([keyed.personId, keyed.key, action, args])).digest('hex').slice(0, 40)
      : undefined;
    // a finished case takes no Update; a retry of the action that finished it (its answer lost)
    // is still answered as applied, from the record of keys the case applied
    const finished = async (outcome: string): Promise<Outcome> => {
      const final = found.row && isTerminal(found.stage) ? await fromDatabase(caseId, found.row) : await liveState(caseId);
      if (updateId && final.appliedKeys?.includes(updateId)) {
        const { history: _history, ...rest } = final;
        return { status: 200, body: { ...rest, events: [] } };
      }
      throw conflict(`case ${caseId} is finished (${outcome}); no further actions are accepted`);
    };
    if (isTerminal(found.stage)) return finished(found.outcome ?? found.stage);
    try {
      const state = await bounded(() => handle(caseId).executeUpdate(ACTION_UPDATES[action], { args: [args] as never, ...(updateId ? { updateId } : {}) }));
      return { status: 200, body: answerView(state as CaseAnswer) };
    } catch (err) {
      if (/workflow execution already completed/i.test(`${(err as Error)?.message} ${((err as { cause?: Error }).cause)?.message ?? ''}`)) return finished('closed meanwhile');
      if (!deadlineExceeded(err) && !isUnavailable(err)) throw err;
      // the Update may have reached the workflow before the answer was lost: say so, honestly
      throw unavailable(
        `case ${caseId} did not answer within ${actionWaitMs} ms (is a worker running?); the action may or may not have been applied: ` +
          (updateId ? 'retrying with the same Idempotency-Key is safe' : 'check the case before retrying, or send an Idempotency-Key so a retry is safe'),
      );
    }
  }

  async function list(q: ListCasesQuery, principal: Principal) {
    const now = new Date();
    // overdue and at risk by the stored deadlines and the clock, not only by the flags the worker
    // writes when a timer fires: a lagging worker or read model must not hide an overdue case
    const running = { stage: { in: [...UNRESOLVED_STAGES] }, paused: false };
    const overdueNow = { OR: [{ overdue: true }, { ...running, currentDueAt: { lte: now } }] };
    const atRiskNow = { AND: [{ OR: [{ atRisk: true }, { ...running, currentWarnAt: { lte: now } }] }, { NOT: overdueNow }] };
    const filters = {
      AND: [
        ...(q.overdue !== undefined ? [q.overdue ? overdueNow : { NOT: overdueNow }] : []),
        ...(q.atRisk !== undefined ? [q.atRisk ? atRiskNow : { NOT: atRiskNow }] : []),
      ],
      ...(q.paused !== undefined ? { paused: q.paused } : {}),
      ...(q.category ? { category: q.category } : {}),
      ...(q.stage ? { stage: q.stage } : {}),
      ...(q.level ? { ownerLevel: q.level } : {}),
      ...(q.buildingId ? { buildingId: q.buildingId } : {}),
      ...(q.areaId ? { areaId: q.areaId } : {}),
      ...(q.ownerStewardId ? { ownerStewardId: q.ownerStewardId } : {}),
      ...(q.departmentId ? { departmentId: q.departmentId } : {}),
      ...(q.enterpriseId ? { enterpriseId: q.enterpriseId } : {}),
    };
    const where = { AND: [filters, caseScope(principal)] };
    const [rows, total] = await Promise.all([
      db.case.findMany({
        where,
        orderBy: q.overdue
          ? [{ overdueSince: { sort: 'asc', nulls: 'first' } }, { currentDueAt: 'asc' }, { id: 'asc' }]
          : [{ openedAt: 'desc' }, { id: 'asc' }],
        skip: (q.page - 1) * q.pageSize,
        take: q.pageSize,
        // list rows carry no private data: no contact, no description
        omit: { snapshot: true, contactName: true, contactPhone: true, description: true },
      }),
      db.case.count({ where }),
    ]);
    const items = rows.map((r) => {
      const { overdue, atRisk, dueSince } = standing({ ...r, dueAt: r.currentDueAt, warnAt: r.currentWarnAt }, now);
      return { ...r, overdue, atRisk, overdueSince: r.overdueSince ?? dueSince };
    });
    // each row carries its `version` and `updatedAt`: how fresh the read model is for it
    return { items, page: q.page, pageSize: q.pageSize, total, generatedAt: now.toISOString() };
  }

  return { open, get, act, list, locate };
}

export type CaseService = ReturnType<typeof createCaseService>;
