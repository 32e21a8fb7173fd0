/**
 * Small activities the case workflow needs to stay truthful over a long life: calendar years
 * published after it opened, and held notices that no longer apply.
 */
import { calendarData, KNOWN_YEARS } from '../calendar';
import type { Db } from '../db/client';
import type { CalendarData } from '../domain/working-time';
import type { NotificationIntent } from '../domain/case-rules';
import { notificationKey } from './notifications';

export function createUpkeepActivities(db: Db) {
  return {
    /**
     * The calendar years this worker knows after `year` (from its `chinese-days`). Through an
     * activity, so what a case learns lands in its history and replays the same.
     */
    async calendarYearsAfter(year: number): Promise<CalendarData> {
      const later = KNOWN_YEARS.filter((y) => y > year);
      return later.length ? calendarData(later[0]!, later.length) : { ...calendarData(year + 1, 0), years: [] };
    },

    /** A notice held for quiet hours whose case has moved on: marked dropped in the ledger, never sent. */
    async dropHeldNotice({ caseId, intent, reason }: { caseId: string; intent: NotificationIntent; reason: string }): Promise<number> {
      const { count } = await db.notification.updateMany({
        where: { id: { startsWith: `${notificationKey(caseId, intent)}:` }, status: 'held' },
        data: { status: 'dropped', lastError: reason },
      });
      return count;
    },
  };
}
