/**
 * Token verification against real OpenID providers (oidc-provider in child processes): every token
 * here comes from a provider's token endpoint, except the few forgeries a provider would never issue.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTokenVerifier, TokenError, type TokenErrorReason } from '../../src/auth/verify';
import { generateSigningKey, loadOrCreateIdpKeys } from '../../src/auth/local-idp';
import { type Idp, spawnIdp, TokenRequestError } from '../helpers/idp';
import { freePort } from '../helpers/ports';

const AUDIENCE = 'steward-api';
const MACHINE = { clientId: 'dept-market-system', clientSecret: 'test-secret-market' };
const keysA = { keys: [generateSigningKey()] };

/** The reason a verification was refused with (fails the test if it was accepted). */
async function refusal(promise: Promise<unknown>): Promise<TokenErrorReason> {
  const err = await promise.then(
    () => {
      throw new Error('the token was accepted');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TokenError);
  return (err as TokenError).reason;
}

// jose is ESM only; Jest's transform turns this import() into a require
let jose: typeof import('jose', { with: { 'resolution-mode': 'import' } });

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

let a: Idp;
let b: Idp;
const started: Idp[] = [];

beforeAll(async () => {
  jose = await import('jose');
  // b: a second provider instance on another port, same signing key, 1-second tokens
  [a, b] = await Promise.all([
    spawnIdp({ audience: AUDIENCE, machines: [MACHINE], jwks: keysA }),
    spawnIdp({ audience: AUDIENCE, machines: [MACHINE], jwks: keysA, accessTokenTtlS: 1 }),
  ]);
  started.push(a, b);
});

afterAll(async () => {
  await Promise.all(started.map((p) => p.stop()));
});

describe('a user token from the provider', () => {
  test('verifies after discovery: subject, name, expiry, not a machine', async () => {
    const discovery = (await (await fetch(`${a.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery.issuer).toBe(a.issuer);
    expect(discovery.grant_types_supported).toEqual(expect.arrayContaining(['client_credentials', 'password', 'authorization_code']));

    const verifier = createTokenVerifier({ issuer: a.issuer, audience: AUDIENCE, jwksCooldownMs: 0 });
    const token = await a.userToken('stw-point-1');
    const verified = await verifier.verify(token);
    expect(verified).toMatchObject({ subject: 'stw-point-1', clientId: 'steward-cli', machine: false });
    expect(verified.claims).toMatchObject({ iss: a.issuer, aud: AUDIENCE, sub: 'stw-point-1', name: '陈静', client_id: 'steward-cli', scope: 'api' });
    expect(verified.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    expect(verified.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 3600_000);
  });

  test('a wrong password or an unknown user is refused by the provider (same answer)', async () => {
    for (const [subject, password] of [['stw-point-1', 'wrong'], ['no-such-user', 'demo']] as const) {
      const err = await a.userToken(subject, password).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TokenRequestError);
      expect(err).toMatchObject({ status: 400, error: 'invalid_grant' });
    }
  });

  test('a tampered payload or signature → signature', async () => {
    const verifier = createTokenVerifier({ issuer: a.issuer, audience: AUDIENCE });
    const [header, payload, signature] = (await a.userToken('stw-point-1')).split('.') as [string, string, string];
    const asAdmin = b64({ ...jose.decodeJwt(`${header}.${payload}.${signature}`), sub: 'admin' });
    expect(await refusal(verifier.verify(`${header}.${asAdmin}.${signature}`))).toBe('signature');
    const mid = Math.floor(signature.length / 2);
    const flipped = `${signature.slice(0, mid)}${signature[mid] === 'A' ? 'B' : 'A'}${signature.slice(mid + 1)}`;
    expect(await refusal(verifier.verify(`${header}.${payload}.${flipped}`))).toBe('signature');
  });

  test('a shared-secret (HS256) or unsigned token naming the right issuer → signature; garbage → malformed; nothing → missing', async () => {
    const verifier = createTokenVerifier({ issuer: a.issuer, audience: AUDIENCE });
    const claims = { sub: 'admin', aud: AUDIENCE };
    const hs = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer(a.issuer).setExpirationTime('1h').sign(randomBytes(32));
    expect(await refusal(verifier.verify(hs))).toBe('signature');
    const none = new jose.UnsecuredJWT(claims).setIssuer(a.issuer).setExpirationTime('1h').encode();
    expect(await refusal(verifier.verify(none))).toBe('signature');
    expect(await refusal(verifier.verify('not-a-token'))).toBe('malformed');
    expect(await refusal(verifier.verify('a.b.c'))).toBe('malformed');
    expect(await refusal(verifier.verify(''))).toBe('missing');
  });

  test('a token for another audience → audience (and the provider issues none for an unknown resource)', async () => {
    // the same provider, an API that expects another audience
    const otherApi = createTokenVerifier({ issuer: a.issuer, audience: 'other-api' });
    expect(await refusal(otherApi.verify(await a.userToken('stw-point-1')))).toBe('audience');
    expect(await refusal(otherApi.verify(await a.machineToken(MACHINE.clientId, MACHINE.clientSecret)))).toBe('audience');
    const err = await a.machineToken(MACHINE.clientId, MACHINE.clientSecret, 'urn:other-api').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, error: 'invalid_target' });
    // the API's own indicator (urn:<audience>) is the default and may be named explicitly
    expect(jose.decodeJwt(await a.machineToken(MACHINE.clientId, MACHINE.clientSecret, `urn:${AUDIENCE}`)).aud).toBe(AUDIENCE);
  });

  test('a token from another provider instance → issuer, even when signed with the very same key', async () => {
    // b signs with a's key, so the signature would verify against a's JWKS: only `iss` tells them
    // apart. The verifier checks `iss` on the unverified token before any key lookup (a foreign
    // token must not trigger JWKS refetches), so a different key gives 'issuer' just the same.
    const verifierA = createTokenVerifier({ issuer: a.issuer, audience: AUDIENCE, jwksCooldownMs: 0 });
    expect(await refusal(verifierA.verify(await b.userToken('stw-point-1')))).toBe('issuer');
    const foreignKey = await spawnIdp({ audience: AUDIENCE });
    started.push(foreignKey);
    expect(await refusal(verifierA.verify(await foreignKey.userToken('stw-point-1')))).toBe('issuer');
    await foreignKey.stop();
  });

  test('an expired token → expired (1-second tokens, no clock tolerance)', async () => {
    const verifierB = createTokenVerifier({ issuer: b.issuer, audience: AUDIENCE, clockToleranceS: 0 });
    const token = await b.userToken('stw-point-2');
    expect((await verifierB.verify(token)).subject).toBe('stw-point-2');
    await new Promise((r) => setTimeout(r, 2500));
    expect(await refusal(verifierB.verify(token))).toBe('expired');
    // the default 30 s tolerance still accepts it
    expect((await createTokenVerifier({ issuer: b.issuer, audience: AUDIENCE }).verify(token)).subject).toBe('stw-point-2');
  });
});

describe('a machine token (client credentials)', () => {
  test('verifies as a machine: subject and clientId are the client id, no person claims', async () => {
    const verifier = createTokenVerifier({ issuer: a.issuer, audience: AUDIENCE });
    const verified = await verifier.verify(await a.machineToken(MACHINE.clientId, MACHINE.clientSecret));
    expect(verified).toMatchObject({ subject: MACHINE.clientId, clientId: MACHINE.clientId, machine: true });
    expect(verified.claims).toMatchObject({ sub: MACHINE.clientId, client_id: MACHINE.clientId, aud: AUDIENCE, iss: a.issuer });
    expect(verified.claims.name).toBeUndefined();
  });

  test('a wrong secret is refused by the provider', async () => {
    const err = await a.machineToken(MACHINE.clientId, 'wrong').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 401, error: 'invalid_client' });
  });

  test('another subject claim: a machine token without it is named by its client id', async () => {
    const verifier = createTokenVerifier({ issuer: a.issuer, audience: AUDIENCE, subjectClaim: 'name' });
    expect(await verifier.verify(await a.machineToken(MACHINE.clientId, MACHINE.clientSecret))).toMatchObject({ subject: MACHINE.clientId, machine: true });
    expect(await verifier.verify(await a.userToken('stw-point-1'))).toMatchObject({ subject: '陈静', machine: false });
  });
});

describe('the provider is down, comes back, rotates its key', () => {
  test('provider_unreachable while down; the same verifier recovers; a rotated key is picked up and the removed one refused', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const verifier = createTokenVerifier({ issuer, audience: AUDIENCE, jwksCooldownMs: 0, fetchTimeoutMs: 2000 });

    // nothing listens yet: any well-formed token naming this issuer waits for discovery
    const { privateKey } = await jose.generateKeyPair('RS256');
    const early = await new jose.SignJWT({ sub: 'stw-point-1', aud: AUDIENCE }).setProtectedHeader({ alg: 'RS256', kid: 'x' }).setIssuer(issuer).setExpirationTime('1h').sign(privateKey);
    expect(await refusal(verifier.verify(early))).toBe('provider_unreachable');
    expect(await refusal(verifier.verify(early))).toBe('provider_unreachable');

    const key1 = generateSigningKey();
    const first = await spawnIdp({ port, audience: AUDIENCE, jwks: { keys: [key1] } });
    started.push(first);
    const oldToken = await first.userToken('stw-point-1');
    expect((await verifier.verify(oldToken)).subject).toBe('stw-point-1');
    expect(await refusal(verifier.verify(early))).toBe('unknown_key');

    // down again: keys already fetched still verify (no call to the provider per request)
    await first.stop();
    expect((await verifier.verify(oldToken)).subject).toBe('stw-point-1');

    // restarted on the same port with a new key only
    const key2 = generateSigningKey();
    const second = await spawnIdp({ port, audience: AUDIENCE, jwks: { keys: [key2] } });
    started.push(second);
    const newToken = await second.userToken('stw-point-3');
    expect((await verifier.verify(newToken)).subject).toBe('stw-point-3');
    expect(await refusal(verifier.verify(oldToken))).toBe('unknown_key');
    await second.stop();
  });

  test('a discovery document naming another issuer is not trusted', async () => {
    // "localhost" and "127.0.0.1" reach the same provider, but its issuer is the latter
    const verifier = createTokenVerifier({ issuer: a.issuer.replace('127.0.0.1', 'localhost'), audience: AUDIENCE });
    const token = await new jose.SignJWT({ sub: 'x', aud: AUDIENCE }).setProtectedHeader({ alg: 'RS256' }).setIssuer(verifier.issuer).setExpirationTime('1h').sign((await jose.generateKeyPair('RS256')).privateKey);
    const err = await verifier.verify(token).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'provider_unreachable', message: expect.stringContaining('names issuer') });
  });
});

describe('the console sign-in: authorization code + PKCE with the login page', () => {
  test('a demo user signs in and the code is exchanged for an API access token', async () => {
    const redirectUri = 'http://127.0.0.1:3000/callback';
    const verifierCode = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifierCode).digest('base64url');
    const cookies = new Map<string, string>();
    const go = async (url: string, init: RequestInit = {}) => {
      const res = await fetch(new URL(url, a.issuer), {
        ...init,
        redirect: 'manual',
        headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const i = pair!.indexOf('=');
        cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
      }
      return res;
    };
    const auth = new URLSearchParams({ client_id: 'steward-console', response_type: 'code', redirect_uri: redirectUri, scope: 'openid profile', code_challenge: challenge, code_challenge_method: 'S256', state: 'st' });
    let res = await go(`/auth?${auth}`);
    expect(res.status).toBe(303);
    const interaction = res.headers.get('location')!;
    expect(interaction).toMatch(/^\/interaction\//);
    res = await go(interaction);
    const html = await res.text();
    expect(html).toContain('stw-point-1');
    const action = /action="([^"]+)"/.exec(html)![1]!;

    res = await go(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ subject: 'stw-point-1', password: 'wrong' }) });
    expect(res.status).toBe(401);
    res = await go(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ subject: 'stw-point-1', password: 'demo' }) });
    expect(res.status).toBe(303);
    // back to the authorization endpoint, which (consent being implicit) redirects with the code
    res = await go(res.headers.get('location')!);
    expect(res.status).toBe(303);
    const callback = new URL(res.headers.get('location')!);
    expect(`${callback.origin}${callback.pathname}`).toBe(redirectUri);
    expect(callback.searchParams.get('state')).toBe('st');
    const code = callback.searchParams.get('code')!;

    const tokens = await a.tokenRequest({ grant_type: 'authorization_code', client_id: 'steward-console', code, redirect_uri: redirectUri, code_verifier: verifierCode });
    const body = (await tokens.json()) as { access_token: string; id_token: string };
    expect(tokens.status).toBe(200);
    const verified = await createTokenVerifier({ issuer: a.issuer, audience: AUDIENCE }).verify(body.access_token);
    expect(verified).toMatchObject({ subject: 'stw-point-1', clientId: 'steward-console', machine: false });
    expect(verified.claims.name).toBe('陈静');
    expect(jose.decodeJwt(body.id_token)).toMatchObject({ sub: 'stw-point-1', aud: 'steward-console' });
  });
});

describe('the embedded provider keeps its signing keys', () => {
  test('loadOrCreateIdpKeys creates a private RS256 JWK set (0600) once and then reads it back', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'idp-keys-'));
    try {
      const file = path.join(dir, 'sub', 'idp-keys.json');
      const created = loadOrCreateIdpKeys(file);
      expect(created.keys).toHaveLength(1);
      expect(created.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String), d: expect.any(String) });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(loadOrCreateIdpKeys(file)).toEqual(created);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
