/**
 * The audit log: who changed what, and who read a case's private data — when, from which address,
 * with which request id and outcome. Rows are only ever inserted (the database refuses anything
 * else). Written after the answer is sent, so auditing never slows or fails a request; a write
 * that cannot be recorded is logged as an error with everything it would have held.
 */
import type { RequestHandler } from 'express';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import type { AuditLocals } from './access';

export function auditTrail(db: Db, logger: Logger): RequestHandler {
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
      db.auditLog.create({ data: entry }).catch((err: unknown) => logger.error({ err, audit: entry }, 'audit entry could not be written'));
    });
    next();
  };
}
