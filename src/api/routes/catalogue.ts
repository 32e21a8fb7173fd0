import { Router } from 'express';
import { z } from 'zod';
import { CategoryCode, PolicyInputSchema } from '../../catalogue-file';
import type { CatalogueStore } from '../../catalogue-store';
import type { Directory } from '../directory';
import { forbidden, invalidField, notFound } from '../errors';
import { ActorHeader } from '../schemas';
import { route } from '../validate';

export const CatalogueChangeBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    departmentId: z.string().trim().min(1).max(64).nullable().optional(),
    departmentHint: z.string().trim().min(1).max(50).nullable().optional(),
    policy: PolicyInputSchema.optional(),
    active: z.boolean().optional(),
    note: z.string().trim().min(1).max(1000).optional(),
  })
  .strict()
  .meta({ id: 'CatalogueChange' });

export const CodeParams = z.object({ code: CategoryCode }).strict();

/**
 * The service catalogue: anyone may read it; a 总楼长 (the town's manager in this product)
 * changes it, each change a new version. Running cases keep the version they started with.
 */
export function catalogueRouter(catalogue: CatalogueStore, directory: Directory): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    res.json({ items: await catalogue.list() });
  });

  router.get(
    '/:code',
    route({ params: CodeParams }, async ({ params }, _req, res) => {
      const versions = await catalogue.versions(params.code);
      if (!versions.length) throw notFound(`catalogue item ${params.code} not found`);
      res.json({ current: versions[0], versions });
    }),
  );

  router.put(
    '/:code',
    route({ params: CodeParams, headers: ActorHeader, body: CatalogueChangeBody }, async ({ params, headers, body }, _req, res) => {
      const actor = await directory.actor(headers['x-actor-id']);
      if (actor.kind !== 'steward' || actor.level !== 3) throw forbidden('only a 总楼长 may change the service catalogue');
      if (body.departmentId && !(await directory.department(body.departmentId))) {
        throw invalidField('body.departmentId', `unknown department ${body.departmentId}`);
      }
      if (!body.name && !(await catalogue.get(params.code))) {
        throw invalidField('body.name', `a new catalogue item ${params.code} needs a name`);
      }
      const { entry, created } = await catalogue.change(params.code, body, actor.id);
      res.status(created ? 201 : 200).json(entry);
    }),
  );

  return router;
}
