/**
 * Schemathesis against the served OpenAPI document, on the real stack (dev server, worker,
 * SQLite, identity provider), for a bounded time: no 5xx, no status, content type or body
 * outside the document. Run as an administrator and as a 总楼长 so most routes get past
 * authorization and meet validation and the case rules. Installed by scripts/setup-fuzzer.sh.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Stack, startStack } from '../helpers/stack';

const SCHEMATHESIS = path.resolve(__dirname, '../../.fuzz/bin/schemathesis');
const SECONDS_PER_RUN = 45;

let stack: Stack;
let base: string;
let server: import('node:http').Server;
beforeAll(async () => {
  if (!existsSync(SCHEMATHESIS)) throw new Error(`${SCHEMATHESIS} is missing: run bash scripts/setup-fuzzer.sh (npm start and .ci/run do)`);
  stack = await startStack();
  server = stack.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await stack?.stop();
});

function fuzz(token: string): Promise<{ code: number | null; output: string }> {
  const args = [
    'run', `${base}/api/openapi.json`,
    '--url', base,
    '--checks', 'all',
    // a schema-valid body can still name a building, steward or department that does not exist:
    // the API rightly answers 400 to that, which this check would call a failure
    '--exclude-checks', 'positive_data_acceptance',
    '--header', `Authorization: Bearer ${token}`,
    '--workers', '1',
    '--max-time', String(SECONDS_PER_RUN),
    '--phases', 'examples,coverage,fuzzing',
    '--max-examples', '25',
    '--suppress-health-check', 'all',
    '--no-color',
    '--seed', '20261123',
  ];
  return new Promise((resolve) => {
    const child = spawn(SCHEMATHESIS, args, { env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

it.each([['admin'], ['stw-chief']])('finds nothing outside the document as %s', async (who) => {
  const { code, output } = await fuzz(await stack.token(who));
  // the summary goes into the test log: how many operations and cases, and any failure in full
  console.log(output.split('\n').filter((l) => l.trim()).slice(-40).join('\n'));
  expect(output).not.toMatch(/FAILURES|Server error|Undocumented/);
  expect(code).toBe(0);
}, 180_000);
