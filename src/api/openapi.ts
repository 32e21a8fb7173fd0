import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ActionBodies, type ActionPath, ActorHeader, CaseIdParams, CaseListBody, CaseStateBody, ErrorBody, ListCasesQuery, OpenCaseBody } from './schemas';

const ACTION_SUMMARIES: Record<ActionPath, string> = {
  acknowledge: '签收: the owner (or a steward above) acknowledges the case',
  decline: '不予受理: the owner declines the case (out of scope, duplicate); it ends as rejected',
  propose: 'propose a resolution; it then awaits approval',
  approve: 'approve the pending proposal (owner or above); the enterprise is answered',
  reject: 'reject the pending proposal with a reason; back to in_progress',
  reassign: 'hand the case to another steward of the same level',
  dispatch: 'dispatch the case to a lead department (主办) and any assisting ones (协办), each with its own deadline',
  'department-accept': 'the department accepts its task (签收)',
  'department-reply': "a department's reply with attachment metadata; the lead's becomes the proposal",
  'department-return': '退单: the department returns its task with a reason; the owner redispatches',
  'follow-up': '回访: record the enterprise\'s satisfaction; 不满意 reopens one level up',
  withdraw: 'the enterprise withdraws its open case',
  pause: 'the owner marks the case as awaiting the enterprise: the resolution clock stops',
  'supply-info': 'the enterprise (or the owner) supplies the information: the clock resumes, deadlines move by the paused working time',
  'request-extension': '延期: the owner asks for a later resolution deadline, before the current one passes; capped in total',
  'decide-extension': 'a steward above the requester approves or refuses the pending extension',
};

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const errors = {
  400: json(ErrorBody, 'invalid input, with field-level issues'),
  403: json(ErrorBody, 'the actor may not do this'),
  404: json(ErrorBody, 'unknown case'),
  409: json(ErrorBody, 'the action does not fit the case now'),
  503: json(ErrorBody, 'Temporal or the database is unreachable; nothing changed'),
};

export function openApiDocument() {
  const registry = new OpenAPIRegistry();
  registry.registerPath({
    method: 'post',
    path: '/api/cases',
    summary: '受理: open a case',
    request: {
      headers: ActorHeader.extend({ 'idempotency-key': z.string().optional() }),
      body: { content: { 'application/json': { schema: OpenCaseBody } } },
    },
    responses: { 201: json(CaseStateBody, 'case opened'), 200: json(CaseStateBody, 'repeat of an Idempotency-Key: the same case'), ...errors },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/cases',
    summary: 'list cases from the read model (overdue lists for managers)',
    request: { query: ListCasesQuery },
    responses: { 200: json(CaseListBody, 'a page of cases'), 400: errors[400] },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/cases/{id}',
    summary: "one case's live state (finished cases from the database)",
    request: { params: CaseIdParams },
    responses: { 200: json(CaseStateBody, 'the case'), 404: errors[404], 503: errors[503] },
  });
  for (const [path, body] of Object.entries(ActionBodies) as [ActionPath, z.ZodType][]) {
    registry.registerPath({
      method: 'post',
      path: `/api/cases/{id}/${path}`,
      summary: ACTION_SUMMARIES[path],
      request: { params: CaseIdParams, headers: ActorHeader, body: { content: { 'application/json': { schema: body } } } },
      responses: { 200: json(CaseStateBody, 'the case after the action'), ...errors },
    });
  }
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Steward appeals (楼长制企业诉求) API',
      version: '0.1.0',
      description: 'Enterprise appeals under the building-steward system, each case a Temporal workflow.',
    },
  });
}
