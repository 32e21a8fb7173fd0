import { ApplicationFailure } from '@temporalio/activity';
import type { ChannelType, NotificationChannel } from '../adapters/notification-channel';
import type { Db } from '../db/client';
import { mapChannelSecrets, type SecretBox } from '../security/secrets';
import type { NotificationIntent, Recipient } from '../domain/case-rules';
import { type NotificationContext, renderMessage } from '../domain/messages';
import { beijingTime } from '../domain/readable-time';
import type { Prisma } from '../generated/sqlite/client';
import { NOTIFY_MAX_ATTEMPTS } from '../workflows/definitions';
import { attemptFailure, carried, fromDb, handOn, type Carried } from './failure-budget';

export interface NotifyInput {
  caseId: string;
  intent: NotificationIntent;
  context: NotificationContext;
  /** quiet hours: record the notification as held until then, and send nothing yet */
  holdUntil?: string;
  /** ledger rows a channel took in an earlier try (the worker's quick try in the case's own task) that could not be recorded */
  alreadySent?: string[];
}

/** A notice sent with the read-model write that raised it (see `sendWithRecord`). */
export type QuickNotice = Pick<NotifyInput, 'intent' | 'context'>;

/** What the quick try did with a notice: done (sent or sent before), or handed to the notify activity. */
export type QuickOutcome = { done: true } | { done: false; alreadySent?: string[] };

export interface ContactChannel {
  type: ChannelType;
  address: string;
}

export const notificationKey = (caseId: string, i: NotificationIntent) =>
  `${caseId}:${i.eventSeq}:${i.template}:${i.recipient.kind}:${i.recipient.id}`;

const LOG_ONLY: ContactChannel[] = [{ type: 'log', address: '' }];

function channelsOf(value: unknown): ContactChannel[] {
  return Array.isArray(value) && value.length ? (value as ContactChannel[]) : LOG_ONLY;
}

async function lookupRecipient(db: Db, secrets: SecretBox, r: Recipient) {
  const row =
    r.kind === 'steward'
      ? await fromDb(db.steward.findUnique({ where: { id: r.id } }))
      : r.kind === 'department'
        ? await fromDb(db.department.findUnique({ where: { id: r.id } }))
        : await fromDb(db.enterprise.findUnique({ where: { id: r.id } }));
  if (!row) return null;
  // `address` opens a sealed robot key or webhook token for sending; `stored` is what the ledger keeps
  const stored = channelsOf(row.channels);
  const channels = mapChannelSecrets<ContactChannel>(stored, (v) => secrets.open(v))!.map((c, i) => ({ ...c, stored: stored[i]!.address }));
  return { kind: r.kind, id: row.id, name: row.name, channels };
}

/** ApplicationFailure types: a channel failed within its budget (counted in the ledger), or gave up. */
export const CHANNEL_FAILED = 'ChannelFailed';
export const NOTIFICATION_FAILED = 'NotificationFailed';

/**
 * A channel that failed or answered slowly in a quick try is left to the notify activity, with
 * its retries and its own timeout, for a while: a quick try holds the case's workflow task (and an
 * action's answer), so only channels that answer at once are tried there.
 */
export const QUICK_SEND_SLOW_MS = 250;
export const QUICK_SEND_PAUSE_MS = 5 * 60_000;

export function createNotificationActivities(db: Db, channels: Partial<Record<ChannelType, NotificationChannel>>, secrets: SecretBox) {
  const quickPausedUntil = new Map<ChannelType, number>();
  const quickPaused = (type: ChannelType) => (quickPausedUntil.get(type) ?? 0) > Date.now();

  async function send({ caseId, intent, context, holdUntil }: NotifyInput, carry: Carried, quick = false): Promise<{ sent: number; held: number; skipped: number }> {
    const base = notificationKey(caseId, intent);
    const recipient = await lookupRecipient(db, secrets, intent.recipient);
    if (!recipient) {
      throw ApplicationFailure.nonRetryable(`unknown ${intent.recipient.kind} ${intent.recipient.id}`, 'UnknownRecipient');
    }
    if (quick && recipient.channels.some((c) => !channels[c.type] || quickPaused(c.type))) throw new Error('a channel is paused for quick tries or not configured');
    const message = renderMessage(intent.template, context);
    const rows = await fromDb(
      Promise.all(
        recipient.channels.map((c) =>
          db.notification.upsert({
            where: { id: `${base}:${c.type}` },
            create: {
              id: `${base}:${c.type}`,
              caseId,
              eventSeq: intent.eventSeq,
              recipientId: recipient.id,
              channel: c.type,
              address: c.stored,
              template: intent.template,
              payload: { ...message, urgent: intent.urgent } as Prisma.InputJsonValue,
              status: holdUntil ? 'held' : 'queued',
              ...(holdUntil ? { sendAfter: new Date(holdUntil) } : {}),
            },
            update: {},
          }),
        ),
      ),
    );
    if (holdUntil) return { sent: 0, held: rows.length, skipped: 0 };

    let sent = 0;
    let skipped = 0;
    const retrying: string[] = [];
    const exhausted: string[] = [];
    const markSent = (id: string) =>
      fromDb(db.notification.update({ where: { id }, data: { attempts: { increment: 1 }, status: 'sent', sentAt: new Date(), lastError: null } }));
    for (const [i, c] of recipient.channels.entries()) {
      const row = rows[i]!;
      if (row.status === 'sent') {
        skipped++;
        continue;
      }
      const channel = channels[c.type];
      if (!channel) {
        if (row.status !== 'failed') {
          await fromDb(db.notification.update({ where: { id: row.id }, data: { status: 'failed', lastError: `channel ${c.type} is not configured in this deployment` } }));
        }
        continue;
      }
      if (row.status === 'failed') {
        exhausted.push(`${c.type}: ${row.lastError}`); // gave up in an earlier attempt
        continue;
      }
      if (carry.sent.includes(row.id)) {
        await markSent(row.id); // taken by the channel in an earlier attempt; only the record was missing
        sent++;
        continue;
      }
      const started = Date.now();
      try {
        await channel.send({
          key: row.id,
          recipient: { kind: recipient.kind, id: recipient.id, name: recipient.name },
          to: c.address,
          subject: message.subject,
          body: message.body,
          urgent: intent.urgent,
          params: { caseId, ...(context.dueAt ? { deadline: beijingTime(context.dueAt) } : {}) },
        });
      } catch (err) {
        if (quick) quickPausedUntil.set(c.type, Date.now() + QUICK_SEND_PAUSE_MS);
        // the ledger counts this channel's failures; one it cannot record (database gone) is not counted
        const lastError = err instanceof Error ? err.message : String(err);
        const final = row.attempts + 1 >= NOTIFY_MAX_ATTEMPTS;
        await fromDb(db.notification.update({ where: { id: row.id }, data: { attempts: { increment: 1 }, lastError, status: final ? 'failed' : 'retrying' } }));
        (final ? exhausted : retrying).push(`${c.type}: ${lastError}`);
        continue;
      }
      if (quick && Date.now() - started > QUICK_SEND_SLOW_MS) quickPausedUntil.set(c.type, Date.now() + QUICK_SEND_PAUSE_MS);
      // handed on before it is recorded: if the database fails or hangs now, the retry records it without sending again
      carry.sent.push(row.id);
      if (!quick) handOn(carry);
      await markSent(row.id);
      sent++;
    }
    if (retrying.length) throw ApplicationFailure.create({ type: CHANNEL_FAILED, message: retrying.join('; ') });
    if (exhausted.length) {
      throw ApplicationFailure.nonRetryable(`${exhausted.join('; ')} (gave up after ${NOTIFY_MAX_ATTEMPTS} failures)`, NOTIFICATION_FAILED);
    }
    if (!sent && !skipped) {
      throw ApplicationFailure.nonRetryable(`no configured channel for ${recipient.kind} ${recipient.id}`, 'NoChannel');
    }
    return { sent, held: 0, skipped };
  }

  return {
    /**
     * Sends one notification through each of the recipient's channels, at most once per
     * channel: a ledger row per (event, template, recipient, channel) is marked sent, and a
     * retry skips the rows already sent. A channel that fails makes the activity retry until it
     * has failed NOTIFY_MAX_ATTEMPTS times (the row's `attempts`); then the row is `failed` and
     * the activity fails for good. An unreachable database costs nothing from that budget: the
     * workflow retries without limit, and the notice goes out once the database is back.
     * A channel this deployment has not configured is recorded as failed, not retried.
     */
    async notify(input: NotifyInput): Promise<{ sent: number; held: number; skipped: number }> {
      const carry = carried(input.alreadySent);
      try {
        return await send(input, carry);
      } catch (err) {
        // anything else that keeps failing (a bug, a refused write) is bounded by the same budget
        throw attemptFailure(err, carry, NOTIFY_MAX_ATTEMPTS, NOTIFICATION_FAILED, [CHANNEL_FAILED]);
      }
    },

    /**
     * The quick try, run by the read-model write that raised these notices, in the case's own
     * workflow task, once its transaction has committed: each notice whose channels are all
     * configured and answering at once is sent and recorded like `notify` would. Anything else —
     * a channel that fails or is slow (it is then skipped for QUICK_SEND_PAUSE_MS), an unknown
     * recipient, the database gone — is not retried here: the notice is handed to the notify
     * activity, with its retries and failure budget, and with the ledger rows a channel took
     * but the database could not record, so it does not send them twice.
     */
    async sendWithRecord(caseId: string, notices: QuickNotice[]): Promise<QuickOutcome[]> {
      const outcomes: QuickOutcome[] = [];
      for (const n of notices) {
        const carry: Carried = { failures: 0, sent: [] };
        try {
          await send({ caseId, ...n }, carry, true);
          outcomes.push({ done: true });
        } catch {
          outcomes.push(carry.sent.length ? { done: false, alreadySent: carry.sent } : { done: false });
        }
      }
      return outcomes;
    },
  };
}
