import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../db/client';
import type { SecretBox } from '../security/secrets';
import type { DepartmentConnector } from '../adapters/department-connector';
import { type NotificationContext, renderMessage } from '../domain/messages';

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
    async dispatchToDepartment({ caseId, departmentId, task, role, context }: DispatchInput) {
      const department = await db.department.findUnique({ where: { id: departmentId } });
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
    },
  };
}
