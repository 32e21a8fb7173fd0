/**
 * What the case routes do: open a case (workflow first; the workflow writes its own row), act
 * on it through Updates, read it from the read model's versioned snapshot (or, on request or
 * before its first write, live from the workflow), and list from the read model.
 */
import { createHash } from 'node:crypto';
import { type Client, isGrpcCancelledError, isGrpcDeadlineError, WorkflowUpdateStage } from '@temporalio/client';
import type { Db } from '../db/client';
import { Prisma } from '../generated/sqlite/client';
import type { Actor, CaseEvent, CaseState } from '../domain/case-model';
import { isTerminal, type Stage, STAGE_NAMES } from '../domain/case-model';
import type { ActionArgs, ActionName } from '../domain/case-rules';
import type { CatalogueStore } from '../catalogue-store';
import { BEIJING_OFFSET, type CalendarData, type OfficeHours, type WorkingCalendar } from '../domain/working-time';
import { describeClocks, rowRemainingText, standing } from '../domain/clocks';
import { calendarData } from '../calendar';
import { ACTION_UPDATES, type CaseAnswer, caseWorkflowId, CLIENT_KEY_PREFIX, getCaseStateQuery, withFrozenParts } from '../workflows/definitions';
import { UNRESOLVED_STAGES } from '../domain/case-kernel';
import type { Directory } from './directory';
import { createIntake } from './intake';
import { measureWhere, partsOf, standingFilters } from './measures';
import { filterWhere, taken } from './stats';
import { conflict, invalidField, isUnavailable, notFound, unavailable } from './errors';
import type { ListCasesQuery, OpenCaseBody } from './schemas';
import { answersFor, type Principal } from '../auth/principal';
import { caseScope, caseScopeParts, departmentOnly, stateInScope } from '../auth/scope';
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
const answerView = (answer: CaseAnswer, found: Located): CaseView => {
  const whole = withFrozenParts(answer, (found.live ?? found.row!.snapshot) as CaseState);
  return { ...whole, source: 'workflow', clocks: describeClocks(whole, new Date()) };
};


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

  /** A case as the read model holds it, whoever asks (the intake checked the key's owner). */
  async function recorded(caseId: string): Promise<CaseView | null> {
    const row = await db.case.findUnique({ where: { id: caseId }, select: { snapshot: true, version: true, updatedAt: true } });
    return row && fromDatabase(caseId, row);
  }

  /**
   * The case as this principal may see it (404 outside their scope): the read model's snapshot,
   * which needs no worker; `live` asks the running workflow instead, for what only it knows yet.
   */
  async function get(caseId: string, principal: Principal, opts: { live?: boolean } = {}) {
    return (await read(caseId, principal, opts)).view;
  }

  /** The case as `get` answers it, with the whole state and the facts it was located by (for what the caller may do next). */
  async function read(caseId: string, principal: Principal, opts: { live?: boolean } = {}) {
    const found = await locate(caseId, principal);
    const state = found.live ?? (opts.live && !isTerminal(found.stage) ? await liveState(caseId) : await fromDatabase(caseId, found.row!));
    return { view: departmentOnly(principal) ? departmentView(state, principal) : state, state, facts: found.facts };
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
      throw notFound(`case ${caseId} not found`, `案件 ${caseId} 不存在`);
    }
    return locateLive(caseId, principal);
  }

  async function locateLive(caseId: string, principal: Principal): Promise<Located> {
    const live = await liveState(caseId);
    if (!stateInScope(principal, live)) throw notFound(`case ${caseId} not found`, `案件 ${caseId} 不存在`);
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
      if ((err as Error).name === 'WorkflowNotFoundError') throw notFound(`case ${caseId} not found`, `案件 ${caseId} 不存在`);
      if (deadlineExceeded(err)) throw unavailable(`case ${caseId} did not answer within ${actionWaitMs} ms; is a worker running?`, `案件 ${caseId} 未在 ${actionWaitMs / 1000} 秒内应答（后台处理服务可能未运行），请稍后重试`);
      throw err;
    }
  }

  // opening a case, exactly once: see intake.ts
  const intake = createIntake({ db, temporal, directory, catalogue, officeHours, quietHours, taskQueue, actionWaitMs, view: (state) => view(state, 'workflow'), recorded });
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
      throw conflict(
        `case ${caseId} is finished (${outcome}); no further actions are accepted`,
        `案件 ${caseId} 已办结（${outcome === 'closed meanwhile' ? '刚刚结束' : (STAGE_NAMES[outcome as Stage] ?? outcome)}），不再受理任何操作`,
      );
    };
    if (isTerminal(found.stage)) return finished(found.outcome ?? found.stage);
    try {
      const state = await bounded(() => handle(caseId).executeUpdate(ACTION_UPDATES[action], { args: [args] as never, ...(updateId ? { updateId } : {}) }));
      return { status: 200, body: answerView(state as CaseAnswer, found) };
    } catch (err) {
      if (/workflow execution already completed/i.test(`${(err as Error)?.message} ${((err as { cause?: Error }).cause)?.message ?? ''}`)) return finished('closed meanwhile');
      if (!deadlineExceeded(err) && !isUnavailable(err)) throw err;
      // the Update may have reached the workflow before the answer was lost: say so, honestly
      throw unavailable(
        `case ${caseId} did not answer within ${actionWaitMs} ms (is a worker running?); the action may or may not have been applied: ` +
          (updateId ? 'retrying with the same Idempotency-Key is safe' : 'check the case before retrying, or send an Idempotency-Key so a retry is safe'),
        `案件 ${caseId} 未在 ${actionWaitMs / 1000} 秒内应答（后台处理服务可能未运行）；本次操作可能已生效，也可能未生效：` +
          (updateId ? '使用相同的 Idempotency-Key 重试是安全的' : '重试前请先查看案件，或在请求中带上 Idempotency-Key，以便安全重试'),
      );
    }
  }

  /**
   * A page of the caller's cases, walked by keyset (see the note on `walk` below): each scope
   * part and each list's own branches is one query on its own index, bounded by the page.
   */
  async function list(q: ListCasesQuery, principal: Principal) {
    const now = new Date();
    const sort: ListSort = q.overdue ? 'overdue' : q.atRisk ? 'atRisk' : q.sort === 'deadline' ? 'deadline' : 'opened';
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, sort);
    const { overdueNow, atRiskNow, running } = standingFilters(now);
    const filters: Prisma.CaseWhereInput = {
      AND: [
        // the overdue and at-risk lists select their rows by their branches below
        ...(q.overdue !== undefined && sort !== 'overdue' ? [q.overdue ? overdueNow : { NOT: overdueNow }] : []),
        ...(q.atRisk !== undefined && sort !== 'atRisk' ? [q.atRisk ? atRiskNow : { NOT: atRiskNow }] : []),
        ...(q.measure ? [measureFilter(q, now)] : []),
        ...(q.open !== undefined ? [{ stage: q.open ? { in: [...UNRESOLVED_STAGES] } : { notIn: [...UNRESOLVED_STAGES] } }] : []),
      ],
      ...(q.paused !== undefined ? { paused: q.paused } : {}),
      ...(q.stage ? { stage: q.stage } : {}),
      ...filterWhere(q),
      ...(q.enterpriseId ? { enterpriseId: q.enterpriseId } : {}),
    };
    const scope = caseScope(principal);
    let branches: Branch[];
    // whether no case is in two branches: then the count is the sum of theirs, each on its index
    let disjoint = true;
    if (sort === 'overdue') {
      // flagged by the worker, or past the current deadline by the clock (a lagging worker);
      // the two are disjoint, and few: only unfinished cases carry a flag or a deadline
      branches = [
        { where: { overdue: true, overdueSince: { not: null } }, key: 'overdueSince', dir: 'asc' },
        { where: { overdue: false, ...running, currentDueAt: { lte: now } }, key: 'currentDueAt', dir: 'asc' },
      ].map((b) => ({ ...b, where: { AND: [b.where, filters, scope] } })) as Branch[];
      if (q.atRisk) branches = []; // at risk means not yet overdue
    } else if (sort === 'atRisk') {
      const notDue = { NOT: { ...running, currentDueAt: { lte: now } } };
      branches = [
        { where: { atRisk: true, overdue: false, currentDueAt: { not: null }, ...notDue }, key: 'currentDueAt', dir: 'asc' },
        { where: { atRisk: false, overdue: false, ...running, currentWarnAt: { lte: now }, currentDueAt: { gt: now } }, key: 'currentDueAt', dir: 'asc' },
      ].map((b) => ({ ...b, where: { AND: [b.where, filters, scope] } })) as Branch[];
      if (q.overdue === true) branches = [];
    } else if (sort === 'deadline') {
      // only unfinished cases have a current deadline; a steward's walk is on (ownerStewardId, currentDueAt, id)
      branches = [{ where: { AND: [{ currentDueAt: { not: null } }, filters, scope] }, key: 'currentDueAt', dir: 'asc' }];
    } else {
      const walks = await scopeWalks(db, principal, q);
      disjoint = walks.disjoint;
      branches = walks.parts.map((part) => ({ where: { AND: [filters, part] }, key: 'openedAt', dir: 'desc' }));
    }
    const offset = q.page !== undefined ? (q.page - 1) * q.pageSize : 0;
    const rows = await walk(db, branches, after, offset, q.pageSize);
    const more = rows.length > q.pageSize;
    const page = rows.slice(0, q.pageSize);
    const last = page.at(-1);
    const branchOf = (r: ListRow) => (sort === 'overdue' && r.overdue ? 'overdueSince' : sort === 'opened' ? 'openedAt' : 'currentDueAt');
    const calendar = listCalendar(now, officeHours);
    const items = page.map((r) => {
      const row = { ...r, dueAt: r.currentDueAt, warnAt: r.currentWarnAt };
      const { overdue, atRisk, dueSince } = standing(row, now);
      return { ...r, overdue, atRisk, overdueSince: r.overdueSince ?? dueSince, remainingText: rowRemainingText(row, now, calendar) };
    });
    const total = !q.count
      ? undefined
      : disjoint
        ? (await Promise.all(branches.map((b) => db.case.count({ where: b.where })))).reduce((sum, n) => sum + n, 0)
        : await db.case.count({ where: { AND: [filters, scope, sort === 'overdue' ? overdueNow : sort === 'atRisk' ? atRiskNow : {}] } });
    // each row carries its `version` and `updatedAt`: how fresh the read model is for it
    return {
      items,
      nextCursor: more && last ? encodeCursor(sort, last[branchOf(last)] as Date, last.id) : null,
      ...(q.page !== undefined ? { page: q.page } : {}),
      pageSize: q.pageSize,
      ...(total !== undefined ? { total } : {}),
      generatedAt: now.toISOString(),
    };
  }

  return { open, get, read, act, list, locate };
}

/** The cases one figure of GET /api/stats counts: its measure's part over its period, as of its instant. */
function measureFilter(q: ListCasesQuery, now: Date): Prisma.CaseWhereInput {
  const key = q.measure!;
  const part = q.part ?? (partsOf(key).includes('denominator') ? 'denominator' : 'count');
  const where = measureWhere(key, part, taken(q, now).w);
  if (!where) throw invalidField('query.part', `${key} has no ${part}: it has ${partsOf(key).join(', ')}`, `${key} 没有 ${part}，只有 ${partsOf(key).join('、')}`);
  return where;
}

/** The calendar a list counts its rows' time left on: last year's too, for what has long been overdue. */
const listCalendars = new Map<number, CalendarData>();
function listCalendar(now: Date, hours: OfficeHours): WorkingCalendar {
  const year = new Date(now.getTime() + BEIJING_OFFSET).getUTCFullYear();
  if (!listCalendars.has(year)) listCalendars.set(year, calendarData(year - 1, 4));
  return { data: listCalendars.get(year)!, hours };
}

/** The lists and their sort keys: newest first; longest overdue first; soonest deadline first (at risk, and every case with a deadline). */
type ListSort = 'opened' | 'overdue' | 'atRisk' | 'deadline';
const SORTS: readonly ListSort[] = ['opened', 'overdue', 'atRisk', 'deadline'];
type SortKey = 'openedAt' | 'overdueSince' | 'currentDueAt';

/** One query of a list: rows it selects, walked in (key, id) order, both ascending or both descending. */
interface Branch {
  where: Prisma.CaseWhereInput;
  key: SortKey;
  dir: 'asc' | 'desc';
}

// list rows carry no private data: no contact, no description
const LIST_OMIT = { snapshot: true, contactName: true, contactPhone: true, description: true } as const;
type ListRow = Omit<Prisma.CaseGetPayload<object>, keyof typeof LIST_OMIT>;

const CURSOR_VERSION = 1;
const badCursor = (why: string, zh: string) => invalidField('query.cursor', why, zh);

/** The cursor: which list, the last row's sort key and its id, as base64url JSON. Opaque to callers. */
function encodeCursor(sort: ListSort, at: Date, id: string): string {
  return Buffer.from(JSON.stringify([CURSOR_VERSION, sort, at.getTime(), id])).toString('base64url');
}

function decodeCursor(raw: string, sort: ListSort): { at: Date; id: string } {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('is not a cursor this API issued (pass nextCursor unchanged)', '不是本接口给出的翻页游标（请原样传回 nextCursor）');
  }
  const [version, kind, ms, id] = Array.isArray(v) && v.length === 4 ? v : [];
  if (version !== CURSOR_VERSION || !SORTS.includes(kind) || !Number.isSafeInteger(ms) || Math.abs(ms) > 8.64e15 || typeof id !== 'string' || !id || id.length > 64) {
    throw badCursor('is not a cursor this API issued (pass nextCursor unchanged)', '不是本接口给出的翻页游标（请原样传回 nextCursor）');
  }
  if (kind !== sort) throw badCursor(`was issued for the ${kind} list, not the ${sort} list: keep overdue, atRisk and sort as they were when walking on`, `是 ${kind} 列表的翻页游标，不能用于 ${sort} 列表：翻页时请保持 overdue、atRisk 与 sort 参数不变`);
  return { at: new Date(ms), id };
}

/**
 * The parts of the caller's scope, each a walk on one index: one per building, area, town or
 * enterprise value; a department's tasks; and the cases a steward owned outside those parts
 * (a case handed on to them, or from a building they no longer hold). A filter that already
 * lies inside the scope (a steward's own cases: the owner is always among the case's owners,
 * whom CaseSteward records) needs no scope at all. A row two parts give is shown once (see walk).
 */
async function scopeWalks(db: Db, principal: Principal, q: ListCasesQuery): Promise<{ parts: Prisma.CaseWhereInput[]; disjoint: boolean }> {
  const everything = { parts: [{}], disjoint: true };
  const parts = caseScopeParts(principal);
  if (parts === 'all') return everything;
  if (q.ownerStewardId && principal.posts.some((p) => p.stewardId === q.ownerStewardId)) return everything;
  const single: Prisma.CaseWhereInput[] = [];
  const walks: Prisma.CaseWhereInput[] = [];
  const geo: Record<'buildingId' | 'areaId' | 'townId' | 'enterpriseId', string[]> = { buildingId: [], areaId: [], townId: [], enterpriseId: [] };
  let stewardIds: string[] = [];
  for (const part of parts) {
    const [column, value] = Object.entries(part)[0] as [string, unknown];
    if (column === 'tasks') {
      // a department's cases are dense enough to find by walking the sort index
      walks.push(part);
      continue;
    }
    if (column === 'stewards') {
      stewardIds = principal.posts.map((p) => p.stewardId);
      continue;
    }
    const values = [...new Set(typeof value === 'string' ? [value] : ((value as { in: string[] }).in ?? []))].filter((v) => !geo[column as keyof typeof geo].includes(v));
    geo[column as keyof typeof geo].push(...values);
    const filter = column === 'townId' ? undefined : q[column as 'buildingId' | 'areaId' | 'enterpriseId'];
    if (filter !== undefined) {
      // a filter on the same column: only that value's walk can give rows
      if (values.includes(filter)) return everything;
      continue;
    }
    for (const v of values) single.push({ [column]: v });
  }
  // values of one column never share a case, and cases owned elsewhere are outside them all
  let disjoint = walks.length === 0 && Object.values(geo).filter((v) => v.length).length <= 1;
  if (stewardIds.length) {
    const elsewhere = await ownedElsewhere(db, stewardIds, geo);
    if (elsewhere.length > OWNED_ELSEWHERE_MAX) {
      walks.push({ stewards: { some: { stewardId: { in: stewardIds } } } });
      disjoint = false;
    } else if (elsewhere.length) walks.push({ id: { in: elsewhere } });
  }
  return { parts: [...single, ...walks], disjoint };
}

/** Beyond this many cases owned outside their own parts, a steward's walk checks ownership row by row instead. */
const OWNED_ELSEWHERE_MAX = 2_000;

/**
 * The cases these stewards owned that their buildings, area, town or enterprises do not give:
 * their CaseSteward rows less the cases of their buildings and enterprises (both read from
 * indexes alone), then, for an area or a town, less those that lie in it (looked up one by one,
 * on the index (id, townId, areaId), among the few a 分楼长 or 总楼长 owned: an area or a town has
 * too many cases to list).
 */
async function ownedElsewhere(db: Db, stewardIds: string[], geo: Record<'buildingId' | 'areaId' | 'townId' | 'enterpriseId', string[]>): Promise<string[]> {
  let owned = Prisma.sql`SELECT "caseId" FROM "CaseSteward" WHERE "stewardId" IN (${Prisma.join(stewardIds)})`;
  for (const column of ['buildingId', 'enterpriseId'] as const) {
    if (geo[column].length) owned = Prisma.sql`${owned} EXCEPT SELECT "id" FROM "Case" WHERE ${Prisma.raw(`"${column}"`)} IN (${Prisma.join(geo[column])})`;
  }
  const wide: Prisma.Sql[] = [];
  if (geo.areaId.length) wide.push(Prisma.sql`c."areaId" IN (${Prisma.join(geo.areaId)})`);
  if (geo.townId.length) wide.push(Prisma.sql`c."townId" IN (${Prisma.join(geo.townId)})`);
  // `c."townId" >= ''` holds for every case (townId is never null); it lets SQLite, which
  // otherwise picks the unique id index and reads each case's row, answer from the covering
  // index (id, townId, areaId): 5.5 → 0.9 ms for a 分楼长's 1,730 rows at 10^6
  const statement = wide.length
    ? Prisma.sql`SELECT o."caseId" FROM (${owned}) o JOIN "Case" c ON c."id" = o."caseId" AND c."townId" >= '' WHERE NOT (${Prisma.join(wide, ' OR ')})`
    : owned;
  const rows = await db.$queryRaw<{ caseId: string }[]>(statement);
  return rows.map((r) => r.caseId);
}

/**
 * Keyset pagination over the union of branches: each branch reads its first `offset + size + 1`
 * rows after the cursor, in order, on an index that holds its filter and then (key, id); the
 * union's first rows are among them (a row ahead of it in its own branch is ahead of it in the
 * union). Rows are deduplicated by id, so a case two branches give counts once.
 *
 * With an offset (`page`), the branches read only each row's sort key and id (from the index
 * alone where the branch is one scope part), and the page's own rows are read afterwards by id:
 * page 50 no longer reads and converts a thousand whole rows per branch to show twenty.
 */
async function walk(db: Db, branches: Branch[], after: { at: Date; id: string } | undefined, offset: number, size: number): Promise<ListRow[]> {
  const take = offset + size + 1;
  const results = await Promise.all(
    branches.map(async ({ where, key, dir }) => {
      const past = dir === 'asc' ? 'gt' : 'lt';
      const keyset: Prisma.CaseWhereInput = after
        ? // the range term comes first and alone, so the index seeks to it; the OR only breaks ties
          { AND: [{ [key]: { [dir === 'asc' ? 'gte' : 'lte']: after.at } }, { OR: [{ [key]: { [past]: after.at } }, { id: { [past]: after.id } }] }] }
        : {};
      const args = { where: { AND: [where, keyset] }, orderBy: [{ [key]: dir }, { id: dir }], take };
      const rows: { id: string }[] = offset ? await db.case.findMany({ ...args, select: { id: true, [key]: true } as { id: true } }) : await db.case.findMany({ ...args, omit: LIST_OMIT });
      return rows.map((r) => ({ row: r, at: ((r as Record<string, unknown>)[key] as Date).getTime(), dir }));
    }),
  );
  const seen = new Set<string>();
  const merged = results.flat().filter(({ row }) => (seen.has(row.id) ? false : (seen.add(row.id), true)));
  merged.sort((a, b) => {
    const sign = a.dir === 'asc' ? 1 : -1;
    return sign * (a.at - b.at || (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0));
  });
  const picked = merged.slice(offset, take).map((m) => m.row);
  if (!offset) return picked as ListRow[];
  // the page's rows, whole, in the order the keys gave (a row never leaves the read model)
  const byId = new Map((await db.case.findMany({ where: { id: { in: picked.map((r) => r.id) } }, omit: LIST_OMIT })).map((r) => [r.id, r as ListRow]));
  return picked.flatMap((r) => byId.get(r.id) ?? []);
}

export type CaseService = ReturnType<typeof createCaseService>;
