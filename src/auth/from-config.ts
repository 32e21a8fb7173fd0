/**
 * Identity from configuration: the district's OpenID provider when OIDC_ISSUER names one;
 * otherwise the embedded local provider with the demo users, started here. Either way the API
 * verifies tokens through the same code (verify.ts): discovery, JWKS, issuer, audience, expiry.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { DEMO, DEMO_PASSWORD } from '../db/seed';
import { createTokenVerifier } from './verify';
// local-idp loads oidc-provider itself only when the demo provider starts
import { loadOrCreateIdpKeys, startLocalIdp } from './local-idp';

export interface Identity {
  verifier: ReturnType<typeof createTokenVerifier>;
  issuer: string;
  /** set when the embedded demo provider runs */
  local?: { password: string };
  stop(): Promise<void>;
}

type IdentityConfig = Pick<Config, 'OIDC_ISSUER' | 'OIDC_AUDIENCE' | 'OIDC_SUBJECT_CLAIM' | 'OIDC_CLOCK_TOLERANCE_S' | 'LOCAL_IDP_PORT' | 'HOST' | 'KEY_FILE'>;

/** The embedded provider's issuer URL. */
export const localIssuer = (config: Pick<Config, 'HOST' | 'LOCAL_IDP_PORT'>) => `http://${config.HOST}:${config.LOCAL_IDP_PORT}`;

/** Where the embedded provider keeps its signing keys and the demo department systems' secrets. */
export function localIdpFiles(config: Pick<Config, 'KEY_FILE'>) {
  const dir = path.dirname(path.resolve(config.KEY_FILE));
  return { keys: path.join(dir, 'idp-keys.json'), clients: path.join(dir, 'idp-clients.json') };
}

/** Client secrets of the demo department systems, generated once (mode 0600) and kept. */
export function loadOrCreateMachineSecrets(file: string): { clientId: string; clientSecret: string }[] {
  const known: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  let changed = false;
  for (const m of DEMO.machines) {
    if (!known[m.clientId]) {
      known[m.clientId] = randomBytes(24).toString('base64url');
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(known, null, 2)}\n`, { mode: 0o600 });
  }
  return DEMO.machines.map((m) => ({ clientId: m.clientId, clientSecret: known[m.clientId]! }));
}

/** Vite's dev server (web/vite.config.ts), registered at the demo provider only. */
const VITE_DEV_ORIGINS = ['http://localhost:5173', 'http://127.0.0.1:5173'];

export async function identityFromConfig(config: IdentityConfig, opts: { consoleOrigin: string }): Promise<Identity> {
  const verifierFor = (issuer: string) =>
    createTokenVerifier({ issuer, audience: config.OIDC_AUDIENCE, subjectClaim: config.OIDC_SUBJECT_CLAIM, clockToleranceS: config.OIDC_CLOCK_TOLERANCE_S });
  if (config.OIDC_ISSUER) return { verifier: verifierFor(config.OIDC_ISSUER), issuer: config.OIDC_ISSUER, stop: async () => {} };

  const files = localIdpFiles(config);
  const idp = await startLocalIdp({
    port: config.LOCAL_IDP_PORT,
    host: config.HOST,
    audience: config.OIDC_AUDIENCE,
    users: DEMO.users.map(({ subject, name }) => ({ subject, name })),
    password: DEMO_PASSWORD,
    machines: loadOrCreateMachineSecrets(files.clients),
    jwks: loadOrCreateIdpKeys(files.keys),
    // and Vite's dev server (npm run dev:web), for working on the console against the demo provider
    redirectUris: [`${opts.consoleOrigin}/callback`, ...VITE_DEV_ORIGINS.map((o) => `${o}/callback`)],
  });
  return { verifier: verifierFor(idp.issuer), issuer: idp.issuer, local: { password: DEMO_PASSWORD }, stop: () => idp.stop() };
}
