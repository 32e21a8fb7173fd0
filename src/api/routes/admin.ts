import express, { type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/client';
import type { AccessControl } from '../../auth/access';
import type { SecretBox } from '../../security/secrets';
import {
  DIRECTORY_KIND_NAMES,
  DIRECTORY_KINDS,
  GrantBody,
  grantProblem,
  HolderBody,
  Id,
  type Issue,
  type KindSpec,
  otherAdmins,
  present,
} from '../directory-admin';
import { CSV_TYPE, importDirectory, readTable, XLSX_TYPE } from '../directory-import';
import { conflict, HttpError, invalidField, issuesRefused, notFound } from '../errors';
import { chineseFor } from '../chinese-messages';
import { languageOf } from '../language';
import { ROLE_NAMES } from '../../auth/principal';
import { beijingTime } from '../../domain/readable-time';
import { route } from '../validate';

const ADMIN = ['admin'] as const;

const PersonParams = z.object({ id: Id }).strict();
const GrantParams = z.object({ id: Id, grantId: z.coerce.number().int().min(1).max(2 ** 31 - 1) }).strict();
const ImportParams = z.object({ kind: z.enum(DIRECTORY_KIND_NAMES) }).strict();
const ImportQuery = z
  .object({ dryRun: z.enum(['true', 'false']).optional().meta({ description: 'true: validate every row and report, write nothing' }) })
  .strict();

const ImportFile = z.string().meta({ format: 'binary', description: 'the file: first row the headers (see the README for the columns of each kind)' });

const rejected = (issues: Issue[]) => issuesRefused(issues.map((i) => ({ ...i, field: `body.${i.field}` })));

/** The file body of an import, up to 5 MB; the app's JSON parser leaves these types alone. */
const upload = express.raw({ type: [CSV_TYPE, XLSX_TYPE], limit: '5mb' });
const rawUpload: RequestHandler = (req, res, next) =>
  upload(req, res, (err?: unknown) =>
    next(
      (err as { type?: string } | undefined)?.type === 'entity.too.large'
        ? new HttpError(413, 'payload_too_large', 'the file is larger than the 5 MB import limit', '文件超过 5 MB 的导入上限')
        : err,
    ),
  );

/**
 * Directory administration: upserts of towns, areas, buildings, steward posts, departments,
 * enterprises and people; role grants and their revocation; handing a steward post to another
 * person; bulk import. Administrators only, every call audited. Secrets go in and never come out.
 */
export function adminRouter(access: AccessControl, db: Db, secrets: SecretBox): Router {
  const { router, get, put, post, delete: del } = access.router('/api/admin');

  get('/directory', { access: ADMIN, audit: 'directory.admin.read', summary: 'the whole directory with contact details (secrets only as "set")' }, async (req, res) => {
    req.auditTarget = { target: 'directory' };
    const [towns, areas, buildings, stewards, departments, enterprises] = await Promise.all([
      db.town.findMany({ orderBy: { id: 'asc' } }),
      db.area.findMany({ orderBy: { id: 'asc' } }),
      db.building.findMany({ orderBy: { id: 'asc' } }),
      db.steward.findMany({ orderBy: [{ townId: 'asc' }, { level: 'desc' }, { id: 'asc' }] }),
      db.department.findMany({ orderBy: { id: 'asc' } }),
      db.enterprise.findMany({ orderBy: { id: 'asc' } }),
    ]);
    res.json({
      towns: towns.map(present.town),
      areas: areas.map(present.area),
      buildings: buildings.map(present.building),
      stewards: stewards.map(present.steward),
      departments: departments.map(present.department),
      enterprises: enterprises.map(present.enterprise),
    });
  });

  for (const kind of DIRECTORY_KIND_NAMES) {
    const spec: KindSpec = DIRECTORY_KINDS[kind];
    const Params = z.object({ [spec.keyField]: spec.keySchema }).strict();
    put(
      `/${kind}/:${spec.keyField}`,
      { access: ADMIN, audit: `directory.${spec.noun}.put`, summary: `create (201) or update (200) a ${spec.noun}` },
      route({ params: Params, body: spec.body }, async ({ params, body }, req, res) => {
        const key = (params as Record<string, string>)[spec.keyField]!;
        req.auditTarget = { target: `${spec.noun}:${key}` };
        const outcome = await db.$transaction((tx) => spec.apply({ tx, secrets }, key, body as never));
        if (outcome.issues) throw rejected(outcome.issues);
        req.auditTarget = { target: `${spec.noun}:${key}`, townId: outcome.townId, detail: { created: outcome.created } };
        res.status(outcome.created ? 201 : 200).json(outcome.row);
      }),
    );
  }

  get('/people', { access: ADMIN, audit: 'directory.people.read', summary: 'everyone registered, with their active role grants' }, async (req, res) => {
    req.auditTarget = { target: 'people' };
    const people = await db.person.findMany({ orderBy: { id: 'asc' }, include: { grants: { where: { revokedAt: null }, orderBy: { id: 'asc' } } } });
    res.json({ items: people });
  });

  post(
    '/people/:id/grants',
    { access: ADMIN, audit: 'directory.grant.create', summary: 'grant a role with its scope (409 when the same grant is already active)' },
    route({ params: PersonParams, body: GrantBody }, async ({ params, body }, req, res) => {
      const scopeId = body.scopeId ?? null;
      req.auditTarget = { target: `person:${params.id}`, townId: body.role === 'manager' ? scopeId : null, detail: { role: body.role, scopeId } };
      const grant = await db.$transaction(async (tx) => {
        const person = await tx.person.findUnique({ where: { id: params.id } });
        if (!person) throw notFound(`person ${params.id} not found`, `人员 ${params.id} 不存在`);
        const problem = await grantProblem(tx, person, body.role, scopeId);
        if (problem) throw invalidField(`body.${problem.field}`, problem.message, problem.zh);
        const active = await tx.roleGrant.findFirst({ where: { personId: person.id, role: body.role, scopeId, revokedAt: null } });
        if (active) {
          throw conflict(
            `${person.id} already holds ${body.role}${scopeId ? ` for ${scopeId}` : ''} (grant ${active.id})`,
            `${person.id} 已持有${scopeId ? ` ${scopeId} 的` : ''}${ROLE_NAMES[body.role]}角色（授权编号 ${active.id}）`,
          );
        }
        return tx.roleGrant.create({ data: { personId: person.id, role: body.role, scopeId, grantedBy: req.principal!.subject } });
      });
      req.auditTarget.detail = { ...req.auditTarget.detail, grantId: grant.id };
      res.status(201).json(present.grant(grant));
    }),
  );

  del(
    '/people/:id/grants/:grantId',
    { access: ADMIN, audit: 'directory.grant.revoke', summary: 'revoke a grant (kept, with who revoked it when)' },
    route({ params: GrantParams }, async ({ params }, req, res) => {
      req.auditTarget = { target: `person:${params.id}`, detail: { grantId: params.grantId } };
      const grant = await db.$transaction(async (tx) => {
        const g = await tx.roleGrant.findUnique({ where: { id: params.grantId } });
        if (!g || g.personId !== params.id) throw notFound(`grant ${params.grantId} of person ${params.id} not found`, `人员 ${params.id} 没有编号为 ${params.grantId} 的授权`);
        if (g.revokedAt) {
          throw conflict(
            `grant ${g.id} was already revoked at ${g.revokedAt.toISOString()} by ${g.revokedBy}`,
            `授权 ${g.id} 已于 ${beijingTime(g.revokedAt.toISOString())} 由 ${g.revokedBy} 撤销`,
          );
        }
        if (g.role === 'admin' && !(await otherAdmins(tx, g.personId))) {
          throw conflict('this is the last active administrator: grant admin to someone else first', '这是最后一位在任管理员，请先将管理员角色授予他人');
        }
        return tx.roleGrant.update({ where: { id: g.id }, data: { revokedAt: new Date(), revokedBy: req.principal!.subject } });
      });
      res.json(present.grant(grant));
    }),
  );

  put(
    '/stewards/:id/holder',
    { access: ADMIN, audit: 'directory.steward.handover', summary: "hand a steward post to another person: the post's current holders' grants are revoked, the cases stay with the post" },
    route({ params: PersonParams, body: HolderBody }, async ({ params, body }, req, res) => {
      req.auditTarget = { target: `steward:${params.id}`, detail: { to: body.personId } };
      const subject = req.principal!.subject;
      const result = await db.$transaction(async (tx) => {
        const post = await tx.steward.findUnique({ where: { id: params.id } });
        if (!post) throw notFound(`steward post ${params.id} not found`, `楼长岗位 ${params.id} 不存在`);
        req.auditTarget!.townId = post.townId;
        const person = await tx.person.findUnique({ where: { id: body.personId } });
        if (!person) throw invalidField('body.personId', `unknown person ${body.personId}`, `人员 ${body.personId} 不存在`);
        if (!person.active) throw invalidField('body.personId', `${person.id} is inactive`, `人员 ${person.id} 已停用`);
        const problem = await grantProblem(tx, person, 'steward', post.id);
        if (problem) throw invalidField(problem.field === 'role' ? 'body.personId' : `params.id`, problem.message, problem.zh);
        const current = await tx.roleGrant.findMany({ where: { role: 'steward', scopeId: post.id, revokedAt: null } });
        const leaving = current.filter((g) => g.personId !== person.id);
        const now = new Date();
        await tx.roleGrant.updateMany({ where: { id: { in: leaving.map((g) => g.id) } }, data: { revokedAt: now, revokedBy: subject } });
        const grant = current.find((g) => g.personId === person.id) ?? (await tx.roleGrant.create({ data: { personId: person.id, role: 'steward', scopeId: post.id, grantedBy: subject } }));
        return {
          stewardId: post.id,
          holder: { personId: person.id, subject: person.subject, name: person.name },
          grant: present.grant(grant),
          revoked: leaving.map((g) => present.grant({ ...g, revokedAt: now, revokedBy: subject })),
        };
      });
      req.auditTarget.detail = { from: result.revoked.map((g) => g.personId), to: body.personId };
      res.json(result);
    }),
  );

  get(
    '/stewards/:id/holders',
    { access: ADMIN, audit: 'directory.steward.holders.read', summary: 'who held a steward post when (every steward grant for it, revoked ones included)' },
    route({ params: PersonParams }, async ({ params }, req, res) => {
      req.auditTarget = { target: `steward:${params.id}` };
      const post = await db.steward.findUnique({ where: { id: params.id } });
      if (!post) throw notFound(`steward post ${params.id} not found`, `楼长岗位 ${params.id} 不存在`);
      req.auditTarget.townId = post.townId;
      const grants = await db.roleGrant.findMany({
        where: { role: 'steward', scopeId: post.id },
        include: { person: { select: { subject: true, name: true } } },
        orderBy: [{ grantedAt: 'asc' }, { id: 'asc' }],
      });
      res.json({
        stewardId: post.id,
        holders: grants.map(({ person, ...g }) => ({
          grantId: g.id,
          personId: g.personId,
          subject: person.subject,
          name: person.name,
          grantedAt: g.grantedAt,
          grantedBy: g.grantedBy,
          revokedAt: g.revokedAt,
          revokedBy: g.revokedBy,
          current: !g.revokedAt,
        })),
      });
    }),
  );

  post(
    '/import/:kind',
    {
      access: ADMIN,
      audit: 'directory.import',
      summary: `bulk import of one kind from ${CSV_TYPE} (UTF-8) or an .xlsx workbook (first sheet), first row the headers; all rows or none (?dryRun=true only reports)`,
    },
    rawUpload,
    route({ params: ImportParams, query: ImportQuery, documented: { body: ImportFile, bodyTypes: [CSV_TYPE, XLSX_TYPE], bodyRequired: true } }, async ({ params, query }, req, res) => {
      const dryRun = query.dryRun === 'true';
      req.auditTarget = { target: `import:${params.kind}`, detail: { dryRun } };
      const format = req.is(CSV_TYPE) ? 'csv' : req.is(XLSX_TYPE) ? 'xlsx' : null;
      if (!format) throw new HttpError(415, 'unsupported_media_type', `send the file as ${CSV_TYPE} (UTF-8) or ${XLSX_TYPE}`, `请以 ${CSV_TYPE}（UTF-8）或 ${XLSX_TYPE} 格式上传文件`);
      const charset = /charset=([^;]+)/i.exec(req.get('content-type') ?? '')?.[1]?.trim().toLowerCase();
      if (format === 'csv' && charset && charset !== 'utf-8' && charset !== 'utf8') {
        throw new HttpError(415, 'unsupported_encoding', 'CSV files must be UTF-8', 'CSV 文件须为 UTF-8 编码');
      }
      if (!Buffer.isBuffer(req.body) || !req.body.length) throw new HttpError(400, 'unreadable_file', 'the request carries no file', '请求中没有文件');
      const table = await readTable(req.body, format);
      const language = languageOf(req);
      const found = await importDirectory(db, secrets, params.kind, table, dryRun);
      // each rejected row's message in the caller's language (Chinese unless they prefer English)
      const report = { ...found, rejected: found.rejected.map(({ zh, ...r }) => ({ ...r, message: language === 'en' ? r.message : (zh ?? chineseFor(r.message) ?? r.message) })) };
      const { rejected: refused, ...counts } = report;
      req.auditTarget.detail = { ...counts, rejected: refused.length };
      res.vary('Accept-Language');
      if (!dryRun && refused.length) {
        const message =
          language === 'en' ? `${refused.length} problem(s) in ${report.rows} row(s); nothing was imported` : `${report.rows} 行中有 ${refused.length} 处问题，未导入任何数据`;
        res.status(400).json({ error: { code: 'import_rejected', message, requestId: req.requestId }, report });
        return;
      }
      res.json(report);
    }),
  );

  return router;
}
