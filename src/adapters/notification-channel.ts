/**
 * Where a rendered notification goes. Each steward, department and enterprise lists its
 * contact channels in the directory ({ type, address }); the notify activity sends through
 * every configured one, each with its own ledger row.
 */
import type { Transporter } from 'nodemailer';
import type { Logger } from '../logger';

export const CHANNEL_TYPES = ['log', 'webhook', 'wecom', 'email', 'sms'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export interface OutgoingNotification {
  /** idempotency key: the same key must never reach the recipient twice */
  key: string;
  recipient: { kind: string; id: string; name: string };
  /** the channel address: a URL, an e-mail address, a phone number */
  to: string;
  subject: string;
  body: string;
  urgent: boolean;
  /** a few fields an SMS template can use */
  params: { caseId: string; deadline?: string };
}

export interface NotificationChannel {
  readonly name: ChannelType;
  send(message: OutgoingNotification): Promise<void>;
}

const TIMEOUT_MS = 10_000;

async function postJson(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`${new URL(url).host} answered ${res.status} ${res.statusText}`);
  return res.json().catch(() => ({}));
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

/** Generic JSON webhook to the address, with the idempotency key so the receiver can drop repeats. */
export function webhookChannel(): NotificationChannel {
  return {
    name: 'webhook',
    async send(m) {
      await postJson(m.to, { key: m.key, recipient: m.recipient, subject: m.subject, body: m.body, urgent: m.urgent, params: m.params }, { 'idempotency-key': m.key });
    },
  };
}

/** 企业微信 group robot: a markdown message to the robot's webhook URL (the address). */
export function wecomChannel(): NotificationChannel {
  return {
    name: 'wecom',
    async send(m) {
      const title = m.urgent ? `<font color="warning">${m.subject}</font>` : m.subject;
      const content = [`### ${title}`, ...m.body.split('\n').map((line) => `> ${line}`)].join('\n');
      const answer = (await postJson(m.to, { msgtype: 'markdown', markdown: { content } })) as { errcode?: number; errmsg?: string };
      // the robot answers 200 with an error code when it refuses a message
      if (answer.errcode !== 0) throw new Error(`WeCom robot refused the message: ${answer.errcode} ${answer.errmsg ?? ''}`);
    },
  };
}

/** E-mail through an SMTP server (nodemailer). */
export function emailChannel(transport: Transporter, from: string): NotificationChannel {
  return {
    name: 'email',
    async send(m) {
      await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.body, headers: { 'X-Steward-Notification': m.key } });
    },
  };
}

/**
 * An HTTP SMS gateway: the provider's URL and template id come from configuration; the
 * template's parameters are the case number and the deadline, as SMS templates must be approved.
 */
export function smsChannel(opts: { url: string; templateId: string; apiKey?: string }): NotificationChannel {
  return {
    name: 'sms',
    async send(m) {
      const answer = (await postJson(
        opts.url,
        { phone: m.to, templateId: opts.templateId, params: { caseId: m.params.caseId, title: m.subject, deadline: m.params.deadline ?? '' }, requestId: m.key },
        opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {},
      )) as { code?: number | string };
      if (answer.code !== undefined && String(answer.code) !== '0' && String(answer.code).toUpperCase() !== 'OK') {
        throw new Error(`SMS gateway refused the message: code ${answer.code}`);
      }
    },
  };
}
