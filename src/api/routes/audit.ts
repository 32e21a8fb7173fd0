import type { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/client';
import type { AccessControl } from '../../auth/access';
import { districtWide } from '../../auth/principal';
import { line } from '../schemas';
import { route } from '../validate';

export const AuditQuery = z
  .object({
    personId: line(64).optional(),
    action: line(64).optional().meta({ description: 'e.g. case.read, case.acknowledge, catalogue.change' }),
    target: line(100).optional().meta({ description: 'e.g. case:C20261122-ABC234' }),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    before: z.coerce.number().int().min(1).max(2 ** 53 - 1).optional().meta({ description: 'cursor: entries with a smaller id (the previous page\'s nextBefore)' }),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

/**
 * The audit log, newest first, paged by id (it only grows, so a cursor never skips or repeats).
 * Administrators and district-wide managers see everything; a town's manager their town's entries.
 */
export function auditRouter(access: AccessControl, db: Db): Router {
  const { router, get } = access.router('/api/audit');
  get(
    '/',
    { access: ['admin', 'manager'] },
    route({ query: AuditQuery }, async ({ query: q }, req, res) => {
      const p = req.principal!;
      const towns = p.admin || districtWide(p) ? null : p.managerTowns.filter((t): t is string => !!t);
      const where = {
        ...(towns ? { townId: { in: towns } } : {}),
        ...(q.personId ? { personId: q.personId } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.target ? { target: q.target } : {}),
        ...(q.from || q.to ? { at: { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.to ? { lt: new Date(q.to) } : {}) } } : {}),
        ...(q.before ? { id: { lt: q.before } } : {}),
      };
      const items = await db.auditLog.findMany({ where, orderBy: { id: 'desc' }, take: q.pageSize });
      res.json({ items, nextBefore: items.length === q.pageSize ? items.at(-1)!.id : null });
    }),
  );
  return router;
}
