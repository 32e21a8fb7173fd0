/**
 * Times and durations as a steward reads them, in Chinese: an instant as Beijing wall-clock time,
 * office time as working days and hours on the case's own office hours, a policy's time limits.
 * Pure (no Intl, no clock): notices, refusals, the API and the web console share them.
 */
import type { SlaPolicy } from './case-model';
import { formatDuration } from './time';
import { BEIJING_OFFSET, type OfficeHours, workingMinutesPerDay } from './working-time';

/** `2027-01-07 09:00（北京时间）` */
export function beijingTime(isoString: string): string {
  // China keeps UTC+8 all year (no daylight saving since 1991): shifting the instant is exact, and
  // far cheaper than an Intl formatter per notice
  const local = new Date(Date.parse(isoString) + BEIJING_OFFSET).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 16)}（北京时间）`;
}

const MINUTE = 60_000;

/**
 * Office time in working days (of the calendar's own office minutes per day, 7 h with the default
 * hours) and hours: `1 个工作日 3 小时`, `2 小时 15 分钟`, `45 分钟`, `不足 1 分钟`. Minutes are shown only
 * under a working day; parts are rounded down, so the time left is never overstated.
 */
export function workingTimeText(ms: number, hours: OfficeHours): string {
  const minutes = Math.floor(Math.max(0, ms) / MINUTE);
  if (minutes === 0) return ms > 0 ? '不足 1 分钟' : '0 分钟';
  const perDay = workingMinutesPerDay(hours);
  const days = perDay > 0 ? Math.floor(minutes / perDay) : 0;
  const rest = minutes - days * perDay;
  const h = Math.floor(rest / 60);
  const m = rest % 60;
  const parts = days > 0 ? [`${days} 个工作日`, h ? `${h} 小时` : ''] : [h ? `${h} 小时` : '', m ? `${m} 分钟` : ''];
  return parts.filter(Boolean).join(' ');
}

/**
 * The text beside a clock's number: `剩余 1 个工作日 3 小时`, `已暂停，剩余 2 小时`, `已超期 30 分钟`
 * (`已超期` alone when no office time has passed since, e.g. over a weekend); null when the step
 * is done.
 */
export function remainingText(
  clock: { remainingWorkingMs: number | null; paused: boolean; overdueWorkingMs: number | null },
  hours: OfficeHours,
): string | null {
  if (clock.remainingWorkingMs === null) return null;
  if (clock.paused) return `已暂停，剩余 ${workingTimeText(clock.remainingWorkingMs, hours)}`;
  if (clock.overdueWorkingMs !== null) return clock.overdueWorkingMs >= MINUTE ? `已超期 ${workingTimeText(clock.overdueWorkingMs, hours)}` : '已超期';
  return `剩余 ${workingTimeText(clock.remainingWorkingMs, hours)}`;
}

type PolicyLimits = Pick<SlaPolicy, 'response' | 'urgentResponse' | 'resolution' | 'escalation' | 'reminderEvery' | 'departmentReply' | 'followUpDelay' | 'followUpWindow' | 'warnAt' | 'extensionCap'>;

/** A policy's time limits in Chinese, keyed as in the policy: `{"resolution": "15 个工作日", "warnAt": "75%", …}`. */
export function policyText(p: PolicyLimits) {
  return {
    response: formatDuration(p.response),
    urgentResponse: formatDuration(p.urgentResponse),
    resolution: formatDuration(p.resolution),
    escalation: { 2: formatDuration(p.escalation[2]), 3: formatDuration(p.escalation[3]) },
    reminderEvery: formatDuration(p.reminderEvery),
    departmentReply: formatDuration(p.departmentReply),
    followUpDelay: formatDuration(p.followUpDelay),
    followUpWindow: formatDuration(p.followUpWindow),
    warnAt: `${Math.round(p.warnAt * 100)}%`,
    extensionCap: formatDuration(p.extensionCap),
  };
}
