/**
 * The OpenAPI document, generated from the route table: every route with the zod schemas it
 * validates with, its security (bearer token unless public) and the errors it can answer.
 */
import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { RouteEntry } from '../auth/access';
import { ROLE_NAMES } from '../auth/principal';
import { type ActionPath, CaseListBody, CaseStateBody, ErrorBody } from './schemas';
import { bodyTypesOf, type RouteSchemas } from './validate';

const ACTION_SUMMARIES: Record<ActionPath, string> = {
  acknowledge: '签收: the owner (or a steward above) acknowledges the case',
  decline: '不予受理: the owner declines the case (out of scope, duplicate); it ends as rejected',
  propose: 'propose a resolution; it then awaits approval',
  approve: 'approve the pending proposal (owner or above); the enterprise is answered',
  reject: 'reject the pending proposal with a reason; back to in_progress',
  reassign: 'hand the case to another active steward of the same level in the same town',
  dispatch: 'dispatch the case to a lead department (主办) and any assisting ones (协办), each with its own deadline',
  'department-accept': 'the department accepts its task (签收)',
  'department-reply': "a department's reply with attachment metadata; the lead's becomes the proposal",
  'department-return': '退单: the department returns its task with a reason; the owner redispatches',
  'follow-up': "回访: record the enterprise's satisfaction; 不满意 reopens one level up",
  withdraw: 'the enterprise withdraws its open case',
  pause: 'the owner marks the case as awaiting the enterprise: the resolution clock stops',
  'supply-info': 'the enterprise (or the owner) supplies the information: the clock resumes, deadlines move by the paused working time',
  'request-extension': '延期: the owner asks for a later resolution deadline, before the current one passes; capped in total',
  'decide-extension': 'a steward above the requester approves or refuses the pending extension',
};

const SUMMARIES: Record<string, string> = {
  'GET /api/health': 'liveness: the API and its database answer',
  'GET /api/openapi.json': 'this document',
  'GET /api/me': 'who the token belongs to: roles and scope',
  'GET /api/directory': 'the directory as the caller may see it (contact details by role; never a secret)',
  'POST /api/cases': '受理: open a case (Idempotency-Key: the same key from the same person returns the same case)',
  'GET /api/cases': "list the caller's cases from the read model (overdue / at-risk lists for managers); rows carry no contact data",
  'GET /api/cases/{id}': "one case's live state (finished cases from the database); outside the caller's scope: 404",
  'GET /api/catalogue': 'the service catalogue (服务清单), latest version of each item',
  'GET /api/catalogue/{code}': 'one catalogue item with all its versions',
  'PUT /api/catalogue/{code}': 'change or add a catalogue item (a new version; running cases keep theirs)',
  'GET /api/departments/{id}/tasks': "a department's task list (its own staff and system; managers of its town)",
  'POST /api/departments/{id}/callback': "a webhook department's system answers a task, signed with HMAC-SHA256 (no bearer token)",
  'GET /api/audit': 'the audit log, newest first (administrators; managers for their town)',
};

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });

/** Writes that may create what they name: 201 then, 200 for a change. */
const creates = (r: RouteEntry) => (r.method === 'PUT' && !r.path.endsWith('/holder')) || (r.method === 'POST' && r.path.endsWith('/grants'));

function responsesOf(r: RouteEntry) {
  const isCase = r.path.startsWith('/api/cases');
  const intake = r.method === 'POST' && r.path === '/api/cases';
  const action = r.method === 'POST' && /^\/api\/cases\/:id\/.+/.test(r.path);
  const callback = r.path.endsWith('/callback');
  const codec = r.path.startsWith('/api/codec/');
  const ok = r.produces
    ? { description: 'a file (Content-Disposition: attachment)', content: Object.fromEntries(r.produces.map((type) => [type, { schema: { type: 'string' as const, format: 'binary' } }])) }
    : r.method === 'GET' && r.path === '/api/cases'
      ? json(CaseListBody, 'a page of cases')
      : isCase
        ? json(CaseStateBody, intake ? 'the same case again, for a repeated Idempotency-Key' : action ? 'the case as the action left it, with its version' : 'the case')
        : { description: 'OK' };
  const writes = r.method !== 'GET';
  const limit = r.path.startsWith('/api/admin/import/') ? '5 MB' : codec ? '4 MB' : '64 kB';
  return {
    200: ok,
    ...(intake ? { 201: json(CaseStateBody, 'case opened (Location: /api/cases/{id})') } : creates(r) ? { 201: { description: 'created' } } : {}),
    ...(intake || action || callback
      ? { 202: json(CaseStateBody.partial(), 'accepted, but its answer was lost: the case exists (its id is given); read it or retry with the same Idempotency-Key') }
      : {}),
    // any request can carry a broken percent-encoding, even where nothing else is validated
    400: json(ErrorBody, 'invalid input, with field-level issues (body, query, path or headers); malformed JSON; a broken percent-encoding; a body that is not the gzip it claims'),
    ...(r.access === 'public'
      ? callback
        ? { 401: json(ErrorBody, 'missing, stale, future-dated or wrong signature') }
        : {}
      : {
          401: json(ErrorBody, 'no valid bearer token (missing, malformed, expired, wrong issuer or audience); see WWW-Authenticate'),
          403: json(ErrorBody, 'the caller may not do this (role, or the case rules)'),
        }),
    404: json(ErrorBody, "not found, or outside the caller's scope"),
    ...(writes ? { 409: json(ErrorBody, 'refused: the action does not fit the current state (or a callback was replayed)') } : {}),
    ...(writes ? { 413: json(ErrorBody, `body larger than ${limit}`), 415: json(ErrorBody, 'a body in a media type, charset or Content-Encoding this endpoint does not take') } : {}),
    ...(intake || action || callback
      ? { 422: json(ErrorBody, 'idempotency_key_reused (a key sent with another request), category_unusable (the case rules cannot open this category) or action_failed (a rule failed; recorded on the case)') }
      : codec
        ? { 422: json(ErrorBody, 'undecodable: payloads sealed with a key this server does not hold, or altered') }
        : {}),
    ...(writes && r.rateLimited !== false ? { 429: json(ErrorBody, 'too many changes from this identity') } : {}),
    503: json(ErrorBody, writes ? 'Temporal, a worker or the database did not answer: a change may or may not have been applied (retry with the same Idempotency-Key)' : 'Temporal, a worker or the database is unreachable'),
  };
}

/** The request body as documented: validated by route(), or read by the handler itself. */
function bodyOf(s: RouteSchemas | undefined) {
  const schema = s?.body ?? s?.documented?.body;
  if (!schema) return {};
  // an action whose fields are all optional may be sent without a body
  const required = s?.documented?.bodyRequired ?? !schema.safeParse({}).success;
  return { body: { required, content: Object.fromEntries(bodyTypesOf(s).map((type) => [type, { schema }])) } };
}

export function openApiDocument(routes: readonly RouteEntry[]) {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: "an OpenID Connect access token from the district's identity provider (on npm start: npm run token -- <user>)",
  });
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const action = /^\/api\/cases\/\{id\}\/(.+)$/.exec(path)?.[1] as ActionPath | undefined;
    const who = r.access === 'public' ? 'public' : r.access === 'authenticated' ? 'anyone signed in' : r.access.map((a) => `${a} (${ROLE_NAMES[a]})`).join(', ');
    const s = r.schemas;
    registry.registerPath({
      method: r.method.toLowerCase() as 'get',
      path,
      summary: r.summary ?? SUMMARIES[`${r.method} ${path}`] ?? (action ? ACTION_SUMMARIES[action] : `${r.method} ${path}`),
      description: `Who: ${who}.${r.audit ? ` Audited as \`${r.audit}\`.` : ''}`,
      ...(r.access === 'public' ? { security: [] } : { security: [{ [bearer.name]: [] }] }),
      request: {
        ...(s?.params ? { params: s.params as never } : {}),
        ...(s?.query ? { query: s.query as never } : {}),
        ...(s?.headers || s?.documented?.headers ? { headers: (s.headers ?? s.documented!.headers) as never } : {}),
        ...bodyOf(s),
      },
      responses: responsesOf(r),
    });
  }
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Steward appeals (楼长制企业诉求) API',
      version: '0.2.0',
      description:
        'Enterprise appeals under the building-steward system, each case a Temporal workflow. Every operation but health, this document, the console settings and the signed department callback needs `Authorization: Bearer <access token>`.',
    },
    security: [{ bearer: [] }],
  });
}
