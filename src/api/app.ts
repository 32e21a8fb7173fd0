import express, { type RequestHandler } from 'express';
import cors from 'cors';
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import { createCatalogueStore } from '../catalogue-store';
import { DEFAULT_OFFICE_HOURS, type OfficeHours } from '../domain/working-time';
import { createAccess, type RouteEntry, type TokenVerifier } from '../auth/access';
import { auditTrail } from '../auth/audit';
import type { SecretBox } from '../security/secrets';
import { catalogueRouter } from './routes/catalogue';
import { keepRawBody } from './raw-body';
import { departmentsRouter } from './routes/departments';
import { createCaseService } from './case-service';
import { createDirectory } from './directory';
import { errorHandler, HttpError, notFound } from './errors';
import { openApiDocument } from './openapi';
import { casesRouter } from './routes/cases';
import { referenceRouter } from './routes/reference';
import { auditRouter } from './routes/audit';
import { incidentsRouter } from './routes/incidents';
import { statsRouter } from './routes/stats';
import { exportsRouter } from './routes/exports';
import { adminRouter } from './routes/admin';
import { codecRouter } from './routes/codec';
import { requestContext } from './request-context';
import { beijingReplacer } from './beijing-time';
import { consoleConfigOf, consoleFiles, consoleHelmet, type ConsoleSettings } from './console';

export interface AppDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  logger: Logger;
  /** checks bearer tokens against the identity provider (src/auth/verify.ts) */
  verifier: TokenVerifier;
  /** opens and seals secrets stored in the database */
  secrets: SecretBox;
  /** the payload codec, served to the Temporal Web UI and CLI at /api/codec */
  codec: PayloadCodec;
  officeHours?: OfficeHours;
  /** hold non-urgent notifications outside office hours (QUIET_HOURS) */
  quietHours?: boolean;
  actionWaitMs?: number;
  /** browser origins allowed to call the API */
  corsOrigins?: string[];
  /** write requests per identity per minute */
  rateLimitPerMinute?: number;
  /** the web console: its identity provider and client, and the built files served at / */
  console?: ConsoleSettings;
}

/**
 * A broken percent-encoding is the caller's mistake, wherever it is: Express decodes a path only
 * when a route reads a parameter, and the query parser quietly turns it into U+FFFD.
 */
const refuseBrokenPercentEncoding: RequestHandler = (req, _res, next) => {
  const at = req.originalUrl.indexOf('?');
  const parts = at < 0 ? { path: req.originalUrl } : { path: req.originalUrl.slice(0, at), query: req.originalUrl.slice(at + 1) };
  for (const [where, raw] of Object.entries(parts)) {
    try {
      decodeURIComponent(raw.replace(/\+/g, ' '));
    } catch {
      return next(
        new HttpError(
          400,
          'bad_request',
          `the ${where} has a broken percent-encoding: each %XX must be a byte of UTF-8 text`,
          `${where === 'path' ? '路径' : '查询参数'}中的百分号编码有误：每个 %XX 须是 UTF-8 文本的一个字节`,
        ),
      );
    }
  }
  next();
};

/** A body parser whose 413 names its own limit. */
const withLimit =
  (parser: RequestHandler, limit: string): RequestHandler =>
  (req, res, next) =>
    parser(req, res, (err?: unknown) =>
      next(
        (err as { type?: string } | undefined)?.type === 'entity.too.large'
          ? new HttpError(413, 'payload_too_large', `request body is larger than the ${limit} limit`, `请求内容超过 ${limit} 的上限`)
          : err,
      ),
    );

/**
 * The Temporal codec protocol and the OpenAPI document are answered as written: payloads are not
 * read by people, and the document's examples are the schemas' own (every other answer gives its
 * instants in Beijing time: the `json replacer` below).
 */
const asWritten: RequestHandler = (_req, res, next) => {
  res.json = (body: unknown) => res.type('json').send(JSON.stringify(body));
  next();
};

/** Builds the HTTP API without listening, so tests drive it with supertest. */
export function createApp(deps: AppDeps): express.Express & { locals: { routes: RouteEntry[] } } {
  const { db, temporal, taskQueue, logger, verifier, secrets, codec, officeHours = DEFAULT_OFFICE_HOURS, quietHours = true, actionWaitMs = 10_000 } = deps;
  const directory = createDirectory(db);
  const catalogue = createCatalogueStore(db);
  const cases = createCaseService({ db, temporal, directory, catalogue, officeHours, quietHours, taskQueue, actionWaitMs });

  const limiter = rateLimit({
    windowMs: 60_000,
    limit: deps.rateLimitPerMinute ?? 120,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // only write routes after authentication reach this, so there is always a person to count
    keyGenerator: (req) => req.principal!.personId,
    handler: (_req, _res, next) =>
      next(new HttpError(429, 'rate_limited', 'too many changes from this identity in the last minute; retry later', '一分钟内的操作次数过多，请稍后重试')),
  });
  const access = createAccess({ db, verifier, onWrite: limiter });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // every instant a person reads is answered in Beijing time, `2026-11-23T09:00:00.000+08:00`
  app.set('json replacer', beijingReplacer);
  app.use(requestContext(logger));
  app.use(helmet(consoleHelmet(deps.console)));
  const allowed = new Set(deps.corsOrigins ?? []);
  app.use(
    cors({
      origin: (origin, done) => done(null, !!origin && allowed.has(origin)),
      credentials: false,
      // Authorization-Extras: the Temporal UI sends the ID token beside the access token to codec endpoints
      allowedHeaders: ['Authorization', 'Authorization-Extras', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'X-Namespace'],
      exposedHeaders: ['X-Request-Id', 'Location', 'WWW-Authenticate'],
      maxAge: 600,
    }),
  );
  app.use(refuseBrokenPercentEncoding);
  app.use(['/api/codec', '/api/openapi.json'], asWritten);
  // the Temporal UI and CLI decode whole pages of history payloads (encrypted case states) at once
  app.use('/api/codec', withLimit(express.json({ limit: '4mb', strict: true }), '4 MB'));
  app.use(withLimit(express.json({ limit: '64kb', strict: true, verify: keepRawBody }), '64 kB'));
  app.use(auditTrail(db, logger));

  const api = access.router('/api');
  api.get('/health', { access: 'public' }, async (_req, res) => {
    await db.$queryRaw`SELECT 1`;
    res.json({ status: 'ok' });
  });
  let document: ReturnType<typeof openApiDocument> | undefined;
  // built on first request, once every route is in the table
  api.get('/openapi.json', { access: 'public' }, (_req, res) => {
    document ??= openApiDocument(access.routes);
    res.json(document);
  });
  api.get('/console-config', { access: 'public', summary: "the web console's public settings: the identity provider's issuer and the console's client id" }, (_req, res) => {
    res.json(consoleConfigOf(deps.console));
  });
  app.use(api.router);
  app.use(exportsRouter(access, cases, db, logger)); // before the cases router: /api/cases/export is no case id
  app.use(casesRouter(access, cases, directory));
  app.use(catalogueRouter(access, catalogue, directory));
  app.use(departmentsRouter(access, db, directory, cases, secrets));
  app.use(referenceRouter(access, directory));
  app.use(auditRouter(access, db));
  app.use(adminRouter(access, db, secrets));
  app.use(incidentsRouter(access, db));
  app.use(statsRouter(access, db, officeHours));
  app.use(codecRouter(access, codec));
  app.use(consoleFiles(deps.console));
  // a known path asked with another method: 405 with the methods it takes, not "no such thing"
  const methodsOf = (path: string) =>
    access.routes.filter((r) => new RegExp(`^${r.path.replace(/:[A-Za-z]+/g, '[^/]+')}$`).test(path)).map((r) => r.method);
  app.use((req, res, next) => {
    const allowed = methodsOf(req.path);
    if (!allowed.length) return next(notFound(`no route ${req.method} ${req.path}`, `接口不存在：${req.method} ${req.path}`));
    res.set('Allow', allowed.join(', '));
    next(new HttpError(405, 'method_not_allowed', `${req.path} takes ${allowed.join(', ')}, not ${req.method}`, `${req.path} 只支持 ${allowed.join('、')} 方法，不支持 ${req.method}`));
  });
  app.use(errorHandler(logger));
  app.locals.routes = access.routes;
  return app as express.Express & { locals: { routes: RouteEntry[] } };
}
