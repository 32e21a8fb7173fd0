/**
 * What a principal may see. Each read turns the principal into a database filter, so lists,
 * single cases and task lists are all cut by the same rule; a case outside it is simply not found.
 */
import type { Prisma } from '../generated/sqlite/client';
import type { CaseState } from '../domain/case-model';
import { answersFor, districtWide, type Principal } from './principal';

/** The cases a principal may read, as a Prisma filter (`{ id: { in: [] } }` when none). */
export function caseScope(p: Principal): Prisma.CaseWhereInput {
  const parts = caseScopeParts(p);
  if (parts === 'all') return {};
  return parts.length ? { OR: parts } : { id: { in: [] } };
}

/**
 * The same rule as its parts, any one of which lets a case in: lists walk each part on its own
 * index and merge (see `list` in src/api/case-service.ts). 'all' for a district-wide reader.
 */
export function caseScopeParts(p: Principal): Prisma.CaseWhereInput[] | 'all' {
  if (districtWide(p)) return 'all';
  const any: Prisma.CaseWhereInput[] = [];
  if (p.enterpriseIds.length) any.push({ enterpriseId: { in: p.enterpriseIds } });
  const towns = p.managerTowns.filter((t): t is string => !!t);
  for (const post of p.posts) {
    if (post.level === 3) towns.push(post.townId);
    else if (post.level === 2 && post.areaId) any.push({ areaId: post.areaId });
    else if (post.buildingIds.length) any.push({ buildingId: { in: post.buildingIds } });
  }
  if (towns.length) any.push({ townId: { in: [...new Set(towns)] } });
  // whoever owned the case at some point keeps seeing it (a point steward who handed it on)
  if (p.posts.length) any.push({ stewards: { some: { stewardId: { in: p.posts.map((s) => s.stewardId) } } } });
  const departments = answersFor(p);
  if (departments.length) any.push({ tasks: { some: { departmentId: { in: departments } } } });
  return any;
}

/** True when the principal sees cases only through department tasks (department view of a case). */
export const departmentOnly = (p: Principal): boolean =>
  answersFor(p).length > 0 && !p.enterpriseIds.length && !p.posts.length && !p.managerTowns.length;

/** Towns whose directory entries (stewards, enterprises) this principal may see in full. */
export function directoryTowns(p: Principal): string[] | 'all' {
  if (districtWide(p) || p.admin) return 'all';
  return [...new Set([...p.posts.map((s) => s.townId), ...p.managerTowns.filter((t): t is string => !!t)])];
}

/**
 * The same rule as caseScope, for a case the read model has not recorded yet (its first write is
 * still on its way): checked against the workflow's live state.
 */
export function stateInScope(p: Principal, s: Pick<CaseState, 'parties' | 'owner' | 'escalations' | 'tasks'>): boolean {
  if (districtWide(p)) return true;
  const b = s.parties.building;
  if (p.enterpriseIds.includes(s.parties.enterprise.id) || p.managerTowns.includes(b.townId)) return true;
  const owners = new Set([s.owner.id, ...s.escalations.flatMap((e) => [e.fromStewardId, e.toStewardId])]);
  for (const post of p.posts) {
    if (owners.has(post.stewardId)) return true;
    if (post.level === 3 ? post.townId === b.townId : post.level === 2 ? post.areaId === b.areaId : post.buildingIds.includes(b.id)) return true;
  }
  const departments = answersFor(p);
  return s.tasks.some((t) => departments.includes(t.departmentId));
}
