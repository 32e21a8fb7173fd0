/** How a dispatched case reaches a department. */
import type { NotificationContext } from '../domain/messages';
import type { Logger } from '../logger';
import { signedHeaders } from './signing';

export interface DepartmentDelivery {
  caseId: string;
  task: number;
  role: 'lead' | 'assist';
  department: { id: string; name: string; contact: string | null; webhookUrl: string | null; webhookSecret: string | null };
  subject: string;
  body: string;
  context: NotificationContext;
}

export interface DepartmentConnector {
  readonly name: string;
  /** resolves once the department's side has the case; throws to be retried */
  deliver(delivery: DepartmentDelivery): Promise<{ reference?: string }>;
}

/**
 * `portal`: the department's staff work in this product (GET /api/cases?departmentId=…,
 * POST …/department-reply), so delivery is complete once the dispatch is recorded; the log
 * line stands in for the notice to the department's contact.
 */
export function portalConnector(logger: Logger): DepartmentConnector {
  return {
    name: 'portal',
    async deliver(delivery) {
      logger.info({ dispatch: delivery }, `dispatch ${delivery.caseId} to ${delivery.department.id} (portal)`);
      return { reference: `portal:${delivery.department.id}:${delivery.caseId}` };
    },
  };
}

/**
 * `webhook`: the case is POSTed as JSON to the department's own system, signed (signing.ts).
 * A non-2xx answer or a network error throws, so the activity retries with backoff; the
 * department answers later through POST /api/departments/:id/callback, signed the same way.
 */
export function webhookConnector(opts: { publicUrl: string; timeoutMs?: number; logger: Logger }): DepartmentConnector {
  return {
    name: 'webhook',
    async deliver(d) {
      const { webhookUrl, webhookSecret } = d.department;
      if (!webhookUrl || !webhookSecret) throw new Error(`department ${d.department.id} has no webhookUrl/webhookSecret configured`);
      const body = JSON.stringify({
        event: 'case.dispatched',
        caseId: d.caseId,
        task: d.task,
        role: d.role,
        department: { id: d.department.id, name: d.department.name },
        subject: d.subject,
        text: d.body,
        case: d.context,
        callbackUrl: `${opts.publicUrl}/api/departments/${d.department.id}/callback`,
      });
      const res = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `${d.caseId}:${d.task}`, ...signedHeaders(webhookSecret, body) },
        body,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      if (!res.ok) throw new Error(`department system answered ${res.status} ${res.statusText}`);
      const answer = (await res.json().catch(() => ({}))) as { reference?: unknown };
      opts.logger.info({ caseId: d.caseId, department: d.department.id }, 'dispatch delivered by webhook');
      return typeof answer.reference === 'string' ? { reference: answer.reference } : {};
    },
  };
}
