import type { Router } from 'express';
import { z, ZodError } from 'zod';
import type { Db } from '../../db/client';
import { OPEN_TASK_STATUSES, TASK_STATUSES } from '../../domain/case-model';
import type { Prisma } from '../../generated/sqlite/client';
import { FUTURE_SKEW_SECONDS, SIGNATURE_HEADER, TIMESTAMP_HEADER, type Verdict, verify } from '../../adapters/signing';
import type { CaseService } from '../case-service';
import type { Directory } from '../directory';
import { HttpError, invalidField, notFound, toHttpError } from '../errors';
import { ActionBodies, CaseId, line, paging, pagingChecks } from '../schemas';
import { route } from '../validate';
import { rawBodyOf } from '../raw-body';
import { actOn } from './cases';
import type { AccessControl } from '../../auth/access';
import { answersFor, districtWide, type Principal } from '../../auth/principal';
import type { SecretBox } from '../../security/secrets';

/** The principal a valid callback signature stands for: the department's system, acting for it alone. */
function departmentSystem(id: string, name: string): Principal {
  return {
    personId: `signed:${id}`,
    subject: `signed-callback:${id}`,
    name,
    kind: 'machine',
    roles: ['department_system'],
    enterpriseIds: [],
    posts: [],
    departmentIds: [],
    systemDepartmentIds: [id],
    managerTowns: [],
    admin: false,
  };
}

const CallbackBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('accept'), caseId: CaseId }).strict(),
  ActionBodies['department-reply'].extend({ action: z.literal('reply'), caseId: CaseId }).strict(),
  ActionBodies['department-return'].extend({ action: z.literal('return'), caseId: CaseId }).strict(),
]);

/** A receipt outlives the ±5 min its signature's timestamp is accepted for: a replay meets one or the clock. */
const RECEIPT_TTL_MS = 10 * 60_000;
const SWEEP_EVERY_MS = 60_000;

const Params = z.object({ id: line(64) }).strict();

const SignatureHeaders = z.object({
  [SIGNATURE_HEADER]: z.string().meta({ description: 'sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the department\'s webhook secret>' }),
  [TIMESTAMP_HEADER]: z.string().meta({ description: 'Unix time in seconds; accepted within ±5 min (at most 30 s ahead)' }),
});
const Query = z
  .object({
    status: z.enum(['open', 'all']).default('open'),
    overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    ...paging,
  })
  .strict()
  .superRefine(pagingChecks);

const VERDICT_ZH: Record<Exclude<Verdict, 'ok' | 'future'>, string> = { missing: '缺失', stale: '已过期', mismatch: '不正确' };

/** Where a walk of a task list stands: the last task's deadline and key, as base64url JSON. */
const taskCursor = (t: { dueAt: Date; caseId: string; no: number }) => Buffer.from(JSON.stringify([1, t.dueAt.getTime(), t.caseId, t.no])).toString('base64url');
function readTaskCursor(raw: string): { dueAt: Date; caseId: string; no: number } {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  const [version, ms, caseId, no] = Array.isArray(v) && v.length === 4 ? v : [];
  if (version !== 1 || !Number.isSafeInteger(ms) || Math.abs(ms) > 8.64e15 || typeof caseId !== 'string' || !caseId || caseId.length > 64 || !Number.isSafeInteger(no) || no < 0) {
    throw invalidField('query.cursor', 'is not a cursor of this list (pass nextCursor unchanged)', '不是本列表的翻页游标（请原样传回 nextCursor）');
  }
  return { dueAt: new Date(ms), caseId, no };
}

/**
 * The department-facing side: the task list (portal adapter) and the signed callback a
 * department's own system calls (webhook adapter). A callback whose signature is missing,
 * wrong, stale or future-dated is refused with 401 before anything is read from it; a signed
 * callback is accepted once (409 replayed after that).
 */
export function departmentsRouter(access: AccessControl, db: Db, directory: Directory, cases: CaseService, secrets: SecretBox): Router {
  const { router, get, post } = access.router('/api/departments');
  let sweptAt = 0;

  /**
   * Records a signed callback as received, once: a second delivery of the same signature is a
   * replay. Returns the release for when applying it failed on our side, so the department's
   * retry of the same request is taken.
   */
  async function receive(departmentId: string, signature: string): Promise<() => Promise<void>> {
    const now = Date.now();
    if (now - sweptAt >= SWEEP_EVERY_MS) {
      sweptAt = now;
      // expired receipts go off the request's path, at most once a minute per process
      db.callbackReceipt.deleteMany({ where: { expiresAt: { lt: new Date(now) } } }).catch(() => {
        sweptAt = 0;
      });
    }
    try {
      await db.callbackReceipt.create({ data: { departmentId, signature, expiresAt: new Date(now + RECEIPT_TTL_MS) } });
    } catch (err) {
      if ((err as { code?: string }).code !== 'P2002') throw err;
      throw new HttpError(
        409,
        'replayed',
        `this signed callback was already received and is accepted once; to act again, send a new request with a fresh ${TIMESTAMP_HEADER} and signature`,
        `该签名回调已收到过，同一签名只受理一次；如需再次操作，请使用新的 ${TIMESTAMP_HEADER} 和签名重新发送`,
      );
    }
    // if the database is gone, the receipt stays until it expires: a re-signed request still goes through
    return () => db.callbackReceipt.deleteMany({ where: { departmentId, signature } }).then(() => undefined, () => undefined);
  }

  // no bearer token: the department's own system proves itself by signing the raw body
  post(
    '/:id/callback',
    { access: 'public', audit: 'department.callback' },
    route({ params: Params, documented: { body: CallbackBody, headers: SignatureHeaders } }, async ({ params }, req, res) => {
      const department = await directory.department(params.id);
      if (!department) throw notFound(`department ${params.id} not found`, `部门 ${params.id} 不存在`);
      if (!department.webhookSecret) throw new HttpError(401, 'unsigned', `department ${params.id} has no webhook secret configured`, `部门 ${params.id} 未配置回调签名密钥`);
      const verdict = verify(secrets.open(department.webhookSecret), { signature: req.get(SIGNATURE_HEADER), timestamp: req.get(TIMESTAMP_HEADER) }, rawBodyOf(req));
      if (verdict === 'future') {
        throw new HttpError(
          401,
          'bad_signature',
          `callback timestamp is in the future (more than ${FUTURE_SKEW_SECONDS} s ahead of this server's clock): send the current Unix time in ${TIMESTAMP_HEADER} and check the sending system's clock`,
          `回调时间戳超前本服务器时钟 ${FUTURE_SKEW_SECONDS} 秒以上：请在 ${TIMESTAMP_HEADER} 中发送当前 Unix 时间，并检查发送系统的时钟`,
        );
      }
      if (verdict !== 'ok') {
        throw new HttpError(
          401,
          'bad_signature',
          `callback signature ${verdict}: sign "<timestamp>.<body>" with HMAC-SHA256 and send ${SIGNATURE_HEADER} and ${TIMESTAMP_HEADER} (±5 min)`,
          `回调签名${VERDICT_ZH[verdict]}：请用 HMAC-SHA256 对“<时间戳>.<请求体>”签名，并发送 ${SIGNATURE_HEADER} 和 ${TIMESTAMP_HEADER}（前后 5 分钟内有效）`,
        );
      }
      const parsed = CallbackBody.safeParse(req.body);
      if (!parsed.success) throw new ZodError(parsed.error.issues.map((i) => ({ ...i, path: ['body', ...i.path] })));
      const { action, caseId, ...body } = parsed.data;
      const signature = req.get(SIGNATURE_HEADER)!;
      const release = await receive(department.id, signature);
      // the signature makes the caller this department's system, and nothing more
      req.principal = departmentSystem(department.id, department.name);
      // the same path as POST /api/cases/:id/department-<action>; the signature is the
      // Idempotency-Key, so a retry after a 503 that may have been applied is applied once
      const outcome = await actOn(cases, directory, req, caseId, `department-${action}`, body, signature).catch(async (err: unknown) => {
        // failed on our side (unavailable, internal): the department's retry must not be a "replay"
        if ((toHttpError(err)?.status ?? 500) >= 500) await release();
        throw err;
      });
      const state = outcome.body as { stage?: string; tasks?: { departmentId: string }[] };
      res.status(outcome.status).json({ caseId, accepted: true, stage: state.stage, tasks: state.tasks?.filter((t) => t.departmentId === department.id) });
    }),
  );

  get(
    '/:id/tasks',
    { access: ['department_staff', 'department_system', 'manager'] },
    route({ params: Params, query: Query }, async ({ params, query }, req, res) => {
      const principal = req.principal!;
      const department = await db.department.findUnique({ where: { id: params.id }, select: { townId: true } });
      // another department's list (or one outside the manager's town) does not exist for this caller
      const mine = answersFor(principal).includes(params.id);
      const managed = districtWide(principal) || principal.managerTowns.includes(department?.townId ?? '');
      if (!department || !(mine || managed)) throw notFound(`department ${params.id} not found`, `部门 ${params.id} 不存在`);
      // overdue by the stored deadline and the clock, not only by the flag the worker writes:
      // one walk per (status, overdue flag) on the index (departmentId, status, overdue, dueAt,
      // caseId, no), merged by deadline; a page costs the same wherever it is in the list
      const now = new Date();
      const statuses: readonly string[] = query.status === 'open' ? OPEN_TASK_STATUSES : TASK_STATUSES;
      const isOpen = (status: string) => (OPEN_TASK_STATUSES as readonly string[]).includes(status);
      const walks: Prisma.DepartmentTaskWhereInput[] = [];
      for (const status of statuses) {
        for (const overdue of [true, false]) {
          // flagged tasks are overdue; unflagged open ones once their deadline has passed
          const byClock = isOpen(status) && !overdue;
          if (query.overdue === undefined) walks.push({ status, overdue });
          else if (query.overdue && (overdue || byClock)) walks.push({ status, overdue, ...(byClock ? { dueAt: { lte: now } } : {}) });
          else if (!query.overdue && !overdue) walks.push({ status, overdue, ...(byClock ? { dueAt: { gt: now } } : {}) });
        }
      }
      const after = query.cursor === undefined ? undefined : readTaskCursor(query.cursor);
      const keyset: Prisma.DepartmentTaskWhereInput = after
        ? {
            AND: [
              { dueAt: { gte: after.dueAt } },
              { OR: [{ dueAt: { gt: after.dueAt } }, { caseId: { gt: after.caseId } }, { caseId: after.caseId, no: { gt: after.no } }] },
            ],
          }
        : {};
      const offset = query.page !== undefined ? (query.page - 1) * query.pageSize : 0;
      const take = offset + query.pageSize + 1;
      const found = await Promise.all(
        walks.map((w) =>
          db.departmentTask.findMany({ where: { departmentId: params.id, ...w, ...keyset }, orderBy: [{ dueAt: 'asc' }, { caseId: 'asc' }, { no: 'asc' }], take }),
        ),
      );
      const ordered = found.flat().sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : a.no - b.no));
      const more = ordered.length > offset + query.pageSize;
      const tasks = ordered.slice(offset, offset + query.pageSize);
      const total = query.count
        ? await db.departmentTask.count({ where: { departmentId: params.id, OR: walks } })
        : undefined;
      const cases = await db.case.findMany({
        where: { id: { in: tasks.map((t) => t.caseId) } },
        select: { id: true, title: true, category: true, stage: true, buildingId: true, enterpriseId: true, urgency: true, ownerStewardId: true },
      });
      const byId = new Map(cases.map((c) => [c.id, c]));
      const items = tasks.map((t) => {
        const due = isOpen(t.status) && t.dueAt <= now;
        return { ...t, overdue: t.overdue || due, overdueSince: t.overdueSince ?? (due ? t.dueAt : null), case: byId.get(t.caseId) ?? null };
      });
      res.json({
        items,
        nextCursor: more ? taskCursor(tasks.at(-1)!) : null,
        ...(query.page !== undefined ? { page: query.page } : {}),
        pageSize: query.pageSize,
        ...(total !== undefined ? { total } : {}),
        generatedAt: now.toISOString(),
      });
    }),
  );
  return router;
}
