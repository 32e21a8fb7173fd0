/** How a dispatched case reaches a department. */
import type { NotificationContext } from '../domain/messages';
import type { Logger } from '../logger';

export interface DepartmentDelivery {
  caseId: string;
  task: number;
  role: 'lead' | 'assist';
  department: { id: string; name: string; contact: string | null };
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
