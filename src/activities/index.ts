import type { Db } from '../db/client';
import type { Logger } from '../logger';
import type { SecretBox } from '../security/secrets';
import type { DepartmentConnector } from '../adapters/department-connector';
import type { ChannelType, NotificationChannel } from '../adapters/notification-channel';
import { createDepartmentActivities } from './departments';
import { createNotificationActivities } from './notifications';
import { createPersistenceActivities } from './persistence';
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

export function createActivities(deps: ActivityDeps) {
  return {
    ...createPersistenceActivities(deps.db, deps.logger?.child({ component: 'persistence' })),
    ...createNotificationActivities(deps.db, deps.channels, deps.secrets),
    ...createDepartmentActivities(deps.db, deps.connectors, deps.secrets),
    ...createUpkeepActivities(deps.db),
  };
}
