/** Times and durations as a steward reads them: Beijing wall-clock time, working days and hours. */
import { describeClocks } from '../../src/domain/clocks';
import { newCaseState, onWindowElapsed, openAndAssign, ACTIONS } from '../../src/domain/case-rules';
import { beijingTime, policyText, remainingText, workingTimeText } from '../../src/domain/readable-time';
import { DEFAULT_OFFICE_HOURS } from '../../src/domain/working-time';
import { caseInput, POLICY, steward } from '../fixtures/case-input';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 7 * HOUR; // the default office hours: 09:00–17:30 with a 12:00–13:30 lunch

describe('workingTimeText', () => {
  it('counts working days of the calendar’s own office minutes, then hours', () => {
    expect(workingTimeText(DAY + 3 * HOUR, DEFAULT_OFFICE_HOURS)).toBe('1 个工作日 3 小时');
    expect(workingTimeText(2 * DAY, DEFAULT_OFFICE_HOURS)).toBe('2 个工作日');
    expect(workingTimeText(2 * DAY + 59 * MIN, DEFAULT_OFFICE_HOURS)).toBe('2 个工作日'); // minutes only under a day
    expect(workingTimeText(6 * HOUR + 59 * MIN, DEFAULT_OFFICE_HOURS)).toBe('6 小时 59 分钟');
    expect(workingTimeText(45 * MIN + 30_000, DEFAULT_OFFICE_HOURS)).toBe('45 分钟'); // rounded down: never overstated
    expect(workingTimeText(2 * HOUR, DEFAULT_OFFICE_HOURS)).toBe('2 小时');
    expect(workingTimeText(20_000, DEFAULT_OFFICE_HOURS)).toBe('不足 1 分钟');
    expect(workingTimeText(0, DEFAULT_OFFICE_HOURS)).toBe('0 分钟');
  });

  it('takes the length of a working day from the office hours', () => {
    expect(workingTimeText(8 * HOUR, { start: '09:00', end: '17:00' })).toBe('1 个工作日');
    expect(workingTimeText(8 * HOUR, DEFAULT_OFFICE_HOURS)).toBe('1 个工作日 1 小时');
  });
});

describe('remainingText', () => {
  const h = DEFAULT_OFFICE_HOURS;
  it('says what is left, paused, overdue, or nothing once the step is done', () => {
    expect(remainingText({ remainingWorkingMs: DAY + 3 * HOUR, paused: false, overdueWorkingMs: null }, h)).toBe('剩余 1 个工作日 3 小时');
    expect(remainingText({ remainingWorkingMs: 2 * HOUR, paused: true, overdueWorkingMs: null }, h)).toBe('已暂停，剩余 2 小时');
    expect(remainingText({ remainingWorkingMs: 0, paused: false, overdueWorkingMs: 30 * MIN }, h)).toBe('已超期 30 分钟');
    expect(remainingText({ remainingWorkingMs: 0, paused: false, overdueWorkingMs: 0 }, h)).toBe('已超期'); // e.g. over a weekend
    expect(remainingText({ remainingWorkingMs: null, paused: false, overdueWorkingMs: null }, h)).toBeNull();
  });
});

describe('beijingTime and policyText', () => {
  it('writes an instant as Beijing wall-clock time', () => {
    expect(beijingTime('2027-01-07T01:00:00.000Z')).toBe('2027-01-07 09:00（北京时间）');
    expect(beijingTime('2026-12-31T16:30:00Z')).toBe('2027-01-01 00:30（北京时间）');
  });

  it('writes a policy’s time limits in Chinese', () => {
    expect(policyText(POLICY)).toEqual({
      response: '1 个工作日',
      urgentResponse: '2 个工作小时',
      resolution: '15 个工作日',
      escalation: { 2: '2 个工作日', 3: '2 个工作日' },
      reminderEvery: '1 个工作日',
      departmentReply: '5 个工作日',
      followUpDelay: '1 个工作日',
      followUpWindow: '5 个工作日',
      warnAt: '75%',
      extensionCap: '30 个工作日',
    });
  });
});

describe('the case view’s clocks', () => {
  // Monday 2 March 2026, 09:00 Beijing: respond within 1 working day, resolve within 15
  const T0 = new Date('2026-03-02T01:00:00Z');
  const at = (iso: string) => new Date(iso);
  const opened = () => {
    const s = newCaseState(caseInput(), T0);
    openAndAssign(s, T0);
    return s;
  };

  it('gives each clock its time left as working time beside the number', () => {
    const s = opened();
    const clocks = describeClocks(s, at('2026-03-02T06:00:00Z')); // 14:00, past lunch: 3.5 h of office time gone
    expect(clocks.response).toMatchObject({ remainingWorkingMs: 3.5 * HOUR, remainingText: '剩余 3 小时 30 分钟' });
    expect(clocks.resolution).toMatchObject({ remainingText: '剩余 14 个工作日 3 小时' });
    expect(clocks.current).toMatchObject({ step: 'acknowledge', remainingText: '剩余 3 小时 30 分钟' });
  });

  it('says how long a missed deadline has been overdue, in office time', () => {
    const s = opened();
    // Tuesday 11:00: one working day was due at 09:00
    const clocks = describeClocks(s, at('2026-03-03T03:00:00Z'));
    expect(clocks.response).toMatchObject({ breached: true, remainingWorkingMs: 0, remainingText: '已超期 2 小时' });
    onWindowElapsed(s, at('2026-03-03T01:00:00Z')); // escalated to the 分楼长, with 2 working days
    expect(describeClocks(s, at('2026-03-03T03:00:00Z')).current).toMatchObject({ level: 2, overdue: true, remainingText: '剩余 1 个工作日 5 小时' });
  });

  it('shows a paused clock with the time it had left when it stopped', () => {
    const s = opened();
    const now = at('2026-03-02T02:00:00Z');
    ACTIONS.acknowledge.apply(s, { actor: steward(1) }, now);
    ACTIONS.pause.apply(s, { actor: steward(1), reason: '请补充材料' }, now);
    const later = describeClocks(s, at('2026-03-09T02:00:00Z'));
    expect(later.resolution).toMatchObject({ paused: true, remainingText: '已暂停，剩余 14 个工作日 6 小时' });
    expect(later.current).toMatchObject({ paused: true, remainingText: '已暂停，剩余 14 个工作日 6 小时' });
    expect(later.response).toMatchObject({ metAt: now.toISOString(), remainingText: null });
  });
});
