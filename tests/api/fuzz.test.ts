/**
 * The OpenAPI document is the API's contract: every route Express serves is in it, with its
 * parameters, body and bounded numbers; and Schemathesis, against the served document on the
 * real stack (dev server, worker, SQLite, identity provider), finds no 5xx and no status,
 * content type or body outside it. Installed by scripts/setup-fuzzer.sh.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { type Stack, startStack } from '../helpers/stack';
import { openCaseBody } from '../fixtures/case-input';

const SCHEMATHESIS = path.resolve(__dirname, '../../.fuzz/bin/schemathesis');

let stack: Stack;
let base: string;
let server: Server;
let workDir: string;
let caseIds: string[];
beforeAll(async () => {
  stack = await startStack();
  server = stack.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  workDir = mkdtempSync(path.join(os.tmpdir(), 'fuzz-'));
  // real cases, so the fuzzer's actions meet the case rules instead of 404s
  const enterprise = await stack.auth('ent-qianshu');
  caseIds = [];
  // several: a fuzzed decline or withdraw finishes one for good
  for (const title of ['模糊测试一', '模糊测试二', '模糊测试三', '模糊测试四', '模糊测试五', '模糊测试六']) {
    const res = await request(stack.app).post('/api/cases').set(enterprise).send(openCaseBody({ title })).expect(201);
    caseIds.push(res.body.caseId);
  }
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await stack?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

type Layer = { route?: { path: string | string[]; methods: Record<string, boolean> }; handle: { stack?: Layer[] }; slash: boolean };

/** METHOD /path of every route the Express app serves, read from its router (not the route table). */
function servedRoutes(layers: Layer[]): string[] {
  return layers.flatMap((layer) => {
    if (layer.route) {
      const paths = ([] as string[]).concat(layer.route.path);
      const methods = Object.keys(layer.route.methods).filter((m) => m !== '_all' && m !== 'head');
      return paths.flatMap((p) => methods.map((m) => `${m.toUpperCase()} ${p.replace(/:([A-Za-z]+)/g, '{$1}')}`));
    }
    if (layer.handle.stack) {
      // routers here are mounted at the root with full paths; a prefix would need adding to the walk
      if (!layer.slash) throw new Error('a router mounted under a path prefix: teach servedRoutes its mount path');
      return servedRoutes(layer.handle.stack);
    }
    return [];
  });
}

type Schema = { $ref?: string; type?: string; maximum?: number; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[]; additionalProperties?: Schema | boolean };
type Operation = {
  parameters?: { in: string; name: string; required?: boolean; schema: Schema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, unknown>;
};
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

/** Paths (e.g. `body.policy.warnAt`) of every number in a request schema that has no maximum. */
function unboundedNumbers(doc: Document, schema: Schema, at: string, seen = new Set<string>()): string[] {
  if (schema.$ref) {
    if (seen.has(schema.$ref)) return [];
    return unboundedNumbers(doc, doc.components.schemas[schema.$ref.split('/').pop()!]!, at, new Set([...seen, schema.$ref]));
  }
  const here = (schema.type === 'number' || schema.type === 'integer') && schema.maximum === undefined ? [at] : [];
  return [
    ...here,
    ...Object.entries(schema.properties ?? {}).flatMap(([k, s]) => unboundedNumbers(doc, s, `${at}.${k}`, seen)),
    ...(schema.items ? unboundedNumbers(doc, schema.items, `${at}[]`, seen) : []),
    ...(typeof schema.additionalProperties === 'object' ? unboundedNumbers(doc, schema.additionalProperties, `${at}.*`, seen) : []),
    ...[...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])].flatMap((s) => unboundedNumbers(doc, s, at, seen)),
  ];
}

describe('the OpenAPI document', () => {
  let doc: Document;
  let operations: [string, Operation][];
  beforeAll(async () => {
    doc = (await request(stack.app).get('/api/openapi.json').expect(200)).body;
    operations = Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).map(([m, op]) => [`${m.toUpperCase()} ${p}`, op] as [string, Operation]));
  });

  it('documents every route Express serves, and nothing else', () => {
    const served = servedRoutes((stack.app as unknown as { router: { stack: Layer[] } }).router.stack);
    expect(served.length).toBeGreaterThan(40);
    expect(operations.map(([name]) => name).sort()).toEqual([...new Set(served)].sort());
  });

  it('documents each path parameter, a body wherever one is taken, and the errors every route can answer', () => {
    // writes that take no body: the path says it all
    const bodyless = new Set(['DELETE /api/admin/people/{id}/grants/{grantId}']);
    for (const [name, op] of operations) {
      const params = [...name.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect({ name, params: (op.parameters ?? []).filter((p) => p.in === 'path' && p.required).map((p) => p.name) }).toEqual({ name, params });
      const writes = !name.startsWith('GET ');
      if (writes && !bodyless.has(name)) expect({ name, body: !!op.requestBody }).toEqual({ name, body: true });
      const statuses = ['400', '404', '503', ...(writes ? ['409', '413', '415'] : [])];
      expect({ name, statuses: Object.keys(op.responses) }).toEqual({ name, statuses: expect.arrayContaining(statuses) });
    }
    const callback = doc.paths['/api/departments/{id}/callback']!.post!;
    expect(callback.requestBody).toMatchObject({ required: true, content: { 'application/json': expect.anything() } });
    expect((callback.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name).sort()).toEqual(['x-steward-signature', 'x-steward-timestamp']);
    expect(Object.keys(doc.paths['/api/admin/import/{kind}']!.post!.requestBody!.content).sort()).toEqual(['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv']);
    expect(Object.keys(doc.paths['/api/cases']!.post!.responses)).toEqual(expect.arrayContaining(['201', '202', '422']));
  });

  it('bounds every number a request may carry', () => {
    const unbounded = operations.flatMap(([name, op]) => [
      ...(op.parameters ?? []).flatMap((p) => unboundedNumbers(doc, p.schema, `${name} ${p.in}.${p.name}`)),
      ...Object.values(op.requestBody?.content ?? {}).flatMap((c) => unboundedNumbers(doc, c.schema, `${name} body`)),
    ]);
    expect(unbounded).toEqual([]);
  });

  it('types the case view', () => {
    const view = doc.paths['/api/cases/{id}']!.get!.responses['200'] as { content: Record<string, { schema: Schema }> };
    expect(view.content['application/json']!.schema).toEqual({ $ref: '#/components/schemas/CaseState' });
    expect(Object.keys(doc.components.schemas.CaseState!.properties!)).toEqual(expect.arrayContaining(['caseId', 'stage', 'version', 'history', 'tasks']));
  });
});

/**
 * Known ids for the operations that need them, so generated requests reach past 404 (the rest of
 * each request is still generated). Directory administration gets none: a fuzzed PUT to a real
 * steward post could take the fuzzing identity's own roles away mid-run.
 */
function configFile(): string {
  const list = (values: string[]) => `values = [${values.map((v) => JSON.stringify(v)).join(', ')}]`;
  const bind = (fields: Record<string, string>) =>
    `parameters = { ${Object.entries(fields)
      .map(([field, dictionary]) => `"${field}" = { dictionary = "${dictionary}", probability = 0.6 }`)
      .join(', ')} }`;
  const file = path.join(workDir, 'schemathesis.toml');
  writeFileSync(
    file,
    [
      // Schemathesis' own list, and 413: a body past the size limit is refused before it is read,
      // whatever else is wrong with it
      `[checks.negative_data_rejection]\nexpected-statuses = ${JSON.stringify(['400', '401', '403', '404', '405', '406', '409', '413', '415', '422', '428', '429', '5xx'])}`,
      `[dictionaries.cases]\n${list(caseIds)}`,
      `[dictionaries.departments]\n${list(['dept-market', 'dept-urban', 'dept-tax'])}`,
      `[dictionaries.stewards]\n${list(['stw-point-1', 'stw-point-2', 'stw-area-east', 'stw-chief'])}`,
      `[dictionaries.buildings]\n${list(['bld-tianan'])}`,
      `[dictionaries.enterprises]\n${list(['91310107MA1G0AB10G'])}`,
      `[dictionaries.categories]\n${list(['other', 'outdoor_promotion'])}`,
      `[[operations]]\ninclude-path-regex = '^/api/cases/\\{id\\}'\n${bind({ 'path.id': 'cases', 'body.departmentId': 'departments', 'body.assisting[*]': 'departments', 'body.toStewardId': 'stewards' })}`,
      `[[operations]]\ninclude-path = '/api/cases'\ninclude-method = 'POST'\n${bind({ 'body.buildingId': 'buildings', 'body.enterprise.creditCode': 'enterprises', 'body.category': 'categories' })}`,
      `[[operations]]\ninclude-path-regex = '^/api/departments/\\{id\\}/'\n${bind({ 'path.id': 'departments', 'body.caseId': 'cases' })}`,
      '',
    ].join('\n\n'),
  );
  return file;
}

function fuzz(token: string, seconds: number, extra: string[] = []): Promise<{ code: number | null; output: string }> {
  const args = [
    '--config-file', configFile(),
    'run', `${base}/api/openapi.json`,
    '--url', base,
    '--checks', 'all',
    // a schema-valid body can still name a building, steward or department that does not exist:
    // the API rightly answers 400 to that, which this check would call a failure
    '--exclude-checks', 'positive_data_acceptance',
    '--header', `Authorization: Bearer ${token}`,
    '--workers', '1',
    '--max-time', String(seconds),
    '--phases', 'examples,coverage,fuzzing',
    '--max-examples', '25',
    '--request-timeout', '15',
    '--suppress-health-check', 'all',
    '--no-color',
    '--seed', '20261123',
    ...extra,
  ];
  return new Promise((resolve) => {
    // run from a scratch directory: Schemathesis keeps its example database in the working directory
    const child = spawn(SCHEMATHESIS, args, { cwd: workDir, env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

// stw-chief is the town's 总楼长 and an administrator: past authorization on nearly every route.
// stw-point-1 owns the cases opened above, so the actions meet the case rules rather than a 403.
// manager-town reads what only managers read (a department's tasks, its town's audit).
it.each([
  ['stw-chief', 45, []],
  ['stw-point-1', 30, ['--include-path-regex', '^/api/cases']],
  ['manager-town', 15, ['--include-method', 'GET']],
])('finds nothing outside the document as %s', async (who, seconds, extra) => {
  if (!existsSync(SCHEMATHESIS)) throw new Error(`${SCHEMATHESIS} is missing: run bash scripts/setup-fuzzer.sh (npm start and .ci/run do)`);
  const { code, output } = await fuzz(await stack.token(who as string), seconds as number, extra as string[]);
  const failed = /FAILURES|Server error|Undocumented/.test(output) || code !== 0;
  // the summary goes into the test log (operations, cases generated, warnings); a failure in full
  const lines = output.split('\n').filter((l) => l.trim());
  console.log(failed ? output : lines.slice(lines.findIndex((l) => l.includes('SUMMARY'))).join('\n'));
  expect(output).not.toMatch(/FAILURES|Server error|Undocumented/);
  expect(code).toBe(0);
}, 120_000);
