import { Router } from 'express';
import type { Directory } from '../directory';

/** Read-only reference data: the directory (to find ids). */
export function referenceRouter(directory: Directory): Router {
  const router = Router();
  router.get('/directory', async (_req, res) => {
    res.json(await directory.overview());
  });
  return router;
}
