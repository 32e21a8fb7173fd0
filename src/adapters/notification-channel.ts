/** Where a rendered notification goes. Issue-sized channels (WeCom, SMS, e-mail) plug in here. */
import type { Logger } from '../logger';

export interface OutgoingNotification {
  /** idempotency key: the same key must never reach the recipient twice */
  key: string;
  recipient: { kind: string; id: string; name: string; phone?: string | null; email?: string | null };
  subject: string;
  body: string;
  urgent: boolean;
}

export interface NotificationChannel {
  readonly name: string;
  send(message: OutgoingNotification): Promise<void>;
}

/** Default channel: a structured log line per message (what a pilot without gateways gets). */
export function logChannel(logger: Logger): NotificationChannel {
  return {
    name: 'log',
    async send(message) {
      logger.info({ notification: message }, `notify ${message.recipient.kind} ${message.recipient.id}: ${message.subject}`);
    },
  };
}
