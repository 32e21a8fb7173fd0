import type { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/client';
import type { AccessControl } from '../../auth/access';
import { notFound } from '../errors';
import { line, text } from '../schemas';
import { route } from '../validate';

export const IncidentQuery = z
  .object({
    open: z.enum(['true', 'false']).optional().meta({ description: 'true: only unresolved incidents' }),
    kind: z.enum(['rule_failed', 'record_refused']).optional(),
    caseId: line(32).optional(),
    before: z.coerce.number().int().min(1).max(2 ** 31 - 1).optional().meta({ description: "cursor: incidents with a smaller id (the previous page's nextBefore)" }),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

const IncidentParams = z.object({ id: z.coerce.number().int().min(1).max(2 ** 31 - 1) }).strict();
const ResolveBody = z.object({ note: text(1000).optional().meta({ description: 'what was done about it' }) }).strict();

/**
 * What went wrong inside running cases and needs a person: a rule that threw on an action or a
 * timer (rule_failed), a batch the database refused even cleaned (record_refused). The case went
 * on either way; an administrator looks, fixes the cause, and marks the incident resolved.
 */
export function incidentsRouter(access: AccessControl, db: Db): Router {
  const { router, get, post } = access.router('/api/admin/incidents');
  get(
    '/',
    { access: ['admin'], summary: 'incidents inside running cases, newest first' },
    route({ query: IncidentQuery }, async ({ query: q }, _req, res) => {
      const where = {
        ...(q.open === 'true' ? { resolvedAt: null } : q.open === 'false' ? { resolvedAt: { not: null } } : {}),
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.caseId ? { caseId: q.caseId } : {}),
        ...(q.before ? { id: { lt: q.before } } : {}),
      };
      const items = await db.incident.findMany({ where, orderBy: { id: 'desc' }, take: q.pageSize });
      res.json({ items: await withResolverNames(db, items), nextBefore: items.length === q.pageSize ? items.at(-1)!.id : null });
    }),
  );
  post(
    '/:id/resolve',
    { access: ['admin'], audit: 'incident.resolve', summary: 'mark an incident resolved, by whom and with what was done (idempotent: the first resolution stays)' },
    route({ params: IncidentParams, body: ResolveBody }, async ({ params, body }, req, res) => {
      req.auditTarget = { target: `incident:${params.id}` };
      const found = await db.incident.findUnique({ where: { id: params.id } });
      if (!found) throw notFound(`incident ${params.id} not found`, `事件记录 ${params.id} 不存在`);
      const incident = found.resolvedAt
        ? found
        : await db.incident.update({ where: { id: params.id }, data: { resolvedAt: new Date(), resolvedBy: req.principal!.personId, resolution: body.note ?? null } });
      res.json((await withResolverNames(db, [incident]))[0]);
    }),
  );
  return router;
}

/** Each incident with the name of the person who resolved it (`resolvedByName`), read in one query. */
async function withResolverNames<T extends { resolvedBy: string | null }>(db: Db, items: T[]): Promise<(T & { resolvedByName: string | null })[]> {
  const ids = [...new Set(items.map((i) => i.resolvedBy).filter((id): id is string => !!id))];
  const people = ids.length ? await db.person.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }) : [];
  const names = new Map(people.map((p) => [p.id, p.name]));
  return items.map((i) => ({ ...i, resolvedByName: i.resolvedBy ? (names.get(i.resolvedBy) ?? i.resolvedBy) : null }));
}
