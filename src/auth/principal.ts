/**
 * Who is calling: the person (or department system) behind a verified token, with the roles the
 * directory grants them and what each role reaches. Loaded once per request from the database;
 * nothing here trusts anything the caller says about itself.
 */
import type { Db } from '../db/client';
import { isUnavailable } from '../api/errors';
import type { Level } from '../domain/case-model';

export { ROLE_NAMES, ROLES, type Role } from '../domain/roles';
import { ROLES, type Role } from '../domain/roles';

/** A steward post the person holds, with where it reaches. */
export interface Post {
  stewardId: string;
  name: string;
  level: Level;
  townId: string;
  areaId: string | null;
  /** point stewards: the buildings that name them */
  buildingIds: string[];
}

export interface Principal {
  personId: string;
  subject: string;
  name: string;
  kind: 'person' | 'machine';
  roles: Role[];
  enterpriseIds: string[];
  posts: Post[];
  departmentIds: string[];
  /** department ids this principal answers for as the department's own system (machine token) */
  systemDepartmentIds: string[];
  /** manager scope: town ids; `null` in the list means the whole district */
  managerTowns: (string | null)[];
  admin: boolean;
}

const isLevel = (n: number): n is Level => n === 1 || n === 2 || n === 3;

/**
 * The principal for a verified subject, or null when the directory does not know them (or has
 * deactivated them): a valid token alone grants nothing.
 */
/**
 * `loadPrincipal` with a short memory. A principal loaded less than `freshMs` ago is used as it
 * is: a caller's next requests (an inbox, a case, an action) cost no directory reads, and a grant
 * revoked elsewhere takes effect within `freshMs` (`forget()` drops everything at once: the
 * administration routes call it after each change). During a database outage it answers from the
 * last good load of the same subject (at most `staleMs` old), so people keep acting on running
 * cases while Temporal is up: the token is still verified, only the grants may be that stale.
 */
export function principalLoader(db: Db, { freshMs = PRINCIPAL_FRESH_MS, staleMs = 15 * 60_000, max = 10_000 } = {}) {
  const lastGood = new Map<string, { principal: Principal | null; at: number }>();
  const load = async (subject: string): Promise<Principal | null> => {
    const known = lastGood.get(subject);
    if (known && Date.now() - known.at < freshMs) return known.principal;
    try {
      const principal = await loadPrincipal(db, subject);
      lastGood.delete(subject); // re-insert: the map's order is the eviction order
      lastGood.set(subject, { principal, at: Date.now() });
      if (lastGood.size > max) lastGood.delete(lastGood.keys().next().value!);
      return principal;
    } catch (err) {
      if (known && Date.now() - known.at < staleMs && isUnavailable(err)) return known.principal;
      throw err;
    }
  };
  return Object.assign(load, { forget: () => lastGood.clear() });
}

/** How long a loaded principal is trusted without reading the directory again. */
export const PRINCIPAL_FRESH_MS = 5_000;

export async function loadPrincipal(db: Db, subject: string): Promise<Principal | null> {
  const person = await db.person.findUnique({ where: { subject }, include: { grants: { where: { revokedAt: null } } } });
  if (!person || !person.active) return null;
  const scoped = (role: Role) => person.grants.filter((g) => g.role === role);
  const ids = (role: Role) => scoped(role).map((g) => g.scopeId).filter((id): id is string => !!id);

  const stewardIds = ids('steward');
  const stewards = stewardIds.length
    ? await db.steward.findMany({ where: { id: { in: stewardIds }, active: true }, include: { buildings: { select: { id: true } } } })
    : [];
  const posts: Post[] = stewards
    .filter((s) => isLevel(s.level))
    .map((s) => ({
      stewardId: s.id,
      name: s.name,
      level: s.level as Level,
      townId: s.townId,
      areaId: s.areaId,
      buildingIds: s.buildings.map((b) => b.id),
    }))
    .sort((a, b) => b.level - a.level);

  const machine = person.kind === 'machine';
  // a machine only ever acts as its department's system, whatever else a grant row says
  const systemDepartmentIds = ids('department_system');
  const principal: Principal = {
    personId: person.id,
    subject: person.subject,
    name: person.name,
    kind: machine ? 'machine' : 'person',
    roles: [],
    enterpriseIds: machine ? [] : ids('enterprise'),
    posts: machine ? [] : posts,
    departmentIds: machine ? [] : ids('department_staff'),
    systemDepartmentIds,
    managerTowns: machine ? [] : scoped('manager').map((g) => g.scopeId),
    admin: !machine && scoped('admin').length > 0,
  };
  principal.roles = ROLES.filter((r) => {
    switch (r) {
      case 'enterprise':
        return principal.enterpriseIds.length > 0;
      case 'steward':
        return principal.posts.length > 0;
      case 'department_staff':
        return principal.departmentIds.length > 0;
      case 'department_system':
        return principal.systemDepartmentIds.length > 0;
      case 'manager':
        return principal.managerTowns.length > 0;
      case 'admin':
        return principal.admin;
    }
  });
  return principal;
}

/** Departments this principal may answer for, as staff or as the department's system. */
export const answersFor = (p: Principal): string[] => [...p.departmentIds, ...p.systemDepartmentIds];

export const districtWide = (p: Principal): boolean => p.managerTowns.includes(null);
