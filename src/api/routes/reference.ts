import type { Router } from 'express';
import type { AccessControl } from '../../auth/access';
import { ROLE_NAMES } from '../../auth/principal';
import type { Directory } from '../directory';

/** Reference data for whoever is signed in: the directory (scoped) and who they are. */
export function referenceRouter(access: AccessControl, directory: Directory): Router {
  const { router, get } = access.router('/api');
  get('/directory', { access: 'authenticated', audit: 'directory.read' }, async (req, res) => {
    res.json(await directory.overview(req.principal!));
  });
  get('/me', { access: 'authenticated' }, async (req, res) => {
    const p = req.principal!;
    res.json({
      personId: p.personId,
      subject: p.subject,
      name: p.name,
      kind: p.kind,
      roles: p.roles.map((role) => ({ role, name: ROLE_NAMES[role] })),
      scope: {
        enterprises: p.enterpriseIds,
        stewardPosts: p.posts.map(({ stewardId, level, townId, areaId, buildingIds }) => ({ stewardId, level, townId, areaId, buildingIds })),
        departments: p.departmentIds,
        departmentSystems: p.systemDepartmentIds,
        managerOf: p.managerTowns.map((t) => t ?? 'district'),
        admin: p.admin,
      },
    });
  });
  return router;
}
