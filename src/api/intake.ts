/**
 * Opening a case, exactly once.
 *
 * A case is its workflow, `case-<caseId>`. With an Idempotency-Key the case id is minted once per
 * (caller, key): the first request to insert the `IntakeKey` row decides it, and every retry — from
 * this process or another, after a lost answer or a crash — reads the same row and so addresses the
 * same workflow. The workflow is started by update-with-start with `USE_EXISTING` (and
 * `REJECT_DUPLICATE` for a closed one): a retry starts it if no one did, or finds the one that was
 * started, and never a second. So the key is never released, and nothing needs to guess whether an
 * earlier attempt "died": Temporal decides, atomically, on the workflow id.
 *
 * Keys belong to the person who sent them (the same key from someone else is another request),
 * live for `INTAKE_KEY_TTL_MS` (then the key may be used afresh), and a refused reuse names no case.
 * The namespace's retention must be at least that long, so a finished case's workflow is still
 * there to refuse a second start while its key lives (see `finishedOrArchived`).
 */
import { createHash, randomInt } from 'node:crypto';
import {
  type Client,
  isGrpcCancelledError,
  isGrpcDeadlineError,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
} from '@temporalio/client';
import type { Db } from '../db/client';
import type { Actor, CaseState, CaseWorkflowInput, StewardChain } from '../domain/case-model';
import { newCaseState, openAndAssign } from '../domain/case-rules';
import type { CatalogueStore } from '../catalogue-store';
import { workingCalendar } from '../calendar';
import { BEIJING_OFFSET, type OfficeHours } from '../domain/working-time';
import { type CaseEnded, caseWorkflowId, withFrozenParts, getCaseStateQuery, intakeUpdate, WORKFLOW_TASK_TIMEOUT, WORKFLOW_TYPE } from '../workflows/definitions';
import type { Directory } from './directory';
import { conflict, forbidden, HttpError, invalidField, isUnavailable, unavailable } from './errors';
import type { OpenCaseBody } from './schemas';
import type { Principal } from '../auth/principal';

/** how long an Idempotency-Key is remembered; the Temporal namespace's retention must not be shorter */
export const INTAKE_KEY_TTL_MS = 24 * 3_600_000;
/** expired keys are deleted at most this often per process (an indexed range delete) */
const PRUNE_EVERY_MS = 10 * 60_000;
/** after a lost answer: how long to spend asking whether the workflow exists */
const PROBE_MS = 2_000;

export interface IntakeDeps {
  db: Db;
  temporal: Client;
  directory: Directory;
  catalogue: CatalogueStore;
  officeHours: OfficeHours;
  quietHours: boolean;
  taskQueue: string;
  /** how long to wait for the workflow's answer before answering without it */
  actionWaitMs: number;
  /** the case as answered (the case service's view of a state fresh from the workflow) */
  view: (state: CaseState) => unknown;
  /** a finished case as the read model holds it (null if it holds no row) */
  recorded: (caseId: string) => Promise<unknown | null>;
  /** default INTAKE_KEY_TTL_MS */
  keyTtlMs?: number;
}

export interface IntakeOutcome {
  status: 200 | 201 | 202;
  body: unknown;
}

const CASE_ID_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** C<yyyymmdd Beijing date>-<6 random characters>: readable on the phone, unique in practice. */
export function newCaseId(now = new Date()): string {
  const beijing = new Date(now.getTime() + BEIJING_OFFSET).toISOString().slice(0, 10).replace(/-/g, '');
  let tail = '';
  for (let i = 0; i < 6; i++) tail += CASE_ID_ALPHABET[randomInt(CASE_ID_ALPHABET.length)];
  return `C${beijing}-${tail}`;
}

/**
 * Who opens the case: the enterprise's own user, for a building it is located in, or a steward of
 * the building's chain on the enterprise's behalf (after a visit). Anyone else is refused.
 */
export function openerOf(
  principal: Principal,
  body: OpenCaseBody,
  enterprise: { id: string; buildingId: string } | null,
  chain: StewardChain | null,
): Actor {
  const code = body.enterprise.creditCode;
  if (principal.enterpriseIds.includes(code)) {
    if (enterprise && enterprise.buildingId !== body.buildingId) {
      throw forbidden(
        `enterprise ${code} is located in building ${enterprise.buildingId}; it cannot open a case for building ${body.buildingId}`,
        `企业 ${code} 位于楼宇 ${enterprise.buildingId}，不能为楼宇 ${body.buildingId} 提出诉求`,
      );
    }
    return { kind: 'enterprise', id: code, personId: principal.personId };
  }
  const inChain = chain ? principal.posts.find((p) => [3, 2, 1].some((l) => chain[l as 1 | 2 | 3].id === p.stewardId)) : undefined;
  if (inChain) return { kind: 'steward', id: inChain.stewardId, name: inChain.name, level: inChain.level, personId: principal.personId };
  if (principal.enterpriseIds.length) {
    throw forbidden(`you may open cases only for your own enterprise (${principal.enterpriseIds.join(', ')})`, `您只能为本企业提出诉求（${principal.enterpriseIds.join('、')}）`);
  }
  if (principal.posts.length) throw forbidden(`you are not in the steward chain of building ${body.buildingId}`, `您不在楼宇 ${body.buildingId} 的楼长链中`);
  throw forbidden('only an enterprise user or a steward of the building can open a case', '只有企业用户或该楼宇的楼长可以提出诉求');
}

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === 'P2002';
const isNotFound = (err: unknown) => (err as Error)?.name === 'WorkflowNotFoundError';
// a deadline (ours, or grpc-js reporting it as CANCELLED) or an unreachable server: the call may
// or may not have reached Temporal
const answerLost = (err: unknown) =>
  isGrpcDeadlineError(err) || isGrpcCancelledError(err) || (err as Error)?.name === 'WorkflowUpdateRPCTimeoutOrCancelledError' || isUnavailable(err);

/** a request's identity under its key: the same key with another body is another request */
const fingerprintOf = (body: OpenCaseBody) => createHash('sha256').update(JSON.stringify(body)).digest('hex');

interface Keyed {
  ownerId: string;
  key: string;
  fingerprint: string;
}

const keyReused = (key: string) =>
  // never the case it opened: only its owner may learn that, and they sent this key for it
  new HttpError(
    422,
    'idempotency_key_reused',
    `Idempotency-Key ${key} was already used for a different request; use a new key`,
    `Idempotency-Key ${key} 已用于另一个不同的请求，请换用新的 Idempotency-Key`,
  );

export function createIntake({ db, temporal, directory, catalogue, officeHours, quietHours, taskQueue, actionWaitMs, view, recorded, keyTtlMs = INTAKE_KEY_TTL_MS }: IntakeDeps) {
  const handle = (caseId: string) => temporal.workflow.getHandle(caseWorkflowId(caseId));
  const bounded = <T>(ms: number, fn: () => Promise<T>) => temporal.connection.withDeadline(Date.now() + ms, fn);
  let prunedAt = 0;

  async function open(body: OpenCaseBody, principal: Principal, idempotencyKey?: string): Promise<IntakeOutcome> {
    const keyed = idempotencyKey ? { ownerId: principal.personId, key: idempotencyKey, fingerprint: fingerprintOf(body) } : undefined;
    const prior = keyed ? await liveKey(keyed) : null;
    if (prior) {
      // a retry whose case is there already is answered from it, whatever changed since (the
      // catalogue, the directory): it must not fail where the first attempt succeeded
      const found = await existing(prior.caseId, keyed);
      if (found) return found;
      // not started (yet, or its request died before starting it): start it now, under its id
    }

    const input = await prepare(body, principal);
    input.caseId = prior?.caseId ?? (await unusedCaseId());
    let mine = true;
    if (keyed) {
      const claim = await claimKey(keyed, input.caseId);
      input.caseId = claim.caseId; // another request (perhaps another process) may have got there first
      mine = claim.mine;
      prune();
    }
    return start(input, mine ? 201 : 200, keyed);
  }

  /**
   * A fresh case id no workflow and no case row has: USE_EXISTING must only ever find a workflow
   * this key started, never another caller's case that happens to share a random id.
   */
  async function unusedCaseId(): Promise<string> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const caseId = newCaseId();
      if (await db.case.findUnique({ where: { id: caseId }, select: { id: true } })) continue;
      try {
        await bounded(PROBE_MS, () => handle(caseId).describe());
      } catch (err) {
        if (isNotFound(err)) return caseId;
        // nothing was recorded or started yet: a plain, honest 503
        if (answerLost(err)) throw unavailable('Temporal is unreachable or did not answer; nothing was changed, retry later', '服务暂不可用（Temporal 无法连接或未应答），未作任何更改，请稍后重试');
        throw err;
      }
    }
    throw new Error('no unused case id after 5 attempts');
  }

  /** The key's row while it lives; a different request under it is refused (422). */
  async function liveKey(k: Keyed) {
    const row = await db.intakeKey.findUnique({ where: { ownerId_key: { ownerId: k.ownerId, key: k.key } } });
    if (!row || row.expiresAt <= new Date()) return null;
    if (row.fingerprint !== k.fingerprint) throw keyReused(k.key);
    return row;
  }

  /**
   * Records (caller, key) → caseId once. Whoever inserts the row (or takes over an expired one)
   * owns it; everyone else uses the case id it names. The row is never released.
   */
  async function claimKey(k: Keyed, caseId: string): Promise<{ caseId: string; mine: boolean }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = new Date();
      const data = { caseId, fingerprint: k.fingerprint, createdAt: now, expiresAt: new Date(now.getTime() + keyTtlMs) };
      try {
        await db.intakeKey.create({ data: { ownerId: k.ownerId, key: k.key, ...data } });
        return { caseId, mine: true };
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      // an expired key may be used afresh: one conditional update, so only one taker wins
      const taken = await db.intakeKey.updateMany({ where: { ownerId: k.ownerId, key: k.key, expiresAt: { lte: now } }, data });
      if (taken.count === 1) return { caseId, mine: true };
      const row = await db.intakeKey.findUnique({ where: { ownerId_key: { ownerId: k.ownerId, key: k.key } } });
      if (row) {
        if (row.fingerprint !== k.fingerprint) throw keyReused(k.key);
        return { caseId: row.caseId, mine: false };
      }
      // pruned between our insert and our read: try again
    }
    throw conflict(`Idempotency-Key ${k.key} could not be recorded; retry`, `Idempotency-Key ${k.key} 未能登记，请重试`);
  }

  /** Expired keys go, at most every PRUNE_EVERY_MS per process, off the request's path. */
  function prune() {
    const now = Date.now();
    if (now - prunedAt < PRUNE_EVERY_MS) return;
    prunedAt = now;
    db.intakeKey.deleteMany({ where: { expiresAt: { lt: new Date(now) } } }).catch(() => {
      prunedAt = 0; // try again with the next keyed request
    });
  }

  /** Checks the request against the directory and the catalogue; builds the workflow's input (its case id is set later). */
  async function prepare(body: OpenCaseBody, principal: Principal, caseId = 'C00000000-DRYRUN'): Promise<CaseWorkflowInput> {
    const category = await catalogue.get(body.category);
    if (!category || !category.active) {
      throw invalidField('body.category', `unknown category ${body.category}; see GET /api/catalogue`, `服务事项 ${body.category} 不存在（可查询 GET /api/catalogue）`);
    }
    const found = await directory.building(body.buildingId);
    if (!found) throw invalidField('body.buildingId', `unknown building ${body.buildingId}`, `楼宇 ${body.buildingId} 不存在`);
    const chain = found.chain;

    let enterprise = await directory.enterpriseByCode(body.enterprise.creditCode);
    const actor = openerOf(principal, body, enterprise, chain);
    if (!chain) {
      throw conflict(
        `building ${body.buildingId} has no ${found.missing.join(', ')} in the directory; a case needs the whole steward chain`,
        `楼宇 ${body.buildingId} 尚未配齐${found.missing.join('、')}，诉求须有完整的楼长链才能受理`,
      );
    }
    if (!enterprise && !body.enterprise.name) {
      throw invalidField(
        'body.enterprise.name',
        `enterprise ${body.enterprise.creditCode} is not in the directory; give its name to register it`,
        `企业 ${body.enterprise.creditCode} 尚未登记，请填写企业名称以便登记`,
      );
    }
    const inputWith = (e: { id: string; name: string; creditCode: string }): CaseWorkflowInput => ({
      caseId,
      parties: { building: found.building, enterprise: { id: e.id, name: e.name, creditCode: e.creditCode } },
      request: {
        category: body.category,
        urgency: body.urgency,
        title: body.title,
        description: body.description,
        contact: body.contact,
        ...(body.attachments?.length ? { attachments: body.attachments } : {}),
      },
      chain,
      policy: category.policy,
      // the calendar is frozen into the case here, outside the workflow (see working-time.ts)
      calendar: workingCalendar(new Date(), officeHours),
      quietHours,
      openedBy: actor,
    });
    // (a new enterprise is registered under its credit code: see Directory.registerEnterprise)
    const { creditCode } = body.enterprise;
    dryRun(inputWith(enterprise ?? { id: creditCode, name: body.enterprise.name!, creditCode }), category);
    enterprise ??= await directory.registerEnterprise(creditCode, body.enterprise.name!, body.buildingId, body.contact);
    return inputWith(enterprise);
  }

  /**
   * The workflow's first task runs these rules; if they throw there (a time limit the calendar
   * cannot compute), the case could never open. Run them here first and say why, naming the category.
   */
  function dryRun(input: CaseWorkflowInput, category: { code: string; name: string }) {
    const now = new Date();
    try {
      openAndAssign(newCaseState(structuredClone(input), now), now);
    } catch (err) {
      throw new HttpError(
        422,
        'category_unusable',
        `category ${category.code} (${category.name}) cannot open a case: its time limits cannot be computed (${(err as Error).message}); the catalogue item must be corrected`,
        `服务事项“${category.name}”（${category.code}）的时限无法计算，暂不能受理（${(err as Error).message}），请管理员修正服务清单`,
      );
    }
  }

  /** Starts the case's workflow, or finds the one a request under the same key started, and answers with its state. */
  async function start(input: CaseWorkflowInput, status: 200 | 201, keyed?: Keyed): Promise<IntakeOutcome> {
    const { caseId } = input;
    const startWorkflowOperation = new WithStartWorkflowOperation(WORKFLOW_TYPE, {
      workflowId: caseWorkflowId(caseId),
      taskQueue,
      args: [input],
      workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
      // running: this update reaches it (its input is the first attempt's); closed: refused, never a second run
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    try {
      const got = await bounded(actionWaitMs, () => temporal.workflow.executeUpdateWithStart(intakeUpdate, { startWorkflowOperation }));
      if ('history' in got) return { status, body: view(got) };
      // the calendar the worker left out is the one this intake copied into the input (a retry that
      // found the case running copied the same, from the same package and office hours)
      const { events, version: _version, ...rest } = withFrozenParts(got, input);
      return { status, body: view({ ...rest, history: events }) };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return finishedOrArchived(caseId);
      if (!answerLost(err)) throw err;
      // did the start land? the operation knows if the server answered it (its handle is settled
      // by now, resolved only by an answer); else ask
      const started = await Promise.race([
        startWorkflowOperation.workflowHandle().then(
          () => true,
          () => false,
        ),
        new Promise<false>((resolve) => setImmediate(() => resolve(false))),
      ]);
      if (started) return accepted(caseId);
      const found = await existing(caseId, keyed, { probeOnly: true });
      if (found) return found;
      throw mayOrMayNot(caseId, keyed);
    }
  }

  /**
   * The case a key already names, if its workflow exists: its state (200), or 202 when no worker
   * answers. null when there is no such workflow (yet): the caller starts it.
   */
  async function existing(caseId: string, keyed?: Keyed, opts: { probeOnly?: boolean } = {}): Promise<IntakeOutcome | null> {
    let described;
    try {
      described = await bounded(PROBE_MS, () => handle(caseId).describe());
    } catch (err) {
      if (opts.probeOnly) return null;
      if (isNotFound(err)) return (await db.case.findUnique({ where: { id: caseId }, select: { id: true } })) ? archived(caseId) : null;
      if (answerLost(err)) throw mayOrMayNot(caseId, keyed);
      throw err;
    }
    if (opts.probeOnly) return accepted(caseId);
    if (described.status.name !== 'RUNNING') return finishedOrArchived(caseId);
    try {
      return { status: 200, body: view(await bounded(actionWaitMs, () => handle(caseId).query(getCaseStateQuery))) };
    } catch (err) {
      if (answerLost(err)) return accepted(caseId);
      throw err;
    }
  }

  /**
   * A closed case: its workflow's result says it ended well (from history: no worker needed), and
   * the read model, written before it ended, holds its final state (older runs ended with it).
   */
  async function finishedOrArchived(caseId: string): Promise<IntakeOutcome> {
    let ended;
    try {
      ended = await bounded(actionWaitMs, () => handle(caseId).result() as Promise<CaseState | CaseEnded>);
    } catch (err) {
      if (isNotFound(err)) return archived(caseId);
      if (answerLost(err)) return accepted(caseId);
      throw conflict(
        `case ${caseId}, opened under this Idempotency-Key, ended without a result (${(err as Error).message}); open a new case with a new key`,
        `以此 Idempotency-Key 提出的案件 ${caseId} 已异常结束（${(err as Error).message}），请使用新的 Idempotency-Key 重新提出诉求`,
      );
    }
    if ('history' in ended) return { status: 200, body: view(ended) };
    const final = await recorded(caseId); // a database that is down is a 503, as for any read
    return final ? { status: 200, body: final } : archived(caseId);
  }

  // only the key's owner gets here: naming their own case is what they asked for
  const archived = (caseId: string): never => {
    throw conflict(
      `case ${caseId} was opened under this Idempotency-Key and has finished; see GET /api/cases/${caseId}`,
      `以此 Idempotency-Key 提出的案件 ${caseId} 已办结，请查看 GET /api/cases/${caseId}`,
    );
  };

  const accepted = (caseId: string): IntakeOutcome => ({
    status: 202,
    body: { caseId, accepted: true, message: `case opened; it has not answered yet (is a worker running?) — see GET /api/cases/${caseId} shortly` },
  });

  const mayOrMayNot = (caseId: string, keyed?: Keyed) =>
    unavailable(
      `Temporal did not answer within ${actionWaitMs} ms or could not be reached; the case may or may not have been opened (if it was, it is ${caseId}): ` +
        (keyed
          ? 'retrying with the same Idempotency-Key is safe'
          : `retrying without an Idempotency-Key is not safe (it would open a second case if this one was opened): check GET /api/cases/${caseId} first, and send an Idempotency-Key next time`),
      `服务暂不可用（Temporal 在 ${actionWaitMs / 1000} 秒内未应答或无法连接）；案件可能已受理，也可能未受理（如已受理，案件编号为 ${caseId}）：` +
        (keyed
          ? '使用相同的 Idempotency-Key 重试是安全的'
          : `不带 Idempotency-Key 重试并不安全（如案件已受理，会再提出一件）：请先查看 GET /api/cases/${caseId}，今后请带上 Idempotency-Key`),
    );

  return { open };
}

export type Intake = ReturnType<typeof createIntake>;
