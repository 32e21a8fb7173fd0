/**
 * Access-token verification, the only path (the demo's embedded provider included): OpenID
 * discovery, the provider's JWKS, then signature, issuer, audience and expiry with jose.
 *
 * The provider may be down when the API starts: discovery runs on the first verify and again on
 * later calls until it succeeds; meanwhile callers get TokenError('provider_unreachable') (503).
 * Key rotation: jose refetches the JWKS when a token names an unknown `kid` (at most once per
 * cooldown), so a new key is picked up without a restart and a removed key stops verifying.
 */
import type { JWTPayload, JWTVerifyGetKey } from 'jose' with { 'resolution-mode': 'import' };

// jose is ESM only and this is a CommonJS module: loaded with import() (tsx) / require (Jest's transform)
let jose: Promise<typeof import('jose', { with: { 'resolution-mode': 'import' } })> | undefined;
const loadJose = () => (jose ??= import('jose'));

export interface VerifierOptions {
  issuer: string;
  audience: string;
  /** the claim naming the person; default 'sub' */
  subjectClaim?: string;
  /** seconds; default 30 */
  clockToleranceS?: number;
  /** least time between two JWKS refetches for unknown `kid`s; default 30 000 ms (tests pass 0) */
  jwksCooldownMs?: number;
  /** discovery and JWKS requests; default 5 000 ms */
  fetchTimeoutMs?: number;
}

export interface VerifiedToken {
  /** claims[subjectClaim]; for a client-credentials token without that claim, its client id */
  subject: string;
  clientId?: string;
  /** a client-credentials token: a system acting for itself, no end user */
  machine: boolean;
  claims: Record<string, unknown>;
  expiresAt: Date;
}

export type TokenErrorReason = 'missing' | 'malformed' | 'expired' | 'signature' | 'issuer' | 'audience' | 'unknown_key' | 'provider_unreachable' | 'invalid';

/** A refused token. The message is safe to show to the caller: it never contains the token. */
export class TokenError extends Error {
  override name = 'TokenError';
  constructor(
    readonly reason: TokenErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** Asymmetric signatures only: a shared-secret (HS*) or unsigned token is never accepted. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** JWKS failures that are the provider's, not the token's. */
class KeySourceError extends Error {}

/** jose's error code (ERR_JWT_EXPIRED, …), or undefined for anything else. */
const code = (err: unknown) => {
  const c = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof c === 'string' && /^ERR_(JOSE|JWT|JWS|JWK|JWE)/.test(c) ? c : undefined;
};

export function createTokenVerifier(opts: VerifierOptions): { verify(token: string): Promise<VerifiedToken>; issuer: string } {
  const { issuer, audience } = opts;
  const subjectClaim = opts.subjectClaim ?? 'sub';
  const clockTolerance = opts.clockToleranceS ?? 30;
  const cooldownDuration = opts.jwksCooldownMs ?? 30_000;
  const timeoutDuration = opts.fetchTimeoutMs ?? 5_000;

  let keys: Promise<JWTVerifyGetKey> | undefined;

  async function discover(): Promise<JWTVerifyGetKey> {
    const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    let doc: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutDuration), headers: { accept: 'application/json' }, redirect: 'manual' });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      doc = (await res.json()) as typeof doc;
    } catch (err) {
      throw new TokenError('provider_unreachable', `the identity provider ${issuer} cannot be reached (discovery: ${err instanceof Error ? err.message : String(err)})`);
    }
    // OpenID Connect Discovery 1.0 §4.3: the document must name the very issuer it was fetched for
    if (doc.issuer !== issuer) throw new TokenError('provider_unreachable', `the identity provider's discovery document names issuer ${String(doc.issuer)}, not ${issuer}`);
    if (typeof doc.jwks_uri !== 'string' || !URL.canParse(doc.jwks_uri)) throw new TokenError('provider_unreachable', `the identity provider ${issuer} publishes no jwks_uri`);
    const { createRemoteJWKSet } = await loadJose();
    const remote = createRemoteJWKSet(new URL(doc.jwks_uri), { cooldownDuration, timeoutDuration });
    return async (header, token) => {
      try {
        return await remote(header, token);
      } catch (err) {
        const c = code(err);
        // token-side outcomes pass through; fetch failures, timeouts, bad JWKS responses are the provider's
        if (c === 'ERR_JWKS_NO_MATCHING_KEY' || c === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS' || c === 'ERR_JOSE_NOT_SUPPORTED') throw err;
        throw new KeySourceError(err instanceof Error ? err.message : String(err));
      }
    };
  }

  /** Discovery once it succeeded; while it fails, each call tries again (concurrent calls share one try). */
  function keySource(): Promise<JWTVerifyGetKey> {
    keys ??= discover().catch((err: unknown) => {
      keys = undefined;
      throw err;
    });
    return keys;
  }

  async function verify(token: string): Promise<VerifiedToken> {
    if (!token) throw new TokenError('missing', 'no access token');
    const { decodeJwt, decodeProtectedHeader, jwtVerify } = await loadJose();
    let unverified: JWTPayload;
    try {
      decodeProtectedHeader(token);
      unverified = decodeJwt(token);
    } catch {
      throw new TokenError('malformed', 'the access token is not a signed JWT');
    }
    // rejected before any key lookup: a foreign provider's token names a kid we do not know, and
    // must neither cost a JWKS refetch nor be reported as a key problem
    if (unverified.iss !== issuer) throw new TokenError('issuer', `the access token was not issued by ${issuer}`);

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await keySource(), { issuer, audience, clockTolerance, algorithms: ALGORITHMS, requiredClaims: ['exp'] }));
    } catch (err) {
      throw toTokenError(err, issuer, audience);
    }
    return toVerified(payload, subjectClaim);
  }

  return { verify, issuer };
}

function toTokenError(err: unknown, issuer: string, audience: string): TokenError {
  if (err instanceof TokenError) return err;
  if (err instanceof KeySourceError) return new TokenError('provider_unreachable', `the identity provider's signing keys cannot be fetched (${err.message})`);
  switch (code(err)) {
    case 'ERR_JWT_EXPIRED':
      return new TokenError('expired', 'the access token has expired');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = (err as { claim?: string }).claim;
      if (claim === 'iss') return new TokenError('issuer', `the access token was not issued by ${issuer}`);
      if (claim === 'aud') return new TokenError('audience', `the access token is not meant for ${audience}`);
      if (claim === 'nbf') return new TokenError('invalid', 'the access token is not valid yet');
      return new TokenError('invalid', `the access token's "${claim}" claim is missing or invalid`);
    }
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new TokenError('signature', 'the access token signature is invalid');
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new TokenError('signature', 'the access token is not signed with an accepted asymmetric algorithm');
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return new TokenError('unknown_key', "the access token's signing key is not (or no longer) published by the identity provider");
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return new TokenError('malformed', 'the access token is not a valid signed JWT');
    default:
      return new TokenError('invalid', 'the access token cannot be verified');
  }
}

/**
 * Who the token speaks for. A client-credentials token (no end user) is recognised by RFC 9068
 * §2.2: its `sub` is the client's own identifier. oidc-provider issues exactly that
 * (`sub` = `client_id` = the department system's client id, no `name`), while a user's token carries
 * the person's `sub` and the `client_id` of the app they used (steward-cli, steward-console). Some
 * providers omit `sub` for clients, or mark the grant in `gty` (Auth0): both count as machine too.
 * A person whose subject equals a client id would pass for that client: the directory's person
 * kind check (access.ts) refuses it.
 */
function toVerified(claims: JWTPayload, subjectClaim: string): VerifiedToken {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const clientId = str(claims.client_id) ?? str(claims.azp);
  const sub = str(claims.sub);
  const machine = !!clientId && (sub === undefined || sub === clientId || claims.gty === 'client_credentials' || claims.gty === 'client-credentials');
  const subject = str(claims[subjectClaim]) ?? (machine ? clientId : undefined);
  if (!subject) throw new TokenError('invalid', `the access token has no "${subjectClaim}" claim`);
  return { subject, ...(clientId ? { clientId } : {}), machine, claims: { ...claims }, expiresAt: new Date(claims.exp! * 1000) };
}
