import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger';

const CALLER_ID = /^[A-Za-z0-9._:-]{8,100}$/;

/**
 * Gives each request an id (the caller's X-Request-Id when it is a sane token, else a new one),
 * answers it in X-Request-Id, and logs one line per request with it and who asked — never
 * headers, bodies or tokens.
 */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    const id = given && CALLER_ID.test(given) ? given : randomUUID();
    req.requestId = id;
    res.set('X-Request-Id', id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.debug(
        { reqId: id, method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ms: Math.round(ms * 10) / 10, who: req.principal?.subject },
        'request',
      );
    });
    next();
  };
}
