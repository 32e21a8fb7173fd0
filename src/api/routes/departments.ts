import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { OPEN_TASK_STATUSES } from '../../domain/case-model';
import { notFound } from '../errors';
import { route } from '../validate';

const Params = z.object({ id: z.string().trim().min(1).max(64) }).strict();
const Query = z
  .object({
    status: z.enum(['open', 'all']).default('open'),
    overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

/** The department-facing side (portal adapter): what is dispatched to a department. */
export function departmentsRouter(db: Db): Router {
  const router = Router();
  router.get(
    '/:id/tasks',
    route({ params: Params, query: Query }, async ({ params, query }, _req, res) => {
      if (!(await db.department.findUnique({ where: { id: params.id } }))) throw notFound(`department ${params.id} not found`);
      const where = {
        departmentId: params.id,
        ...(query.status === 'open' ? { status: { in: [...OPEN_TASK_STATUSES] } } : {}),
        ...(query.overdue !== undefined ? { overdue: query.overdue } : {}),
      };
      const [tasks, total] = await Promise.all([
        db.departmentTask.findMany({ where, orderBy: [{ dueAt: 'asc' }, { caseId: 'asc' }], skip: (query.page - 1) * query.pageSize, take: query.pageSize }),
        db.departmentTask.count({ where }),
      ]);
      const cases = await db.case.findMany({
        where: { id: { in: tasks.map((t) => t.caseId) } },
        select: { id: true, title: true, category: true, stage: true, buildingId: true, enterpriseId: true, urgency: true, ownerStewardId: true },
      });
      const byId = new Map(cases.map((c) => [c.id, c]));
      res.json({ items: tasks.map((t) => ({ ...t, case: byId.get(t.caseId) ?? null })), page: query.page, pageSize: query.pageSize, total });
    }),
  );
  return router;
}
