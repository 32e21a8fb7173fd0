import { Router } from 'express';
import { z } from 'zod';
import type { Actor } from '../../domain/case-model';
import type { ActionArgs, ActionName } from '../../domain/case-rules';
import type { CaseService } from '../case-service';
import type { Directory } from '../directory';
import { invalidField } from '../errors';
import { ActionBodies, type ActionPath, ActorHeader, CaseIdParams, ListCasesQuery, OpenCaseBody } from '../schemas';
import { route } from '../validate';

const IdempotencyHeader = ActorHeader.extend({ 'idempotency-key': z.string().trim().min(8).max(128).optional() });

type Bodies = { [P in ActionPath]: z.infer<(typeof ActionBodies)[P]> };
type Translation<P extends ActionPath, K extends ActionName> = {
  action: K;
  args: (body: Bodies[P], actor: Actor, directory: Directory) => Promise<ActionArgs[K]>;
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
    args: async (b, actor, directory) => {
      const to = await directory.steward(b.toStewardId);
      if (!to || !to.active) throw invalidField('body.toStewardId', `unknown steward ${b.toStewardId}`);
      return { actor, to: { id: to.id, name: to.name, level: to.level as 1 | 2 | 3 }, ...(b.reason ? { reason: b.reason } : {}) };
    },
  },
  dispatch: {
    action: 'dispatch',
    args: async (b, actor, directory) => {
      const named = async (id: string, field: string) => {
        const d = await directory.department(id);
        if (!d) throw invalidField(field, `unknown department ${id}`);
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

export function casesRouter(cases: CaseService, directory: Directory): Router {
  const router = Router();

  router.post(
    '/',
    route({ headers: IdempotencyHeader, body: OpenCaseBody }, async ({ headers, body }, _req, res) => {
      const actor = await directory.actor(headers['x-actor-id']);
      const { status, body: out } = await cases.open(body, actor, headers['idempotency-key']);
      if (status === 201 || status === 202) res.location(`/api/cases/${(out as { caseId: string }).caseId}`);
      res.status(status).json(out);
    }),
  );

  router.get(
    '/',
    route({ query: ListCasesQuery }, async ({ query }, _req, res) => {
      res.json(await cases.list(query));
    }),
  );

  router.get(
    '/:id',
    route({ params: CaseIdParams }, async ({ params }, _req, res) => {
      res.json(await cases.get(params.id));
    }),
  );

  for (const [path, translation] of Object.entries(ACTION_ROUTES) as [ActionPath, Translation<ActionPath, ActionName>][]) {
    router.post(
      `/:id/${path}`,
      route({ params: CaseIdParams, headers: ActorHeader, body: ActionBodies[path] }, async ({ params, headers, body }, _req, res) => {
        const actor = await directory.actor(headers['x-actor-id']);
        const args = await translation.args(body as never, actor, directory);
        const { status, body: out } = await cases.act(params.id, translation.action, args);
        res.status(status).json(out);
      }),
    );
  }

  return router;
}
