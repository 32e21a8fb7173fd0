/**
 * The audit log: who changed what, and who read a case's private data — when, from which address,
 * with which request id and outcome. Rows are only ever inserted (the database refuses anything
 * else). Written after the answer is sent, so auditing never slows or fails a request; while the
 * database is unreachable entries wait (in order, and in the log) and are written once it is back;
 * a write refused for any other reason is logged as an error with everything it would have held.
 */
import type { RequestHandler } from 'express';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import type { AuditLocals } from './access';
import type { Prisma } from '../generated/sqlite/client';
import { isUnavailable } from '../api/errors';

const RETRY_EVERY_MS = 5_000;
const MAX_WAITING = 10_000;

export function auditTrail(db: Db, logger: Logger): RequestHandler {
  // entries the database could not take (it is down): kept in order and written once it is back
  const waiting: Prisma.AuditLogCreateInput[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = async () => {
    timer = undefined;
    while (waiting.length) {
      try {
        await db.auditLog.create({ data: waiting[0]! });
        waiting.shift();
      } catch (err) {
        if (!isUnavailable(err)) logger.error({ err, audit: waiting.shift() }, 'audit entry could not be written');
        else break;
      }
    }
    if (waiting.length) timer = setTimeout(flush, RETRY_EVERY_MS).unref();
  };
  const write = (entry: Prisma.AuditLogCreateInput) =>
    db.auditLog.create({ data: entry }).catch((err: unknown) => {
      if (!isUnavailable(err) || waiting.length >= MAX_WAITING) {
        logger.error({ err, audit: entry }, 'audit entry could not be written');
        return;
      }
      // the log holds it too, in case this process ends before the database is back
      logger.warn({ audit: entry, waiting: waiting.length + 1 }, 'audit entry waiting for the database');
      waiting.push(entry);
      timer ??= setTimeout(flush, RETRY_EVERY_MS).unref();
    });
  return (req, res, next) => {
    res.on('finish', () => {
      const action = (res.locals as AuditLocals).audit;
      if (!action) return;
      const read = req.method === 'GET';
      // a read is audited when private data went out; a change whenever someone known attempted it
      if (read ? res.statusCode !== 200 : !req.principal) return;
      const entry = {
        personId: req.principal?.personId ?? null,
        subject: req.principal?.subject ?? null,
        action,
        target: req.auditTarget?.target ?? req.originalUrl.split('?')[0]!,
        townId: req.auditTarget?.townId ?? null,
        status: res.statusCode,
        ip: req.ip ?? null,
        requestId: req.requestId ?? null,
        ...(req.auditTarget?.detail ? { detail: req.auditTarget.detail as object } : {}),
      };
      void write(entry);
    });
    next();
  };
}
