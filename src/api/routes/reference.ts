import { Router } from 'express';
import type { Catalogue } from '../../domain/policy';
import type { Directory } from '../directory';

/** Read-only reference data: the service catalogue and the directory (to find ids). */
export function referenceRouter(directory: Directory, catalogue: Catalogue): Router {
  const router = Router();
  router.get('/categories', (_req, res) => {
    res.json({
      version: catalogue.version,
      items: catalogue.categories.map((c) => ({ code: c.code, name: c.name, departmentHint: c.departmentHint ?? null, policy: catalogue.policyFor(c.code) })),
    });
  });
  router.get('/directory', async (_req, res) => {
    res.json(await directory.overview());
  });
  return router;
}
