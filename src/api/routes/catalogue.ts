import type { Router } from 'express';
import { z } from 'zod';
import { CategoryCode, PolicyInputSchema } from '../../catalogue-file';
import type { CatalogueEntry, CatalogueStore } from '../../catalogue-store';
import { policyText } from '../../domain/readable-time';
import type { Directory } from '../directory';
import { invalidField, notFound } from '../errors';
import type { AccessControl } from '../../auth/access';
import { line, text } from '../schemas';
import { route } from '../validate';

export const CatalogueChangeBody = z
  .object({
    name: line(100).optional(),
    departmentId: line(64).nullable().optional(),
    departmentHint: line(50).nullable().optional(),
    policy: PolicyInputSchema.optional(),
    active: z.boolean().optional(),
    note: text(1000).optional(),
  })
  .strict()
  .meta({ id: 'CatalogueChange' });

export const CodeParams = z.object({ code: CategoryCode }).strict();

/** An item as answered: its policy's time limits also as a person reads them (`"resolution": "15 个工作日"`). */
const withText = (entry: CatalogueEntry) => ({ ...entry, policyText: policyText(entry.policy) });

/**
 * The service catalogue: anyone signed in may read it; an administrator changes it, each
 * change a new version. Running cases keep the version they started with.
 */
export function catalogueRouter(access: AccessControl, catalogue: CatalogueStore, directory: Directory): Router {
  const { router, get, put } = access.router('/api/catalogue');

  get('/', { access: 'authenticated' }, async (_req, res) => {
    res.json({ items: (await catalogue.list()).map(withText) });
  });

  get(
    '/:code',
    { access: 'authenticated' },
    route({ params: CodeParams }, async ({ params }, _req, res) => {
      const versions = await catalogue.versions(params.code);
      if (!versions.length) throw notFound(`catalogue item ${params.code} not found`, `服务事项 ${params.code} 不存在`);
      res.json({ current: withText(versions[0]!), versions: versions.map(withText) });
    }),
  );

  put(
    '/:code',
    { access: ['admin'], audit: 'catalogue.change' },
    route({ params: CodeParams, body: CatalogueChangeBody }, async ({ params, body }, req, res) => {
      req.auditTarget = { target: `catalogue:${params.code}`, detail: { change: Object.keys(body) } };
      if (body.departmentId && !(await directory.department(body.departmentId))) {
        throw invalidField('body.departmentId', `unknown department ${body.departmentId}`, `部门 ${body.departmentId} 不存在`);
      }
      if (!body.name && !(await catalogue.get(params.code))) {
        throw invalidField('body.name', `a new catalogue item ${params.code} needs a name`, `新增服务事项 ${params.code} 须填写名称`);
      }
      const { entry, created } = await catalogue.change(params.code, body, req.principal!.subject);
      res.status(created ? 201 : 200).json(withText(entry));
    }),
  );

  return router;
}
