/**
 * Every route is declared with who may call it, next to the route. The declaration does three
 * things: it authenticates the bearer token (401), checks the caller's roles (403), and records
 * the route in one table, from which the OpenAPI document and the authorization matrix test are
 * built. Scope (which cases, which department) is the route's own business, through scope.ts.
 */
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Db } from '../db/client';
import { HttpError, unavailable } from '../api/errors';
import { principalLoader, type Principal, type Role, ROLE_NAMES } from './principal';
import { TokenError, type TokenErrorReason, type VerifiedToken } from './verify';
import type { RouteSchemas } from '../api/validate';

export type Access = 'public' | 'authenticated' | readonly Role[];

export interface RouteEntry {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** full path in Express syntax, e.g. /api/cases/:id/acknowledge */
  path: string;
  access: Access;
  /** audit action name for changes and private reads, e.g. case.acknowledge; none: not audited */
  audit?: string;
  /** the zod schemas the route validates with (from route()), for the OpenAPI document */
  schemas?: RouteSchemas;
  summary?: string;
  /** false: a POST that changes nothing (the codec), exempt from the write rate limit */
  rateLimited?: boolean;
  /** media types of a 200 answer that is a file rather than JSON (the exports) */
  produces?: readonly string[];
}

export interface TokenVerifier {
  verify(token: string): Promise<VerifiedToken>;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    requestId?: string;
    /** set by a route for the audit entry: what was touched, and its town */
    auditTarget?: { target: string; townId?: string | null; detail?: Record<string, unknown> };
  }
}

export interface AuditLocals {
  audit?: string;
}

export const REALM = 'steward-api';

// the header's error_description stays English (RFC 6750 allows ASCII only); the body speaks Chinese too
const unauthorized = (res: Response, reason: string, zh: string, code: 'invalid_request' | 'invalid_token' | null) => {
  res.set('WWW-Authenticate', code ? `Bearer realm="${REALM}", error="${code}", error_description="${reason.replace(/"/g, "'")}"` : `Bearer realm="${REALM}"`);
  return new HttpError(401, 'unauthenticated', reason, zh);
};

/** Why a token was refused, for a person: the English message names the issuer or audience. */
const TOKEN_ZH: Record<TokenErrorReason, string> = {
  missing: '缺少访问令牌',
  malformed: '访问令牌格式无效，请重新登录',
  expired: '访问令牌已过期，请重新登录',
  signature: '访问令牌签名无效',
  issuer: '访问令牌不是由本系统认可的身份认证服务签发的',
  audience: '访问令牌不是签发给本系统的',
  unknown_key: '访问令牌的签名密钥未被身份认证服务公布（或已停用），请重新登录',
  provider_unreachable: '暂时无法连接身份认证服务核验令牌，请稍后重试',
  invalid: '访问令牌无效，请重新登录',
};

export interface AccessDeps {
  db: Db;
  verifier: TokenVerifier;
  /** extra middleware for write routes after authentication (rate limit) */
  onWrite?: RequestHandler;
}

export function createAccess({ db, verifier, onWrite }: AccessDeps) {
  const loadPrincipal = principalLoader(db);
  const routes: RouteEntry[] = [];

  async function authenticate(req: Request, res: Response): Promise<Principal> {
    const header = req.get('authorization');
    if (!header) throw unauthorized(res, 'a bearer access token is required (Authorization: Bearer <token>)', '请先登录：请求须携带访问令牌（Authorization: Bearer <令牌>）', null);
    const match = /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header);
    if (!match) throw unauthorized(res, 'the Authorization header must be "Bearer <token>"', 'Authorization 请求头的格式须为“Bearer <令牌>”', 'invalid_request');
    let token: VerifiedToken;
    try {
      token = await verifier.verify(match[1]!);
    } catch (err: unknown) {
      if (err instanceof TokenError) {
        if (err.reason === 'provider_unreachable') throw unavailable('the identity provider cannot be reached to check the token; retry later', TOKEN_ZH.provider_unreachable);
        throw unauthorized(res, err.message, TOKEN_ZH[err.reason], 'invalid_token');
      }
      throw err;
    }
    const principal = await loadPrincipal(token.subject);
    // a department system's client id must never pass for a person of the same name, nor the reverse
    if (!principal || (principal.kind === 'machine') !== token.machine) {
      throw new HttpError(
        403,
        'unknown_identity',
        `the identity ${token.subject} is not registered (or is inactive) in this directory; ask an administrator to grant a role`,
        `身份 ${token.subject} 未在本系统登记（或已停用），请联系管理员授予角色`,
      );
    }
    return principal;
  }

  function guard(access: Access, rateLimited = true): RequestHandler {
    return async (req: Request, res: Response, next: NextFunction) => {
      if (access === 'public') return next();
      const principal = await authenticate(req, res);
      req.principal = principal;
      // a change to the directory or the grants is felt by the next request, not in PRINCIPAL_FRESH_MS
      if (req.method !== 'GET' && req.path.startsWith('/api/admin/')) res.once('finish', () => loadPrincipal.forget());
      if (access !== 'authenticated' && !access.some((r) => principal.roles.includes(r))) {
        const have = principal.roles.map((r) => ROLE_NAMES[r]).join('、') || '无';
        const need = access.map((r) => ROLE_NAMES[r]).join('、');
        throw new HttpError(
          403,
          'forbidden',
          `this needs one of the roles ${access.join(', ')} (${need}); you have ${principal.roles.join(', ') || 'none'} (${have})`,
          `此操作需要以下角色之一：${need}；您的角色：${have}`,
        );
      }
      if (req.method !== 'GET' && rateLimited && onWrite) return onWrite(req, res, next);
      next();
    };
  }

  /**
   * A router whose routes are declared with their access (and recorded in the route table).
   * Paths are registered in full, so the router is mounted at the root.
   */
  function router(base: string) {
    const r = Router();
    const add =
      (method: RouteEntry['method']) =>
      (path: string, spec: Pick<RouteEntry, 'access' | 'audit' | 'summary' | 'rateLimited' | 'produces'>, ...handlers: RequestHandler[]) => {
        const full = `${base}${path === '/' ? '' : path}` || '/';
        const schemas = handlers.map((h) => (h as { schemas?: RouteSchemas }).schemas).find(Boolean);
        routes.push({ method, path: full, ...spec, ...(schemas ? { schemas } : {}) });
        const tag: RequestHandler = (req, _res, next) => {
          if (spec.audit) (req.res!.locals as AuditLocals).audit = spec.audit;
          next();
        };
        r[method.toLowerCase() as 'get'](full, tag, guard(spec.access, spec.rateLimited ?? true), ...handlers);
      };
    return { router: r, get: add('GET'), post: add('POST'), put: add('PUT'), patch: add('PATCH'), delete: add('DELETE') };
  }

  return { routes, router, guard, authenticate };
}

export type AccessControl = ReturnType<typeof createAccess>;
