/**
 * The API's single error path. Routes throw; this maps what they throw to a status and a
 * JSON body, so no route has its own try/catch.
 */
import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../logger';
import { ACTION_FAILED, REFUSAL_TYPES } from '../workflows/definitions';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: { field: string; message: string }[],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (message: string) => new HttpError(404, 'not_found', message);
export const conflict = (message: string) => new HttpError(409, 'refused', message);
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
export const unavailable = (message: string) => new HttpError(503, 'unavailable', message);
export const invalidField = (field: string, message: string) =>
  new HttpError(400, 'validation_failed', `${field}: ${message}`, [{ field, message }]);

const REFUSAL_STATUS: Record<string, [number, string]> = {
  [REFUSAL_TYPES.forbidden]: [403, 'forbidden'],
  [REFUSAL_TYPES.conflict]: [409, 'refused'],
  [REFUSAL_TYPES.invalid]: [400, 'invalid'],
  // the rules failed on this action (recorded on the case as rule_failed); nothing was changed
  [ACTION_FAILED]: [422, 'action_failed'],
};

interface Chain {
  name?: string;
  message?: string;
  type?: string;
  code?: number | string;
  cause?: unknown;
}

function causes(err: unknown): Chain[] {
  const out: Chain[] = [];
  let cur: unknown = err;
  while (cur && typeof cur === 'object' && out.length < 8) {
    out.push(cur as Chain);
    cur = (cur as Chain).cause;
  }
  return out;
}

// gRPC UNAVAILABLE / DEADLINE_EXCEEDED, socket errors, and database drivers that cannot connect
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|UNAVAILABLE|DEADLINE_EXCEEDED|failed to connect|Connection.*(closed|refused|terminated)|SQLITE_BUSY|database is locked|Can't reach database/i;

const UNREACHABLE_MESSAGE = 'a backing service (Temporal or the database) is unreachable; retry later';
// a change whose answer was lost may have been applied; saying "nothing was changed" would be a guess
const UNREACHABLE_CHANGE = `${UNREACHABLE_MESSAGE}. The change may or may not have been applied: retry it with the same Idempotency-Key, or read before repeating it`;

/** Translates Temporal, Prisma and body-parser failures into HttpErrors. */
export function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (err instanceof ZodError) {
    const issues = err.issues.flatMap((i) =>
      // name each unknown field rather than its parent object
      i.code === 'unrecognized_keys'
        ? i.keys.map((k) => ({ field: [...i.path, k].join('.'), message: 'unknown field' }))
        : [{ field: i.path.join('.') || '(root)', message: i.message }],
    );
    return new HttpError(400, 'validation_failed', issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
  }
  const chain = causes(err);
  const refusal = chain.find((c) => c.type && c.type in REFUSAL_STATUS);
  if (refusal) {
    const [status, code] = REFUSAL_STATUS[refusal.type!]!;
    return new HttpError(status, code, refusal.message ?? code);
  }
  const top = chain[0] ?? {};
  const bodyType = (err as { type?: string }).type;
  if (bodyType === 'entity.too.large') return new HttpError(413, 'payload_too_large', 'request body is larger than the 64 kB limit');
  if (bodyType === 'entity.parse.failed') return new HttpError(400, 'malformed_json', 'request body is not valid JSON');
  if (bodyType === 'encoding.unsupported' || bodyType === 'charset.unsupported') {
    return new HttpError(415, 'unsupported_encoding', top.message ?? 'unsupported encoding');
  }
  // what Express and body-parser reject themselves (a broken percent-encoding, a body that is
  // not the gzip it claims): their own 4xx, in our shape
  const own = err as { status?: number; expose?: boolean; message?: string };
  if (err instanceof URIError || (own.expose && typeof own.status === 'number' && own.status >= 400 && own.status < 500)) {
    const status = err instanceof URIError ? 400 : own.status!;
    return new HttpError(status, status === 415 ? 'unsupported_media_type' : status === 413 ? 'payload_too_large' : 'bad_request', own.message ?? 'bad request');
  }
  if (chain.some((c) => c.name === 'WorkflowNotFoundError')) return notFound('case not found');
  if (chain.some((c) => /workflow execution already completed/i.test(c.message ?? ''))) {
    return conflict('the case is already closed');
  }
  // Prisma P1008: an operation timed out (SQLite: another process held the write lock past
  // SQLITE_LOCK_WAIT_MS); P1001/P1017: the server cannot be reached or closed the connection
  if (chain.some((c) => c.code === 14 || c.code === 4 || c.code === 'P1008' || c.code === 'P1001' || c.code === 'P1017' || UNREACHABLE.test(`${c.name ?? ''} ${c.message ?? ''} ${String(c.code ?? '')}`))) {
    return unavailable(UNREACHABLE_MESSAGE);
  }
  return null;
}

/** A backing service (Temporal, the database) could not be reached: not a failure of this request. */
export const isUnavailable = (err: unknown): boolean => toHttpError(err)?.status === 503;

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const http = toHttpError(err);
    const requestId = req.requestId;
    const path = req.originalUrl.split('?')[0];
    if (!http) {
      logger.error({ err, reqId: requestId, method: req.method, path }, 'unhandled error');
      res.status(500).json({ error: { code: 'internal', message: 'internal error; it has been logged', requestId } });
      return;
    }
    const message = http.message === UNREACHABLE_MESSAGE && !['GET', 'HEAD'].includes(req.method) ? UNREACHABLE_CHANGE : http.message;
    if (http.status >= 500) logger.warn({ err, reqId: requestId, path }, message);
    res.status(http.status).json({ error: { code: http.code, message, requestId, ...(http.issues ? { issues: http.issues } : {}) } });
  };
}
