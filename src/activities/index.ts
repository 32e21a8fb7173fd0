import type { Db } from '../db/client';
import type { Logger } from '../logger';
import type { SecretBox } from '../security/secrets';
import type { DepartmentConnector } from '../adapters/department-connector';
import type { ChannelType, NotificationChannel } from '../adapters/notification-channel';
import { createDepartmentActivities } from './departments';
import { createNotificationActivities, type QuickNotice, type QuickOutcome } from './notifications';
import { createPersistenceActivities, type CaseSnapshot } from './persistence';
import type { CaseEvent } from '../domain/case-model';
import { createUpkeepActivities } from './case-upkeep';

export interface ActivityDeps {
  db: Db;
  channels: Partial<Record<ChannelType, NotificationChannel>>;
  connectors: Record<string, DepartmentConnector>;
  /** opens the directory's sealed secrets (webhook secrets, robot keys) */
  secrets: SecretBox;
  /** the worker's logger; default a fresh one */
  logger?: Logger;
}

export interface RecordStepInput {
  state: CaseSnapshot;
  events: CaseEvent[];
  /** notices these events raised, to send once they are recorded */
  notices: QuickNotice[];
}

export function createActivities(deps: ActivityDeps) {
  const persistence = createPersistenceActivities(deps.db, deps.logger?.child({ component: 'persistence' }));
  const { sendWithRecord, ...notifications } = createNotificationActivities(deps.db, deps.channels, deps.secrets);
  return {
    ...persistence,
    ...notifications,
    ...createDepartmentActivities(deps.db, deps.connectors, deps.secrets),
    ...createUpkeepActivities(deps.db),
    /**
     * A step as the case's own workflow task records it (a local activity): the batch written as
     * persistCase writes it, then the notices it raised sent (each one either done or handed back
     * to the workflow for the notify activity), so a notice costs no activity task of its own.
     */
    async recordStep({ notices, ...batch }: RecordStepInput): Promise<{ version: number; inserted: number; notices: QuickOutcome[] }> {
      const recorded = await persistence.persistCase(batch);
      return { ...recorded, notices: notices.length ? await sendWithRecord(batch.state.caseId, notices) : [] };
    },
  };
}
