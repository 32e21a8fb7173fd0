/**
 * The authorization matrix: every route of the app × every kind of caller, with the status the
 * caller must get. The routes come from the app's own route table (and a walk of Express's
 * router, so a route registered around the table is caught too); a route without a row here
 * fails the test, so nothing new ships unreviewed.
 *
 * "ok" means the caller got past authentication, the role check and the scope check: any answer
 * but 401/403/404 and 5xx (the business rules may still say 409 or 400, which is their job).
 */
import request from 'supertest';
import { type Stack, startStack } from '../helpers/stack';
import { eventually } from '../helpers/eventually';

const CALLERS = {
  none: null,
  expired: 'expired',
  garbage: 'garbage',
  enterprise: 'ent-qianshu',
  otherEnterprise: 'ent-changfeng',
  point: 'stw-point-1',
  otherPoint: 'stw-point-2', // same area, another building
  area: 'stw-area-east',
  chief: 'chief-only',
  staff: 'staff-market',
  otherStaff: 'staff-tax',
  system: 'dept-market-system',
  manager: 'manager-town',
  inspector: 'inspector',
  admin: 'admin',
  otherTownPoint: 'other-town-point',
  otherTownManager: 'other-town-manager',
  unregistered: 'nobody',
} as const;
type Caller = keyof typeof CALLERS;
const ALL = Object.keys(CALLERS) as Caller[];
const SIGNED_IN = ALL.filter((c) => !['none', 'expired', 'garbage', 'unregistered'].includes(c));

/** One row: who gets through (ok), who is told it does not exist (404); everyone else: 401 or 403. */
interface Row {
  ok: readonly Caller[] | 'everyone';
  notFound?: readonly Caller[];
  /** every caller gets exactly this (a signed callback needs a signature, not a token) */
  all?: number;
  params?: Record<string, string>;
  body?: object;
}

const CASE_SEERS: Caller[] = ['enterprise', 'point', 'area', 'chief', 'staff', 'system', 'manager', 'inspector'];
const CASE_STRANGERS: Caller[] = ['otherEnterprise', 'otherPoint', 'otherStaff', 'otherTownPoint', 'otherTownManager'];
const STEWARD_ACTION: Row = { ok: ['point', 'area', 'chief'], notFound: ['otherPoint', 'otherTownPoint'] };
const DEPARTMENT_ACTION: Row = { ok: ['staff', 'system'], notFound: ['otherStaff'] };
const READERS: Caller[] = [...CASE_SEERS, ...CASE_STRANGERS];
const FIGURE_READERS: Caller[] = ['point', 'otherPoint', 'area', 'chief', 'manager', 'inspector', 'otherTownPoint', 'otherTownManager'];

const MATRIX: Record<string, Row> = {
  'GET /api/health': { ok: 'everyone' },
  'GET /api/openapi.json': { ok: 'everyone' },
  'GET /api/console-config': { ok: 'everyone' },
  'GET /api/me': { ok: SIGNED_IN },
  'GET /api/directory': { ok: SIGNED_IN },
  'GET /api/catalogue': { ok: SIGNED_IN },
  'GET /api/catalogue/:code': { ok: SIGNED_IN, params: { code: 'other' } },
  'PUT /api/catalogue/:code': { ok: ['admin'], params: { code: 'matrix_item' }, body: { name: '矩阵测试事项' } },
  'POST /api/cases': {
    ok: ['enterprise', 'point', 'area', 'chief'],
    body: {
      buildingId: 'bld-tianan',
      enterprise: { creditCode: '91310107MA1G0AB10G' },
      category: 'other',
      title: '矩阵测试',
      description: '授权矩阵测试用例',
      contact: { name: '周经理', phone: '13900000001' },
    },
  },
  'GET /api/cases': { ok: READERS },
  'GET /api/cases/:id': { ok: CASE_SEERS, notFound: CASE_STRANGERS },
  'POST /api/cases/:id/acknowledge': STEWARD_ACTION,
  'POST /api/cases/:id/decline': { ...STEWARD_ACTION, body: { reason: '矩阵' } },
  'POST /api/cases/:id/propose': { ...STEWARD_ACTION, body: { text: '矩阵' } },
  'POST /api/cases/:id/approve': STEWARD_ACTION,
  'POST /api/cases/:id/reject': { ...STEWARD_ACTION, body: { reason: '矩阵' } },
  'POST /api/cases/:id/reassign': { ...STEWARD_ACTION, body: { toStewardId: 'stw-point-2' } },
  'POST /api/cases/:id/dispatch': { ...STEWARD_ACTION, body: { departmentId: 'dept-tax' } },
  'POST /api/cases/:id/department-accept': DEPARTMENT_ACTION,
  'POST /api/cases/:id/department-reply': { ...DEPARTMENT_ACTION, body: { text: '矩阵' } },
  'POST /api/cases/:id/department-return': { ...DEPARTMENT_ACTION, body: { reason: '矩阵' } },
  // the enterprise passes the door; the category's policy decides (enterpriseFeedback)
  'POST /api/cases/:id/follow-up': { ok: ['enterprise', 'point', 'area', 'chief'], notFound: ['otherEnterprise', 'otherPoint', 'otherTownPoint'], body: { satisfaction: 'satisfied' } },
  'POST /api/cases/:id/withdraw': { ok: ['enterprise'], notFound: ['otherEnterprise'] },
  'POST /api/cases/:id/pause': { ...STEWARD_ACTION, body: { reason: '矩阵' } },
  'POST /api/cases/:id/supply-info': { ok: ['enterprise', 'point', 'area', 'chief'], notFound: ['otherEnterprise', 'otherPoint', 'otherTownPoint'] },
  'POST /api/cases/:id/request-extension': { ...STEWARD_ACTION, body: { reason: '矩阵', newDueAt: '2030-01-01T17:30:00+08:00' } },
  'POST /api/cases/:id/decide-extension': { ...STEWARD_ACTION, body: { approve: false, reason: '矩阵' } },
  'GET /api/departments/:id/tasks': { ok: ['staff', 'system', 'manager', 'inspector'], notFound: ['otherStaff', 'otherTownManager'], params: { id: 'dept-market' } },
  'POST /api/departments/:id/callback': { ok: [], all: 401, params: { id: 'dept-market' }, body: { caseId: 'x', action: 'accept' } },
  'GET /api/audit': { ok: ['admin', 'manager', 'inspector', 'otherTownManager'] },
  // the figures and the files made of them: stewards and managers, each within their own scope (an empty file, not a 404)
  'GET /api/stats': { ok: FIGURE_READERS },
  'GET /api/stats/series': { ok: FIGURE_READERS },
  'GET /api/stats/overdue': { ok: FIGURE_READERS },
  'GET /api/stats/workload': { ok: FIGURE_READERS },
  'GET /api/stats/departments': { ok: FIGURE_READERS },
  'GET /api/cases/export': { ok: FIGURE_READERS },
  'GET /api/stats/report': { ok: FIGURE_READERS },
  'GET /api/admin/incidents': { ok: ['admin'] },
  'POST /api/admin/incidents/:id/resolve': { ok: ['admin'], params: { id: 'set in beforeAll' } },
  'POST /api/codec/decode': { ok: ['admin'], body: { payloads: [] } },
  'POST /api/codec/encode': { ok: ['admin'], body: { payloads: [] } },
  // directory administration: empty bodies, so an administrator meets validation (400), never a change
  'GET /api/admin/directory': { ok: ['admin'] },
  'PUT /api/admin/towns/:id': { ok: ['admin'], params: { id: 'town-matrix' } },
  'PUT /api/admin/areas/:id': { ok: ['admin'], params: { id: 'area-matrix' } },
  'PUT /api/admin/buildings/:id': { ok: ['admin'], params: { id: 'bld-matrix' } },
  'PUT /api/admin/stewards/:id': { ok: ['admin'], params: { id: 'stw-matrix' } },
  'PUT /api/admin/departments/:id': { ok: ['admin'], params: { id: 'dept-matrix' } },
  'PUT /api/admin/enterprises/:creditCode': { ok: ['admin'], params: { creditCode: '91310107MA1G0AB10G' } },
  'PUT /api/admin/people/:id': { ok: ['admin'], params: { id: 'psn-matrix' } },
  'GET /api/admin/people': { ok: ['admin'] },
  'POST /api/admin/people/:id/grants': { ok: ['admin'], params: { id: 'psn-matrix-grant' } },
  'DELETE /api/admin/people/:id/grants/:grantId': { ok: ['admin'], params: { id: 'psn-matrix-grant' } },
  'PUT /api/admin/stewards/:id/holder': { ok: ['admin'], params: { id: 'stw-point-4' } },
  'GET /api/admin/stewards/:id/holders': { ok: ['admin'], params: { id: 'stw-point-1' } },
  'POST /api/admin/import/:kind': { ok: ['admin'], params: { kind: 'towns' } },
};

let stack: Stack;
let caseId: string;
const tokens: Partial<Record<Caller, string>> = {};

beforeAll(async () => {
  stack = await startStack();
  const db = stack.db;
  // a second town, so "another town" is a real place with its own stewards
  await db.town.create({ data: { id: 'town-other', name: '别的街道', chiefStewardId: 'stw-o-chief' } });
  await db.area.create({ data: { id: 'area-other', name: '别的园区', townId: 'town-other', areaStewardId: 'stw-o-area' } });
  await db.steward.createMany({
    data: [
      { id: 'stw-o-chief', name: '别处总楼长', level: 3, townId: 'town-other' },
      { id: 'stw-o-area', name: '别处分楼长', level: 2, townId: 'town-other', areaId: 'area-other' },
      { id: 'stw-o-point', name: '别处点楼长', level: 1, townId: 'town-other', areaId: 'area-other' },
    ],
  });
  await db.building.create({ data: { id: 'bld-other', name: '别处大厦', address: '别处路1号', areaId: 'area-other', pointStewardId: 'stw-o-point' } });
  const person = (subject: string, role: string, scopeId: string | null) =>
    db.person.create({ data: { id: `psn-${subject}`, subject, name: subject, grants: { create: { role, scopeId, grantedBy: 'test' } } } });
  await person('chief-only', 'steward', 'stw-chief');
  await person('other-town-point', 'steward', 'stw-o-point');
  await person('other-town-manager', 'manager', 'town-other');
  // a grant the administrator's row of the matrix revokes
  const grant = await db.roleGrant.create({
    data: { role: 'manager', scopeId: 'town-other', grantedBy: 'test', person: { create: { id: 'psn-matrix-grant', subject: 'matrix-grant', name: 'matrix' } } },
  });
  MATRIX['DELETE /api/admin/people/:id/grants/:grantId']!.params!.grantId = String(grant.id);
  const incident = await db.incident.create({ data: { kind: 'rule_failed', message: 'matrix' } });
  MATRIX['POST /api/admin/incidents/:id/resolve']!.params!.id = String(incident.id);

  for (const [caller, subject] of Object.entries(CALLERS) as [Caller, string | null][]) {
    if (subject && !['expired', 'garbage'].includes(subject)) tokens[caller] = await stack.token(subject);
  }
  const short = await stack.idp.tokenRequest({ grant_type: 'password', client_id: 'steward-cli', username: 'stw-point-1', password: 'demo', expires_in: '1' });
  tokens.expired = ((await short.json()) as { access_token: string }).access_token;
  tokens.garbage = 'not.a.token';

  // the case every row acts on: dispatched to dept-market, then withdrawn, so allowed callers meet
  // the business rules (409) rather than change anything
  const auth = (c: Caller) => ({ Authorization: `Bearer ${tokens[c]}` });
  const opened = await request(stack.app).post('/api/cases').set(auth('enterprise')).send({ ...MATRIX['POST /api/cases']!.body, title: '矩阵用例' });
  caseId = opened.body.caseId;
  await request(stack.app).post(`/api/cases/${caseId}/acknowledge`).set(auth('point')).send({}).expect(200);
  await request(stack.app).post(`/api/cases/${caseId}/dispatch`).set(auth('point')).send({ departmentId: 'dept-market' }).expect(200);
  await request(stack.app).post(`/api/cases/${caseId}/withdraw`).set(auth('enterprise')).send({ reason: '矩阵' }).expect(200);
  await eventually(async () => expect(await db.case.findUniqueOrThrow({ where: { id: caseId } })).toMatchObject({ stage: 'withdrawn' }));
  await new Promise((r) => setTimeout(r, 1500)); // the expired token is now past its 1 s
});

afterAll(async () => {
  await stack?.stop();
});

/** Every route Express will answer, found by walking its router, as "METHOD path". */
function expressRoutes(app: unknown): string[] {
  const out: string[] = [];
  const walk = (stackOf: { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: unknown[] } }[]) => {
    for (const layer of stackOf) {
      if (layer.route) for (const m of Object.keys(layer.route.methods)) out.push(`${m.toUpperCase()} ${layer.route.path}`);
      else if (layer.handle?.stack) walk(layer.handle.stack as never);
    }
  };
  walk((app as { router: { stack: never[] } }).router.stack);
  return out;
}

it('has a row for every route, and every route is declared in the route table', () => {
  const table = stack.app.locals.routes.map((r) => `${r.method} ${r.path}`);
  expect(new Set(expressRoutes(stack.app))).toEqual(new Set(table));
  expect(Object.keys(MATRIX).sort()).toEqual([...table].sort());
});

function expected(row: Row, caller: Caller): number | 'ok' {
  if (row.all) return row.all;
  if (row.ok === 'everyone') return 'ok';
  if (caller === 'none' || caller === 'expired' || caller === 'garbage') return 401;
  if (row.ok.includes(caller)) return 'ok';
  if (row.notFound?.includes(caller)) return 404;
  return 403;
}

it('answers every route × caller as the matrix says', async () => {
  const failures: string[] = [];
  let cells = 0;
  for (const entry of stack.app.locals.routes) {
    const key = `${entry.method} ${entry.path}`;
    const row = MATRIX[key]!;
    const params: Record<string, string> = { id: caseId, ...row.params };
    const url = entry.path.replace(/:([A-Za-z]+)/g, (_m, name: string) => params[name] ?? `unknown-${name}`);
    for (const caller of ALL) {
      cells++;
      let req = request(stack.app)[entry.method.toLowerCase() as 'get'](url);
      if (tokens[caller]) req = req.set('Authorization', `Bearer ${tokens[caller]}`);
      const res = await (entry.method === 'GET' ? req : req.send(row.body ?? {}));
      const want = expected(row, caller);
      const got = res.status;
      const fine = want === 'ok' ? ![401, 403, 404].includes(got) && got < 500 : got === want;
      if (!fine) failures.push(`${key} as ${caller}: expected ${want}, got ${got} ${JSON.stringify(res.body?.error?.message ?? '')}`);
      if (got === 401 && !res.headers['www-authenticate']?.startsWith('Bearer') && !row.all) failures.push(`${key} as ${caller}: 401 without WWW-Authenticate`);
    }
  }
  expect(failures).toEqual([]);
  expect(cells).toBe(stack.app.locals.routes.length * ALL.length);
});
