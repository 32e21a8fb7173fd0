import type { Router } from 'express';
import type { Db } from '../../db/client';
import type { AccessControl } from '../../auth/access';
import type { SecretBox } from '../../security/secrets';

/** Directory administration (placeholder until the admin routes land). */
export function adminRouter(access: AccessControl, _db: Db, _secrets: SecretBox): Router {
  return access.router('/api/admin').router;
}
