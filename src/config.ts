/** The environment, parsed once. Nothing else in the product reads process.env. */
import { z } from 'zod';
import type { OfficeHours } from './domain/working-time';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** how departments' systems reach this API (callback URLs in webhook dispatches); default http://HOST:PORT */
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, 'must be file:<path> (SQLite) or postgresql://… (PostgreSQL)')
    .default('file:./data/steward.db'),
  /** unset: start an embedded Temporal dev server persisting to TEMPORAL_DB_FILE */
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port, e.g. temporal.internal:7233')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('steward-cases'),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: bool.default(false),
  TEMPORAL_DB_FILE: z.string().min(1).default('./data/temporal.db'),
  TEMPORAL_DEV_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  TEMPORAL_CLI: z.string().min(1).default('./.temporal/bin/temporal'),
  /** service catalogue seed (categories and time limits), loaded into an empty database */
  CATALOGUE_FILE: z.string().min(1).optional(),
  /** office hours in Beijing time: working-hour and working-day deadlines count these */
  OFFICE_HOURS: z
    .string()
    .regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/, 'must be HH:MM-HH:MM, e.g. 09:00-17:30')
    .default('09:00-17:30'),
  /** lunch break inside office hours, or "none" */
  LUNCH_BREAK: z
    .string()
    .regex(/^(\d{2}:\d{2}-\d{2}:\d{2}|none)$/, 'must be HH:MM-HH:MM or none')
    .default('12:00-13:30'),
  /** hold non-urgent notifications outside office hours until the next working period */
  QUIET_HOURS: bool.default(true),
  /** e-mail channel: smtp(s)://user:pass@host:port; unset = no e-mail */
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be smtp://… or smtps://…').optional(),
  SMTP_FROM: z.string().min(3).default('楼长制服务 <steward@localhost>'),
  /** SMS channel: the provider's HTTP gateway, its approved template, and an API key */
  SMS_GATEWAY_URL: z.url().optional(),
  SMS_TEMPLATE_ID: z.string().min(1).default('STEWARD_NOTICE'),
  SMS_API_KEY: z.string().min(1).optional(),
  /**
   * OpenID Connect issuer whose access tokens the API accepts (discovery at
   * <issuer>/.well-known/openid-configuration). Unset: npm start runs the local demo identity
   * provider at http://HOST:LOCAL_IDP_PORT and uses it.
   */
  OIDC_ISSUER: z.url().optional(),
  /** the API's audience: access tokens must carry it in `aud` */
  OIDC_AUDIENCE: z.string().min(1).default('steward-api'),
  /** the token claim that names the person (matched against Person.subject) */
  OIDC_SUBJECT_CLAIM: z.string().min(1).default('sub'),
  /** tolerated clock difference with the identity provider, seconds */
  OIDC_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(300).default(30),
  /** the embedded local identity provider's port (when OIDC_ISSUER is unset) */
  LOCAL_IDP_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
  /**
   * AES-256-GCM keys for private data in Temporal payloads: "kid:base64key[,kid:base64key...]",
   * the first encrypts, all decrypt (rotation). Unset: generated once into KEY_FILE.
   */
  PAYLOAD_KEYS: z.string().regex(/^[A-Za-z0-9_.-]+:[A-Za-z0-9+/=]+(,[A-Za-z0-9_.-]+:[A-Za-z0-9+/=]+)*$/, 'must be kid:base64key[,kid:base64key...]').optional(),
  /** keys for secrets stored in the database (webhook secrets, robot keys); same format as PAYLOAD_KEYS */
  SECRET_KEYS: z.string().regex(/^[A-Za-z0-9_.-]+:[A-Za-z0-9+/=]+(,[A-Za-z0-9_.-]+:[A-Za-z0-9+/=]+)*$/, 'must be kid:base64key[,kid:base64key...]').optional(),
  /** where generated keys live on the embedded default (never used when both *_KEYS are set) */
  KEY_FILE: z.string().min(1).default('./data/keys.json'),
  /** browser origins allowed to call the API (CORS), comma-separated; the Web UI of npm start is added */
  CORS_ORIGINS: z.string().default(''),
  /** write requests per identity per minute before 429 */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SEED_DEMO: bool.default(true),
  /** how long an API call waits for an accepted action to reach the read model before answering 202 */
  ACTION_WAIT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /**
   * cases a worker keeps in memory (each a few hundred kB); a case not among them is replayed from
   * its history on its next step. The SDK's default grows with the heap (≈2,300 on a 4 GB heap),
   * so a worker's memory grew with every open case up to that; see README "Tuning the worker".
   */
  WORKER_CACHED_CASES: z.coerce.number().int().min(2).max(100_000).default(1000),
  /** workflow tasks a worker runs at once (a task holds its slot while its record is written) */
  WORKER_TASK_SLOTS: z.coerce.number().int().min(2).max(1000).default(40),
  /** activities a worker runs at once (mostly waiting on channels and departments' systems) */
  WORKER_ACTIVITY_SLOTS: z.coerce.number().int().min(1).max(10_000).default(100),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Variables whose values are secrets: never printed, not even in a configuration error. */
export const SECRET_VARIABLES = new Set(['PAYLOAD_KEYS', 'SECRET_KEYS', 'SMS_API_KEY', 'TEMPORAL_API_KEY', 'SMTP_URL']);

export function officeHoursOf(config: Pick<Config, 'OFFICE_HOURS' | 'LUNCH_BREAK'>): OfficeHours {
  const [start, end] = config.OFFICE_HOURS.split('-') as [string, string];
  if (config.LUNCH_BREAK === 'none') return { start, end };
  const [lunchStart, lunchEnd] = config.LUNCH_BREAK.split('-') as [string, string];
  return { start, end, lunchStart, lunchEnd };
}

export function corsOriginsOf(config: Pick<Config, 'CORS_ORIGINS'>): string[] {
  return config.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in ConfigSchema.shape && v !== ''));
  const parsed = ConfigSchema.safeParse(present);
  if (!parsed.success) {
    // a secret's value is never echoed, not even a wrong one: name the variable and the rule
    // (and a URL's password is masked)
    const shown = (name: string) =>
      SECRET_VARIABLES.has(name) ? '(set; value not shown)' : JSON.stringify(present[name]?.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@'));
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}=${shown(String(i.path[0]))}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
