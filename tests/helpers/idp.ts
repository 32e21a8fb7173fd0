/**
 * A real OpenID provider for tests: src/auth/local-idp-main.ts (oidc-provider) in a child process,
 * because Jest cannot load oidc-provider (ESM only). Start one per test file in beforeAll (~1 s)
 * and stop it in afterAll; tokens come from its token endpoint, never signed by the test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { JsonWebKey } from 'node:crypto';
import type { LocalIdpOptions } from '../../src/auth/local-idp';
import { DEMO, DEMO_PASSWORD } from '../../src/db/seed';
import { freePort } from './ports';

export interface SpawnIdpOptions extends Partial<Omit<LocalIdpOptions, 'port' | 'jwks'>> {
  /** default: a free port (retried if another process takes it first) */
  port?: number;
  /** private signing JWKs; default one fresh RS256 key per process */
  jwks?: { keys: JsonWebKey[] };
  /** default 30 000 ms */
  startupTimeoutMs?: number;
}

export interface Idp {
  issuer: string;
  port: number;
  /** the options the process runs with (defaults filled in), e.g. to restart it on the same port */
  options: LocalIdpOptions;
  /** a user's access token (password grant of `steward-cli`); password defaults to the provider's */
  userToken(subject: string, password?: string): Promise<string>;
  /** a client-credentials access token; `resource` is an RFC 8707 resource indicator */
  machineToken(clientId: string, secret: string, resource?: string): Promise<string>;
  /** the raw token endpoint answer, for tests that look at refusals */
  tokenRequest(form: Record<string, string>, basicAuth?: { user: string; password: string }): Promise<Response>;
  /** SIGTERM, SIGKILL after 5 s; idempotent */
  stop(): Promise<void>;
}

/** The provider refused a token request (wrong password, unknown client, …). */
export class TokenRequestError extends Error {
  override name = 'TokenRequestError';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`token request refused: ${status} ${error}${description ? ` (${description})` : ''}`);
  }
}

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'src/auth/local-idp-main.ts');
const SETPRIV = process.platform === 'linux' && existsSync('/usr/bin/setpriv') ? '/usr/bin/setpriv' : undefined;

// a test run that dies without afterAll leaves no provider behind
const live = new Set<ChildProcess>();
let exitHook = false;
function track(child: ChildProcess) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
}

export async function spawnIdp(opts: SpawnIdpOptions = {}): Promise<Idp> {
  const attempts = opts.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnOnce(opts);
    } catch (err) {
      if (attempt < attempts && /EADDRINUSE/.test(String(err))) continue;
      throw err;
    }
  }
}

async function spawnOnce(opts: SpawnIdpOptions): Promise<Idp> {
  const { startupTimeoutMs = 30_000, ...rest } = opts;
  const options: LocalIdpOptions = {
    audience: 'steward-api',
    users: DEMO.users.map(({ subject, name }) => ({ subject, name })),
    password: DEMO_PASSWORD,
    machines: [],
    ...rest,
    port: opts.port ?? (await freePort()),
  };
  const args = ['--import', 'tsx', MAIN];
  const [cmd, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(cmd, argv, { cwd: ROOT, env: { ...process.env, LOCAL_IDP_OPTIONS: JSON.stringify(options) }, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);

  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const issuer = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      // let the last stderr chunk arrive before reporting it
      setTimeout(() => reject(new Error(`local identity provider ${why}\n--- its stderr ---\n${stderr.trim()}`)), 50);
    };
    const timer = setTimeout(() => fail(`not ready after ${startupTimeoutMs} ms`), startupTimeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const ready = /^LOCAL_IDP_READY (\S+)$/m.exec(stdout);
      if (ready && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    });
    child.once('error', (err) => fail(`could not be spawned: ${err.message}`));
    child.once('exit', (code, signal) => fail(`exited before it was ready (${signal ?? `code ${code}`})`));
  });
  child.stdout!.resume();

  let tokenEndpoint: Promise<string> | undefined;
  const discoverTokenEndpoint = () =>
    (tokenEndpoint ??= fetch(`${issuer}/.well-known/openid-configuration`)
      .then((r) => r.json() as Promise<{ token_endpoint: string }>)
      .then((d) => d.token_endpoint));

  async function tokenRequest(form: Record<string, string>, basicAuth?: { user: string; password: string }): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    // RFC 6749 §2.3.1: the client id and secret are form-urlencoded before Basic encoding
    if (basicAuth) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(basicAuth.user)}:${encodeURIComponent(basicAuth.password)}`).toString('base64')}`;
    return fetch(await discoverTokenEndpoint(), { method: 'POST', headers, body: new URLSearchParams(form) });
  }

  async function accessToken(res: Response): Promise<string> {
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string };
    if (!res.ok || !body.access_token) throw new TokenRequestError(res.status, body.error ?? 'unknown', body.error_description ?? '');
    return body.access_token;
  }

  let stopped: Promise<void> | undefined;
  return {
    issuer,
    port: options.port,
    options,
    tokenRequest,
    userToken: async (subject, password = options.password) =>
      accessToken(await tokenRequest({ grant_type: 'password', client_id: 'steward-cli', username: subject, password })),
    machineToken: async (clientId, secret, resource) =>
      accessToken(await tokenRequest({ grant_type: 'client_credentials', ...(resource ? { resource } : {}) }, { user: clientId, password: secret })),
    stop() {
      stopped ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      })();
      return stopped;
    },
  };
}
