import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Db } from '../db/client';
import type { NotificationIntent, Recipient } from '../domain/case-rules';
import { type NotificationContext, renderMessage } from '../domain/messages';
import type { NotificationChannel } from '../adapters/notification-channel';
import { NOTIFY_MAX_ATTEMPTS } from '../workflows/definitions';

export interface NotifyInput {
  caseId: string;
  intent: NotificationIntent;
  context: NotificationContext;
}

export const notificationKey = (caseId: string, i: NotificationIntent) =>
  `${caseId}:${i.eventSeq}:${i.template}:${i.recipient.kind}:${i.recipient.id}`;

async function lookupRecipient(db: Db, r: Recipient) {
  if (r.kind === 'steward') {
    const s = await db.steward.findUnique({ where: { id: r.id } });
    return s && { kind: r.kind, id: s.id, name: s.name, phone: s.phone, email: s.email };
  }
  if (r.kind === 'department') {
    const d = await db.department.findUnique({ where: { id: r.id } });
    return d && { kind: r.kind, id: d.id, name: d.name, phone: null, email: null };
  }
  const e = await db.enterprise.findUnique({ where: { id: r.id } });
  return e && { kind: r.kind, id: e.id, name: e.name, phone: e.contactPhone, email: null };
}

export function createNotificationActivities(db: Db, channel: NotificationChannel) {
  return {
    /**
     * Sends one notification at most once: the row keyed by event and recipient is the
     * ledger, and a row already marked sent short-circuits any retry.
     */
    async notify({ caseId, intent, context }: NotifyInput): Promise<{ id: string; status: 'sent'; duplicate: boolean }> {
      const id = notificationKey(caseId, intent);
      const recipient = await lookupRecipient(db, intent.recipient);
      if (!recipient) {
        throw ApplicationFailure.nonRetryable(`unknown ${intent.recipient.kind} ${intent.recipient.id}`, 'UnknownRecipient');
      }
      const message = renderMessage(intent.template, context);
      const row = await db.notification.upsert({
        where: { id },
        create: {
          id,
          caseId,
          eventSeq: intent.eventSeq,
          recipientId: recipient.id,
          channel: channel.name,
          template: intent.template,
          payload: { ...message, urgent: intent.urgent },
          status: 'queued',
        },
        update: {},
      });
      if (row.status === 'sent') return { id, status: 'sent', duplicate: true };
      const attempt = Context.current().info.attempt;
      try {
        await channel.send({ key: id, recipient, subject: message.subject, body: message.body, urgent: intent.urgent });
      } catch (err) {
        const lastError = err instanceof Error ? err.message : String(err);
        await db.notification.update({
          where: { id },
          data: { attempts: { increment: 1 }, lastError, status: attempt >= NOTIFY_MAX_ATTEMPTS ? 'failed' : 'retrying' },
        });
        throw err;
      }
      await db.notification.update({ where: { id }, data: { attempts: { increment: 1 }, status: 'sent', sentAt: new Date(), lastError: null } });
      return { id, status: 'sent', duplicate: false };
    },
  };
}
