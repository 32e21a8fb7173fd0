import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../db/client';
import type { SecretBox } from '../security/secrets';
import type { DepartmentConnector } from '../adapters/department-connector';
import { type NotificationContext, renderMessage } from '../domain/messages';
import { DISPATCH_MAX_ATTEMPTS } from '../workflows/definitions';
import { attemptFailure, carried, fromDb } from './failure-budget';

/** ApplicationFailure type of a dispatch whose department's system failed DISPATCH_MAX_ATTEMPTS times. */
export const DELIVERY_FAILED = 'DeliveryFailed';

export interface DispatchInput {
  caseId: string;
  departmentId: string;
  /** the task's number within the case */
  task: number;
  role: 'lead' | 'assist';
  context: NotificationContext;
}

export function createDepartmentActivities(db: Db, connectors: Record<string, DepartmentConnector>, secrets: SecretBox) {
  return {
    /**
     * Delivers a task through the department's connector. A connector that fails is retried
     * until it has failed DISPATCH_MAX_ATTEMPTS times, counted across attempts in the heartbeat
     * details (there is no ledger row to count in); attempts that could not read the directory
     * because the database was unreachable are retried without counting.
     */
    async dispatchToDepartment({ caseId, departmentId, task, role, context }: DispatchInput) {
      const carry = carried();
      try {
        const department = await fromDb(db.department.findUnique({ where: { id: departmentId } }));
        if (!department) throw ApplicationFailure.nonRetryable(`unknown department ${departmentId}`, 'UnknownDepartment');
        const connector = connectors[department.adapter];
        if (!connector) {
          throw ApplicationFailure.nonRetryable(`department ${departmentId} uses adapter "${department.adapter}", which is not configured`, 'UnknownAdapter');
        }
        const { subject, body } = renderMessage('dispatch_to_department', context);
        const { reference } = await connector.deliver({
          caseId,
          task,
          role,
          department: { id: department.id, name: department.name, contact: department.contact, webhookUrl: department.webhookUrl, webhookSecret: department.webhookSecret && secrets.open(department.webhookSecret) },
          subject,
          body,
          context,
        });
        return { adapter: connector.name, ...(reference ? { reference } : {}) };
      } catch (err) {
        throw attemptFailure(err, carry, DISPATCH_MAX_ATTEMPTS, DELIVERY_FAILED);
      }
    },
  };
}
