import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Paths that may hold a secret or a token wherever they appear in a logged object: they are
 * replaced, never printed. Log calls pass ids and statuses, not bodies; this is the safety net.
 */
export const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'client_secret',
  '*.client_secret',
  'webhookSecret',
  '*.webhookSecret',
  'apiKey',
  '*.apiKey',
  'PAYLOAD_KEYS',
  'SECRET_KEYS',
  'SMS_API_KEY',
  'TEMPORAL_API_KEY',
  'SMTP_URL',
];

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  const options = { level, base: { service: 'steward-appeals' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

/** For tests and tools that must stay quiet. */
export const silentLogger: Logger = pino({ level: 'silent' });
