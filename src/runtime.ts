/**
 * Wiring shared by the entry points (main, worker, server) and the end-to-end tests: the
 * only code that turns configuration into live connections, adapters and a running worker.
 */
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities } from './activities';
import { portalConnector, webhookConnector } from './adapters/department-connector';
import nodemailer from 'nodemailer';
import {
  type ChannelType,
  emailChannel,
  logChannel,
  type NotificationChannel,
  smsChannel,
  webhookChannel,
  wecomChannel,
} from './adapters/notification-channel';
import { type Config, corsOriginsOf, officeHoursOf } from './config';
import type { Db } from './db/client';
import type { Logger } from './logger';
import type { SecretBox } from './security/secrets';

export interface TemporalTarget {
  address: string;
  namespace: string;
  tls?: boolean;
  apiKey?: string;
  /** encrypts payloads on their way to Temporal and decrypts them back (src/temporal/codec.ts) */
  payloadCodec?: PayloadCodec;
}

export function temporalTarget(config: Config, address: string): TemporalTarget {
  return {
    address,
    namespace: config.TEMPORAL_NAMESPACE,
    tls: config.TEMPORAL_TLS,
    ...(config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY } : {}),
  };
}

// client and worker must share the codec, or one side cannot read what the other wrote
const dataConverter = (t: TemporalTarget) => (t.payloadCodec ? { dataConverter: { payloadCodecs: [t.payloadCodec] } } : {});

const connectionOptions = (t: TemporalTarget) => ({
  address: t.address,
  ...(t.tls || t.apiKey ? { tls: true } : {}),
  ...(t.apiKey ? { apiKey: t.apiKey } : {}),
});

/**
 * A client whose connection is made lazily, so the API can start (and answer 503) while
 * Temporal is down instead of refusing to boot.
 */
export function createTemporalClient(t: TemporalTarget): { client: Client; connection: Connection } {
  const connection = Connection.lazy({
    ...connectionOptions(t),
    connectTimeout: '3 seconds',
    // the SDK's default (10 attempts, ~20 s) would keep an HTTP caller hanging; a short
    // retry rides out a blip, then the caller gets a 503 and retries on their own terms
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4 }))],
  });
  return { client: new Client({ connection, namespace: t.namespace, ...dataConverter(t) }), connection };
}

export interface WorkerDeps {
  db: Db;
  logger: Logger;
  target: TemporalTarget;
  taskQueue: string;
  /** notification channels by type; default: log, webhook and WeCom (see notificationChannels) */
  channels?: Partial<Record<ChannelType, NotificationChannel>>;
  /** base URL departments' systems call back (webhook adapter) */
  publicUrl?: string;
  /** opens the directory's sealed secrets (webhook secrets, robot keys) */
  secrets: SecretBox;
  /** prebuilt bundle (tests); default: bundle src/workflows at start */
  workflowBundle?: WorkflowBundleOption;
  /** WORKER_CACHED_CASES, WORKER_TASK_SLOTS, WORKER_ACTIVITY_SLOTS (config.ts) */
  tuning?: Partial<Pick<Config, 'WORKER_CACHED_CASES' | 'WORKER_TASK_SLOTS' | 'WORKER_ACTIVITY_SLOTS'>>;
}

export async function createCaseWorker({ db, logger, target, taskQueue, channels, secrets, publicUrl = 'http://127.0.0.1:3000', workflowBundle, tuning = {} }: WorkerDeps) {
  const connection = await NativeConnection.connect(connectionOptions(target));
  const activities = createActivities({
    db,
    logger,
    channels: channels ?? notificationChannels({}, logger),
    secrets,
    connectors: {
      portal: portalConnector(logger.child({ component: 'departments' })),
      webhook: webhookConnector({ publicUrl, logger: logger.child({ component: 'departments' }) }),
    },
  });
  const worker = await Worker.create({
    connection,
    namespace: target.namespace,
    taskQueue,
    activities,
    // a case's tasks go to the worker that has it cached; when that worker dies they move to any
    // worker after this long (default 10 s, felt as actions waiting that long after a crash)
    stickyQueueScheduleToStartTimeout: '2 seconds',
    // bounded, so a worker's memory does not grow with the number of open cases
    maxCachedWorkflows: tuning.WORKER_CACHED_CASES ?? 1000,
    maxConcurrentWorkflowTaskExecutions: tuning.WORKER_TASK_SLOTS ?? 40,
    maxConcurrentActivityTaskExecutions: tuning.WORKER_ACTIVITY_SLOTS ?? 100,
    maxConcurrentLocalActivityExecutions: tuning.WORKER_ACTIVITY_SLOTS ?? 100,
    ...dataConverter(target),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
  });
  return { worker, connection };
}

/** The channels this deployment can send through: e-mail and SMS only once configured. */
export function notificationChannels(
  config: Partial<Pick<Config, 'SMTP_URL' | 'SMTP_FROM' | 'SMS_GATEWAY_URL' | 'SMS_TEMPLATE_ID' | 'SMS_API_KEY'>>,
  logger: Logger,
): Partial<Record<ChannelType, NotificationChannel>> {
  return {
    log: logChannel(logger.child({ component: 'notifications' })),
    webhook: webhookChannel(),
    wecom: wecomChannel(),
    // nodemailer's own timeouts (2 min to connect, 10 min idle) outlast the notify activity's
    // 30 s, and a timed-out attempt is not counted as the channel failing: keep them shorter
    ...(config.SMTP_URL
      ? { email: emailChannel(nodemailer.createTransport({ url: config.SMTP_URL, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 }), config.SMTP_FROM ?? 'steward@localhost') }
      : {}),
    ...(config.SMS_GATEWAY_URL
      ? { sms: smsChannel({ url: config.SMS_GATEWAY_URL, templateId: config.SMS_TEMPLATE_ID ?? 'STEWARD_NOTICE', ...(config.SMS_API_KEY ? { apiKey: config.SMS_API_KEY } : {}) }) }
      : {}),
  };
}

/** The API's settings that come straight from configuration (main and server share them). */
export function appSettings(config: Config, extraOrigins: string[] = []) {
  return {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    officeHours: officeHoursOf(config),
    quietHours: config.QUIET_HOURS,
    actionWaitMs: config.ACTION_WAIT_MS,
    corsOrigins: [...corsOriginsOf(config), ...extraOrigins],
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
  };
}
