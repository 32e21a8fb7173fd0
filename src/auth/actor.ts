/**
 * The actor the workflow sees comes from the verified principal and the case, never from the
 * request. A person may hold several roles; for an action on a case we pick the one that
 * concerns this case (the post highest in its chain, the department with a task on it, the
 * enterprise that filed it). The workflow's validators then check the chain as before.
 */
import type { Actor, StewardChain } from '../domain/case-model';
import { forbidden } from '../api/errors';
import { answersFor, type Principal } from './principal';

export type ActingAs = 'steward' | 'department' | 'enterprise' | 'steward_or_enterprise';

export interface CaseFacts {
  enterpriseId: string;
  ownerStewardId: string;
  chain: StewardChain;
  /** departments with a task on the case */
  departmentIds: string[];
}

const person = (p: Principal) => ({ personId: p.personId });

function asSteward(p: Principal, c: CaseFacts): Actor | null {
  if (!p.posts.length) return null;
  const inChain = [3, 2, 1].map((l) => c.chain[l as 1 | 2 | 3]?.id);
  const post =
    p.posts.find((s) => inChain.includes(s.stewardId)) ?? p.posts.find((s) => s.stewardId === c.ownerStewardId) ?? p.posts[0]!;
  return { kind: 'steward', id: post.stewardId, name: post.name, level: post.level, ...person(p) };
}

function asEnterprise(p: Principal, c: CaseFacts): Actor | null {
  return p.enterpriseIds.includes(c.enterpriseId) ? { kind: 'enterprise', id: c.enterpriseId, ...person(p) } : null;
}

function asDepartment(p: Principal, c: CaseFacts, departmentNames: Map<string, string>): Actor | null {
  const id = answersFor(p).find((d) => c.departmentIds.includes(d));
  return id ? { kind: 'department', id, name: departmentNames.get(id) ?? id, ...person(p) } : null;
}

export function actorFor(p: Principal, as: ActingAs, c: CaseFacts, departmentNames: Map<string, string> = new Map()): Actor {
  const actor =
    as === 'steward'
      ? asSteward(p, c)
      : as === 'enterprise'
        ? asEnterprise(p, c)
        : as === 'department'
          ? asDepartment(p, c, departmentNames)
          : (asEnterprise(p, c) ?? asSteward(p, c));
  if (!actor) {
    const who = { steward: 'a steward', enterprise: 'the enterprise that filed the case', department: 'a department with a task on the case', steward_or_enterprise: 'a steward or the filing enterprise' }[as];
    const zh = { steward: '本案件楼长链中的楼长', enterprise: '提出诉求的企业', department: '承接本案件任务的部门', steward_or_enterprise: '本案件的楼长或提出诉求的企业' }[as];
    throw forbidden(`only ${who} can do this`, `只有${zh}可以进行此操作`);
  }
  return actor;
}
