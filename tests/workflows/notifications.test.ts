/**
 * Notifications from a running case (issue 4): the real notify activity, a real SQLite ledger
 * and a real HTTP channel that is down for a while; and quiet hours on the case's calendar.
 */
import { testSecrets } from '../helpers/secrets';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../../src/activities';
import { wecomChannel } from '../../src/adapters/notification-channel';
import { createDb, type Db } from '../../src/db/client';
import { migrateDeploy } from '../../src/db/migrate';
import { seedDemo } from '../../src/db/seed';
import { ACTION_UPDATES } from '../../src/workflows/definitions';
import { CALENDAR, caseInput, enterprise } from '../fixtures/case-input';
import { useTimeSkippingCases } from '../helpers/case-harness';
import { eventually } from '../helpers/eventually';
import { startHttpSink } from '../helpers/http-sink';

const { env, withCase, ended } = useTimeSkippingCases();
const DAY = 86_400_000;

let dir: string;
let db: Db;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'steward-notify-'));
  const url = `file:${path.join(dir, 'n.db')}`;
  await migrateDeploy(url);
  db = createDb(url);
  await seedDemo(db);
});

afterAll(async () => {
  await db?.$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

it('delivers each notification exactly once through a channel that is down for a while, and never blocks the case', async () => {
  // the 点楼长's WeCom robot fails its first three calls, then recovers
  const robot = await startHttpSink((_r, n) => (n <= 3 ? { status: 502, body: {} } : { status: 200, body: { errcode: 0, errmsg: 'ok' } }));
  try {
    // the robot's URL (it carries the key) is stored sealed; the activity opens it to send
    const secrets = testSecrets();
    await db.steward.update({ where: { id: 'stw-point-1' }, data: { channels: [{ type: 'wecom', address: secrets.seal(`${robot.url}/robot?key=p1`) }] } });
    const activities = createActivities({ db, channels: { wecom: wecomChannel(), log: { name: 'log', send: async () => undefined } }, connectors: {}, secrets });
    const result = await withCase(
      async (h, caseId) => {
        // the case moves on while the notice is being retried
        expect((await h.executeUpdate(ACTION_UPDATES.acknowledge, { args: [{ actor: { kind: 'steward', id: 'stw-point-1', level: 1 } }] })).stage).toBe('acknowledged');
        await h.executeUpdate(ACTION_UPDATES.withdraw, { args: [{ actor: enterprise, reason: '已解决' }] });
        const done = await ended(h); // skips through the retry backoff
        return { done, caseId };
      },
      { activities: activities as never },
    );
    const ok = robot.received.filter((_r, i) => i >= 3);
    expect(ok).toHaveLength(2); // assigned_to_you and case_withdrawn, once each
    const rows = await db.notification.findMany({ where: { caseId: result.caseId }, orderBy: { eventSeq: 'asc' } });
    expect(rows.map((r) => [r.template, r.channel, r.status])).toEqual([
      ['assigned_to_you', 'wecom', 'sent'],
      ['case_withdrawn', 'wecom', 'sent'],
    ]);
    expect(rows.reduce((n, r) => n + r.attempts, 0)).toBe(5); // 3 failures + 2 deliveries
    expect(result.done.history.some((e) => e.type === 'notification_failed')).toBe(false);
  } finally {
    await robot.close();
  }
});

describe('quiet hours in a running case', () => {
  // a calendar under which the coming days are a holiday, whatever day the suite runs
  const holidayCalendar = async () => {
    const now = await env().currentTimeMs();
    const holidays = Array.from({ length: 5 }, (_, i) => new Date(now + 8 * 3_600_000 + i * DAY).toISOString().slice(0, 10));
    const year = new Date(now).getUTCFullYear();
    return { data: { source: 'test', years: [year, year + 1], holidays, workdays: [] }, hours: CALENDAR.hours };
  };

  it('holds a non-urgent notice until the next working period, and sends an urgent one at once', async () => {
    const calendar = await holidayCalendar();
    await withCase(
      async (h, caseId, fake) => {
        await eventually(() => expect(fake.held.map((n) => n.intent.template)).toEqual(['assigned_to_you']));
        expect(fake.sentTo(caseId)).toEqual([]);
        const holdUntil = Date.parse(fake.held[0]!.holdUntil!);
        expect(holdUntil - (await env().currentTimeMs())).toBeGreaterThan(4 * DAY); // after the holidays
        // sleep past the hold, whatever weekend follows the holidays on the day the suite runs
        await env().sleep(holdUntil - (await env().currentTimeMs()) + 3_600_000);
        await eventually(() => expect(fake.sentTo(caseId)).toContain('assigned_to_you->stw-point-1'));
        const sent = fake.notifications.find((n) => n.intent.template === 'assigned_to_you')!;
        expect(sent.at).toBeGreaterThanOrEqual(holdUntil);
        void h;
      },
      { input: { ...caseInput(), calendar, quietHours: true } },
    );
    await withCase(
      async (_h, caseId, fake) => {
        await eventually(() => expect(fake.sentTo(caseId)).toEqual(['assigned_to_you->stw-point-1']));
        expect(fake.held).toEqual([]);
      },
      { input: { ...caseInput(), calendar, quietHours: true, request: { ...caseInput().request, urgency: 'urgent' } } },
    );
  });
});
