import { Router } from 'express';
import { CATEGORIES, policyFor } from '../../domain/policy';
import type { Directory } from '../directory';

/** Read-only reference data: the service catalogue and the directory (to find ids). */
export function referenceRouter(directory: Directory): Router {
  const router = Router();
  router.get('/categories', (_req, res) => {
    res.json({ items: CATEGORIES.map((c) => ({ code: c.code, name: c.name, departmentHint: c.departmentHint ?? null, policy: policyFor(c.code) })) });
  });
  router.get('/directory', async (_req, res) => {
    res.json(await directory.overview());
  });
  return router;
}
