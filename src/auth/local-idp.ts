/**
 * The embedded demo identity provider: a real, certified OpenID provider (oidc-provider) on
 * loopback, for `npm start` without OIDC_ISSUER and for tests. It issues RFC 9068 JWT access
 * tokens for one resource server (the API's audience), so the API verifies its tokens exactly as it
 * verifies the district's provider's (verify.ts).
 *
 * Grants:
 * - client_credentials for the department systems (client_secret_basic), `sub` = `client_id`;
 * - a demo-only resource-owner password grant for the public client `steward-cli` (scripts/token.ts),
 *   username = subject, one shared demo password;
 * - authorization code + PKCE for the public client `steward-console`, with a small login page.
 *   Consent is implicit: every client here is first-party.
 *
 * oidc-provider is ESM-only and is loaded with import(): this module runs under tsx (npm start) or
 * in the child process of local-idp-main.ts (tests; Jest cannot load it).
 */
import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual, type JsonWebKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

export interface LocalIdpOptions {
  port: number;
  /** interface to bind; default 127.0.0.1 */
  host?: string;
  /** default http://host:port */
  issuer?: string;
  /** the API's audience: the `aud` of every access token */
  audience: string;
  users: { subject: string; name: string }[];
  /** every user's password (demo only) */
  password: string;
  machines: { clientId: string; clientSecret: string }[];
  /** private signing keys; default one fresh RS256 key */
  jwks?: { keys: JsonWebKey[] };
  /** default 3600 */
  accessTokenTtlS?: number;
  /** the console's callback URLs */
  redirectUris?: string[];
}

export interface LocalIdp {
  issuer: string;
  stop(): Promise<void>;
}

export const CLI_CLIENT_ID = 'steward-cli';
export const CONSOLE_CLIENT_ID = 'steward-console';
export const API_SCOPE = 'api';
const DEFAULT_REDIRECT_URIS = ['http://127.0.0.1:3000/callback', 'http://localhost:3000/callback'];

/**
 * The resource indicator (RFC 8707) naming the API at this provider. oidc-provider accepts only
 * absolute URIs as indicators while the audience is a plain name ('steward-api'), so a plain name
 * becomes `urn:<name>`. Clients may omit `resource`: it defaults to this one.
 */
export const resourceIndicatorOf = (audience: string) => (URL.canParse(audience) ? audience : `urn:${audience}`);

/** A private RS256 signing JWK with `kid` (its RFC 7638 thumbprint), `alg` and `use`. */
export function generateSigningKey(): JsonWebKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  const thumbprint = createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n })).digest('base64url');
  return { ...jwk, kid: thumbprint, alg: 'RS256', use: 'sig' };
}

/**
 * The embedded provider's signing keys, generated once and kept (mode 0600) so that tokens stay
 * valid across restarts. Synchronous: Node's own RSA generation, the same JWK jose would export.
 */
export function loadOrCreateIdpKeys(file: string): { keys: JsonWebKey[] } {
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { keys?: JsonWebKey[] };
    if (!Array.isArray(parsed.keys) || parsed.keys.length === 0 || parsed.keys.some((k) => typeof k.d !== 'string')) {
      throw new Error(`${file} is not a private JWK set ({"keys": [...]}); delete it to generate a new signing key`);
    }
    return { keys: parsed.keys };
  }
  const jwks = { keys: [generateSigningKey()] };
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, `${JSON.stringify(jwks, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return jwks;
}

const sameSecret = (a: string, b: string) => timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

/* The few parts of oidc-provider's (untyped) API used here. */
interface OidcClient {
  clientId: string;
}
interface OidcGrant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(resource: string, scope: string): void;
  save(): Promise<string>;
}
interface OidcToken {
  accountId?: string;
  scope?: string;
  resourceServer?: unknown;
  expiration: number;
  save(): Promise<string>;
}
interface OidcCtx {
  oidc: {
    client: OidcClient;
    params: Record<string, string | undefined>;
    session?: { accountId?: string; grantIdFor(clientId: string): string | undefined };
    result?: { consent?: { grantId?: string } };
    resourceServers?: Record<string, { scope?: string }>;
    requestParamOIDCScopes?: Set<string>;
    provider: OidcProvider;
  };
  body?: unknown;
}
interface OidcInteraction {
  uid: string;
  prompt: { name: string; details: Record<string, unknown> };
  params: Record<string, unknown>;
  grantId?: string;
  session?: { accountId?: string };
}
interface OidcProvider {
  Grant: { new (init: { accountId: string; clientId: string }): OidcGrant; find(id: string): Promise<OidcGrant | undefined> };
  AccessToken: new (init: Record<string, unknown>) => OidcToken;
  ResourceServer: new (identifier: string, info: object) => unknown;
  registerGrantType(name: string, handler: (ctx: OidcCtx) => Promise<void>, params: string[]): void;
  callback(): (req: http.IncomingMessage, res: http.ServerResponse) => void;
  interactionDetails(req: http.IncomingMessage, res: http.ServerResponse): Promise<OidcInteraction>;
  interactionFinished(req: http.IncomingMessage, res: http.ServerResponse, result: object, opts?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): void;
}
interface OidcModule {
  default: new (issuer: string, configuration: object) => OidcProvider;
  errors: Record<'InvalidGrant' | 'InvalidRequest' | 'InvalidTarget', new (description?: string) => Error>;
}

// a specifier TypeScript does not resolve: the package ships no types, and this stays a real import()
const OIDC_PROVIDER = 'oidc-provider';

export async function startLocalIdp(opts: LocalIdpOptions): Promise<LocalIdp> {
  const { default: Provider, errors } = (await import(OIDC_PROVIDER)) as OidcModule;
  const host = opts.host ?? '127.0.0.1';
  const issuer = opts.issuer ?? `http://${host.includes(':') ? `[${host}]` : host}:${opts.port}`;
  const ttl = opts.accessTokenTtlS ?? 3600;
  const indicator = resourceIndicatorOf(opts.audience);
  const users = new Map(opts.users.map((u) => [u.subject, u]));
  const resourceServer = { audience: opts.audience, scope: API_SCOPE, accessTokenFormat: 'jwt', accessTokenTTL: ttl, jwt: { sign: { alg: 'RS256' } } };
  const jwks = opts.jwks ?? { keys: [generateSigningKey()] };

  /** Implicit consent: the grant covers whatever a (first-party) client asked for. */
  async function implicitGrant(ctx: OidcCtx, existing?: OidcGrant): Promise<OidcGrant | undefined> {
    const accountId = ctx.oidc.session?.accountId;
    if (!accountId) return existing;
    const grant = existing ?? new provider.Grant({ accountId, clientId: ctx.oidc.client.clientId });
    const scopes = [...(ctx.oidc.requestParamOIDCScopes ?? [])];
    if (scopes.length) grant.addOIDCScope(scopes.join(' '));
    for (const [resource, rs] of Object.entries(ctx.oidc.resourceServers ?? {})) if (rs.scope) grant.addResourceScope(resource, rs.scope);
    await grant.save();
    return grant;
  }

  const consoleOrigins = new Set((opts.redirectUris ?? DEFAULT_REDIRECT_URIS).map((u) => new URL(u).origin));
  const provider = new Provider(issuer, {
    clients: [
      ...opts.machines.map((m) => ({
        client_id: m.clientId,
        client_secret: m.clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: API_SCOPE,
      })),
      { client_id: CLI_CLIENT_ID, grant_types: ['password'], response_types: [], redirect_uris: [], token_endpoint_auth_method: 'none' },
      {
        client_id: CONSOLE_CLIENT_ID,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: opts.redirectUris ?? DEFAULT_REDIRECT_URIS,
        token_endpoint_auth_method: 'none',
      },
    ],
    jwks,
    scopes: ['openid', 'profile', 'offline_access', API_SCOPE],
    claims: { openid: ['sub'], profile: ['name'] },
    async findAccount(_ctx: unknown, sub: string) {
      const user = users.get(sub);
      return user && { accountId: user.subject, claims: async () => ({ sub: user.subject, name: user.name }) };
    },
    // the person's display name rides in the access token, so the API needs no userinfo call
    async extraTokenClaims(_ctx: unknown, token: OidcToken) {
      const user = token.accountId ? users.get(token.accountId) : undefined;
      return user ? { name: user.name } : undefined;
    },
    async loadExistingGrant(ctx: OidcCtx) {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client.clientId);
      return implicitGrant(ctx, grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined);
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: false },
      revocation: { enabled: true, allowedPolicy: async () => true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string[]) => oneOf ?? indicator,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, resource: string) => {
          if (resource !== indicator) throw new errors.InvalidTarget(`unknown resource; this provider issues tokens for ${indicator} only`);
          return resourceServer;
        },
      },
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // the console calls the token and userinfo endpoints from the browser: only from its own origins
    clientBasedCORS: (_ctx: unknown, origin: string, client: { clientId: string }) => client.clientId === CONSOLE_CLIENT_ID && consoleOrigins.has(origin),
    ttl: {
      // demo password grant only: a caller may ask for a shorter life (tests of expired tokens), never a longer one
      AccessToken: (ctx: { oidc?: { params?: Record<string, unknown> } } | undefined) => {
        const asked = ctx?.oidc?.params?.grant_type === 'password' ? String(ctx.oidc.params.expires_in ?? '') : '';
        return /^\d+$/.test(asked) ? Math.max(1, Math.min(Number(asked), ttl)) : ttl;
      },
      ClientCredentials: ttl,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 8 * 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    renderError: async (ctx: { type: string; body: string }, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = page('登录出错 Sign-in error', `<p>${escapeHtml(out.error ?? 'error')}: ${escapeHtml(out.error_description ?? '')}</p>`);
    },
  });

  provider.registerGrantType(
    'password',
    async (ctx) => {
      const { username, password, resource } = ctx.oidc.params;
      if (!username || !password) throw new errors.InvalidRequest('username and password are required');
      if (resource !== undefined && resource !== indicator) throw new errors.InvalidTarget(`unknown resource; this provider issues tokens for ${indicator} only`);
      const user = users.get(username);
      // one answer for an unknown user and a wrong password
      if (!user || !sameSecret(password, opts.password)) throw new errors.InvalidGrant('invalid username or password');
      const grant = new provider.Grant({ accountId: user.subject, clientId: ctx.oidc.client.clientId });
      grant.addResourceScope(indicator, API_SCOPE);
      const grantId = await grant.save();
      const token = new provider.AccessToken({ accountId: user.subject, client: ctx.oidc.client, grantId, gty: 'password', scope: API_SCOPE });
      token.resourceServer = new provider.ResourceServer(indicator, resourceServer);
      const value = await token.save();
      ctx.body = { access_token: value, token_type: 'Bearer', expires_in: token.expiration, scope: API_SCOPE };
    },
    ['username', 'password', 'scope', 'resource', 'expires_in'],
  );

  const oidc = provider.callback();
  const server = http.createServer((req, res) => {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(new URL(req.url ?? '/', issuer).pathname);
    if (!match) return oidc(req, res);
    interaction(req, res, match[2] === '/login').catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
        res.end(page('登录出错 Sign-in error', `<p>${escapeHtml(err instanceof Error ? err.message : String(err))}</p>`));
      } else res.end();
    });
  });

  /** The login page (GET) and its form (POST …/login): pick a demo user, type the demo password. */
  async function interaction(req: http.IncomingMessage, res: http.ServerResponse, submit: boolean): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'consent') {
      // first-party clients only: grant what is missing without asking
      const accountId = details.session?.accountId;
      if (!accountId) throw new Error('no session');
      const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
      if (!grant) throw new Error('grant not found');
      const d = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
      if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
      if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
      for (const [resource, scopes] of Object.entries(d.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }
    let error = '';
    if (submit) {
      if (req.method !== 'POST') throw new Error('the login form must be posted');
      const form = new URLSearchParams(await readBody(req));
      const subject = form.get('subject') ?? '';
      if (users.has(subject) && sameSecret(form.get('password') ?? '', opts.password)) {
        return provider.interactionFinished(req, res, { login: { accountId: subject } }, { mergeWithLastSubmission: false });
      }
      error = '<p class="error">用户或密码不对 Wrong user or password</p>';
    }
    const options = opts.users.map((u) => `<option value="${escapeHtml(u.subject)}">${escapeHtml(u.name)} (${escapeHtml(u.subject)})</option>`).join('');
    res.writeHead(submit ? 401 : 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(
      page(
        '楼长制 演示登录 Demo sign-in',
        `${error}<form method="post" action="/interaction/${escapeHtml(details.uid)}/login">
<label>用户 User <select name="subject">${options}</select></label>
<label>密码 Password <input type="password" name="password" autocomplete="current-password" autofocus></label>
<button type="submit">登录 Sign in</button></form>
<p class="hint">Demo identity provider: every demo user has the same password.</p>`,
      ),
    );
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  let stopped: Promise<void> | undefined;
  return {
    issuer,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 10_000) req.destroy(new Error('form too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title: string, body: string) => `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="icon" href="data:,">
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}label{display:block;margin:.8rem 0}select,input,button{display:block;width:100%;padding:.5rem;margin-top:.3rem;box-sizing:border-box}.error{color:#b00}.hint{color:#666;font-size:.85rem}</style>
</head><body><h1>${title}</h1>${body}</body></html>`;
