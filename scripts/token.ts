/**
 * Prints a bearer access token from the identity provider, for curl and scripts:
 *
 *   TOKEN=$(npm run -s token -- stw-point-1)                       a demo user (password grant)
 *   TOKEN=$(npm run -s token -- --client dept-market-system)       a department system (client credentials)
 *
 * Only the token goes to stdout; errors go to stderr.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/config';
import { localIdpFiles, localIssuer } from '../src/auth/from-config';
import { DEMO, DEMO_PASSWORD } from '../src/db/seed';

const USAGE = `usage:
  npm run -s token -- <subject> [--password P] [--issuer URL]
      a demo user's access token (password grant of the client steward-cli), e.g. stw-point-1
  npm run -s token -- --client <client-id> [--secret S] [--issuer URL]
      a department system's access token (client credentials); the secret defaults to the one the
      embedded provider generated (data/idp-clients.json)
The issuer defaults to the embedded provider of npm start, http://HOST:LOCAL_IDP_PORT.`;

class Failure extends Error {}

async function main(): Promise<string> {
  const { values, positionals } = parseCli();
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const subject = positionals[0];
  if ((subject ? 1 : 0) + (values.client ? 1 : 0) !== 1 || positionals.length > 1) throw new Failure(`name either one user or one --client\n${USAGE}`);

  const config = loadConfig();
  const local = !values.issuer;
  const issuer = (values.issuer ?? localIssuer(config)).replace(/\/$/, '');

  let discovery: { token_endpoint?: string; grant_types_supported?: string[] };
  try {
    const res = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    discovery = (await res.json()) as typeof discovery;
  } catch (err) {
    const why = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    throw new Failure(
      local
        ? `the local identity provider is not running at ${issuer} (${why}): start the service with npm start (or pass --issuer URL)`
        : `no OpenID provider answers at ${issuer} (${why})`,
    );
  }
  if (!discovery.token_endpoint) throw new Failure(`${issuer} publishes no token endpoint`);

  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  let form: Record<string, string>;
  if (subject) {
    if (local && !DEMO.users.some((u) => u.subject === subject)) {
      throw new Failure(`unknown demo user ${subject}; the demo users are:\n${DEMO.users.map((u) => `  ${u.subject.padEnd(16)} ${u.name}`).join('\n')}`);
    }
    form = { grant_type: 'password', client_id: 'steward-cli', username: subject, password: values.password ?? DEMO_PASSWORD };
  } else {
    const clientId = values.client!;
    const secret = values.secret ?? (local ? generatedSecret(config, clientId) : undefined);
    if (!secret) throw new Failure(`pass the client secret of ${clientId} with --secret`);
    // RFC 6749 §2.3.1: form-urlencoded, then Basic
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
    form = { grant_type: 'client_credentials' };
  }

  const res = await fetch(discovery.token_endpoint, { method: 'POST', headers, body: new URLSearchParams(form), signal: AbortSignal.timeout(10_000) });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string };
  if (!res.ok || !body.access_token) {
    const said = `${body.error ?? `HTTP ${res.status}`}${body.error_description ? `: ${body.error_description}` : ''}`;
    if (subject && body.error === 'invalid_grant') throw new Failure(`the provider refused ${subject} (unknown user or wrong password; ${said})`);
    if (subject && body.error === 'unsupported_grant_type') throw new Failure(`${issuer} does not offer the password grant (only the embedded demo provider does): ${said}`);
    if (!subject && body.error === 'invalid_client') throw new Failure(`the provider refused the client ${values.client} (unknown client or wrong secret; ${said})`);
    throw new Failure(`the provider refused the token request (${said})`);
  }
  return body.access_token;
}

function parseCli() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        client: { type: 'string' },
        secret: { type: 'string' },
        password: { type: 'string' },
        issuer: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new Failure(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  }
}

/** The secret the embedded provider generated for a demo department system, if any. */
function generatedSecret(config: ReturnType<typeof loadConfig>, clientId: string): string | undefined {
  const file = localIdpFiles(config).clients;
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)[clientId];
}

main().then(
  (token) => process.stdout.write(`${token}\n`),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Failure || err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
