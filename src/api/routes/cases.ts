import type { Request, Router } from 'express';
import { z } from 'zod';
import type { Actor } from '../../domain/case-model';
import { ACTIONS, type ActionArgs, type ActionName } from '../../domain/case-rules';
import type { ActionRule } from '../../domain/case-kernel';
import type { CaseState } from '../../domain/case-model';
import { type CaseService, type CaseView, departmentView } from '../case-service';
import { departmentOnly } from '../../auth/scope';
import type { Directory } from '../directory';
import { invalidField } from '../errors';
import { ActionBodies, type ActionPath, CaseIdParams, ListCasesQuery, OpenCaseBody } from '../schemas';
import type { AccessControl } from '../../auth/access';
import { type ActingAs, actorFor, type CaseFacts } from '../../auth/actor';
import type { Principal, Role } from '../../auth/principal';
import { route } from '../validate';

const IdempotencyHeader = z.object({ 'idempotency-key': z.string().trim().min(8).max(128).optional() });
const ReadQuery = z
  .object({
    live: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional()
      .describe("true: ask the running workflow (needs a worker) instead of the read model's snapshot"),
  })
  .strict();

type Bodies = { [P in ActionPath]: z.infer<(typeof ActionBodies)[P]> };
type Translation<P extends ActionPath, K extends ActionName> = {
  action: K;
  args: (body: Bodies[P], actor: Actor, directory: Directory, facts: CaseFacts & { townId: string }) => Promise<ActionArgs[K]>;
};

/** URL action → workflow update, with the directory lookups its arguments need. */
export const ACTION_ROUTES: { [P in ActionPath]: Translation<P, ActionName> } = {
  acknowledge: { action: 'acknowledge', args: async (b, actor) => ({ actor, ...b }) },
  decline: { action: 'decline', args: async (b, actor) => ({ actor, ...b }) },
  propose: { action: 'propose', args: async (b, actor) => ({ actor, ...b }) },
  approve: { action: 'approve', args: async (b, actor) => ({ actor, ...b }) },
  reject: { action: 'rejectProposal', args: async (b, actor) => ({ actor, ...b }) },
  reassign: {
    action: 'reassign',
    args: async (b, actor, directory, facts) => {
      const to = await directory.steward(b.toStewardId);
      // only to an active steward of this town (the workflow checks the level against the owner's)
      if (!to || !to.active || to.townId !== facts.townId) {
        throw invalidField('body.toStewardId', `${b.toStewardId} is not an active steward of this case's town`, `${b.toStewardId} 不是本案件所在街道的在岗楼长`);
      }
      return { actor, to: { id: to.id, name: to.name, level: to.level as 1 | 2 | 3 }, ...(b.reason ? { reason: b.reason } : {}) };
    },
  },
  dispatch: {
    action: 'dispatch',
    args: async (b, actor, directory) => {
      const named = async (id: string, field: string) => {
        const d = await directory.department(id);
        if (!d) throw invalidField(field, `unknown department ${id}`, `部门 ${id} 不存在`);
        return { id: d.id, name: d.name };
      };
      const lead = await named(b.departmentId, 'body.departmentId');
      const assisting = await Promise.all((b.assisting ?? []).map((id, i) => named(id, `body.assisting.${i}`)));
      return { actor, lead, assisting, ...(b.instructions ? { instructions: b.instructions } : {}) };
    },
  },
  'department-accept': { action: 'departmentAccept', args: async (_b, actor) => ({ actor }) },
  'department-reply': { action: 'departmentReply', args: async (b, actor) => ({ actor, ...b }) },
  'department-return': { action: 'departmentReturn', args: async (b, actor) => ({ actor, ...b }) },
  'follow-up': { action: 'recordFollowUp', args: async (b, actor) => ({ actor, ...b }) },
  withdraw: { action: 'withdraw', args: async (b, actor) => ({ actor, ...b }) },
  pause: { action: 'pause', args: async (b, actor) => ({ actor, ...b }) },
  'supply-info': { action: 'resume', args: async (b, actor) => ({ actor, ...b }) },
  'request-extension': { action: 'requestExtension', args: async (b, actor) => ({ actor, ...b }) },
  'decide-extension': { action: 'decideExtension', args: async (b, actor) => ({ actor, ...b }) },
};

/** Who may take each action, and in which capacity the workflow sees them. */
export const ACTION_ACCESS: { [P in ActionPath]: { roles: readonly Role[]; as: ActingAs } } = {
  acknowledge: { roles: ['steward'], as: 'steward' },
  decline: { roles: ['steward'], as: 'steward' },
  propose: { roles: ['steward'], as: 'steward' },
  approve: { roles: ['steward'], as: 'steward' },
  reject: { roles: ['steward'], as: 'steward' },
  reassign: { roles: ['steward'], as: 'steward' },
  dispatch: { roles: ['steward'], as: 'steward' },
  'department-accept': { roles: ['department_staff', 'department_system'], as: 'department' },
  'department-reply': { roles: ['department_staff', 'department_system'], as: 'department' },
  'department-return': { roles: ['department_staff', 'department_system'], as: 'department' },
  'follow-up': { roles: ['steward', 'enterprise'], as: 'steward_or_enterprise' },
  withdraw: { roles: ['enterprise'], as: 'enterprise' },
  pause: { roles: ['steward'], as: 'steward' },
  'supply-info': { roles: ['enterprise', 'steward'], as: 'steward_or_enterprise' },
  'request-extension': { roles: ['steward'], as: 'steward' },
  'decide-extension': { roles: ['steward'], as: 'steward' },
};

/**
 * Arguments that pass every check of their own (a reason, a text, a department or steward that is
 * not already on the case), so that checking an action with them asks only what the case and the
 * actor allow: the stage, the actor's place in the chain or its task, a pending extension, the cap.
 */
const PROBE: { [K in ActionName]: (actor: Actor, s: Omit<CaseState, 'history'>) => ActionArgs[K] } = {
  acknowledge: (actor) => ({ actor }),
  decline: (actor) => ({ actor, reason: '-' }),
  propose: (actor) => ({ actor, text: '-' }),
  approve: (actor) => ({ actor }),
  rejectProposal: (actor) => ({ actor, reason: '-' }),
  reassign: (actor, s) => ({ actor, to: { id: '\u0000', name: '', level: s.owner.level } }),
  dispatch: (actor) => ({ actor, lead: { id: '\u0000', name: '' }, assisting: [] }),
  departmentAccept: (actor) => ({ actor }),
  departmentReply: (actor) => ({ actor, text: '-' }),
  departmentReturn: (actor) => ({ actor, reason: '-' }),
  recordFollowUp: (actor) => ({ actor, satisfaction: 'satisfied' }),
  withdraw: (actor) => ({ actor }),
  pause: (actor) => ({ actor, reason: '-' }),
  resume: (actor) => ({ actor }),
  // the nearest later deadline: refused only when the case allows no extension at all
  requestExtension: (actor, s) => ({ actor, reason: '-', newDueAt: new Date(Date.parse(s.deadlines.resolutionDueAt) + 60_000).toISOString() }),
  decideExtension: (actor) => ({ actor, approve: true }),
};

/**
 * The actions this principal may take on the case now, by the checks an action itself goes
 * through: the route's roles, the capacity it acts in (actorFor), then the workflow validator's
 * own rule check. The console offers these and no others.
 */
export function allowedActions(principal: Principal, facts: CaseFacts, state: Omit<CaseState, 'history'>, departmentNames: Map<string, string>, now = new Date()): ActionPath[] {
  return (Object.keys(ACTION_ROUTES) as ActionPath[]).filter((path) => {
    const { roles, as } = ACTION_ACCESS[path];
    if (!roles.some((r) => principal.roles.includes(r))) return false;
    let actor: Actor;
    try {
      actor = actorFor(principal, as, facts, departmentNames);
    } catch {
      return false;
    }
    const name = ACTION_ROUTES[path].action;
    const rule = ACTIONS[name] as ActionRule<ActionArgs[typeof name]>;
    try {
      return !rule.check({ history: [], ...state } as CaseState, PROBE[name](actor, state) as never, now);
    } catch {
      return false;
    }
  });
}

/** Anyone whose role can reach cases at all; each then sees only their own scope. */
export const CASE_READERS: readonly Role[] = ['enterprise', 'steward', 'department_staff', 'department_system', 'manager'];

export function casesRouter(access: AccessControl, cases: CaseService, directory: Directory): Router {
  const { router, get, post } = access.router('/api/cases');

  post(
    '/',
    { access: ['enterprise', 'steward'], audit: 'case.open' },
    route({ headers: IdempotencyHeader, body: OpenCaseBody }, async ({ headers, body }, req, res) => {
      const { status, body: out } = await cases.open(body, req.principal!, headers['idempotency-key']);
      const { caseId, parties } = out as { caseId: string; parties?: CaseView['parties'] };
      req.auditTarget = { target: `case:${caseId}`, townId: parties?.building.townId ?? null };
      if (status === 201 || status === 202) res.location(`/api/cases/${caseId}`);
      res.status(status).json(out);
    }),
  );

  get(
    '/',
    { access: CASE_READERS },
    route({ query: ListCasesQuery }, async ({ query }, req, res) => {
      res.json(await cases.list(query, req.principal!));
    }),
  );

  get(
    '/:id',
    { access: CASE_READERS, audit: 'case.read' },
    route({ params: CaseIdParams, query: ReadQuery }, async ({ params, query }, req, res) => {
      const { view, state, facts } = await cases.read(params.id, req.principal!, { live: query.live });
      req.auditTarget = { target: `case:${params.id}`, townId: view.parties.building.townId };
      const departments = await directory.departmentNames(facts.departmentIds);
      res.json({ ...view, allowedActions: allowedActions(req.principal!, facts, state, departments) });
    }),
  );

  for (const [path, translation] of Object.entries(ACTION_ROUTES) as [ActionPath, Translation<ActionPath, ActionName>][]) {
    const { roles, as } = ACTION_ACCESS[path];
    post(
      `/:id/${path}`,
      { access: roles, audit: `case.${path}` },
      route({ params: CaseIdParams, headers: IdempotencyHeader, body: ActionBodies[path] }, async ({ params, headers, body }, req, res) => {
        const { status, body: out } = await actOn(cases, directory, req, params.id, path, body, headers['idempotency-key']);
        res.status(status).json(out);
      }),
    );
  }

  return router;
}

/**
 * One action on one case by the signed-in principal: the case must be in their scope (404),
 * they act in the capacity the action needs (403), then the workflow's validators decide.
 */
export async function actOn(cases: CaseService, directory: Directory, req: Request, caseId: string, path: ActionPath, body: unknown, idempotencyKey?: string) {
  const principal = req.principal!;
  const found = await cases.locate(caseId, principal);
  const { facts } = found;
  req.auditTarget = { target: `case:${caseId}`, townId: facts.townId };
  const departments = ACTION_ACCESS[path].as === 'department' ? await directory.departmentNames(facts.departmentIds) : undefined;
  const actor = actorFor(principal, ACTION_ACCESS[path].as, facts, departments);
  const translation = ACTION_ROUTES[path] as Translation<ActionPath, ActionName>;
  const args = await translation.args(body as never, actor, directory, facts);
  const outcome = await cases.act(caseId, found, translation.action, args, idempotencyKey ? { personId: principal.personId, key: idempotencyKey } : undefined);
  // a department acting on a case sees the answer it may see on a read, no more
  if (outcome.status === 200 && departmentOnly(principal)) return { ...outcome, body: departmentView(outcome.body as CaseView, principal) };
  return outcome;
}
