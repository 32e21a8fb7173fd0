import type { CaseState } from '../../src/domain/case-model';
import { holdUntil, type NotificationIntent } from '../../src/domain/case-rules';
import { CALENDAR } from '../fixtures/case-input';

const state = (quietHours = true, urgency = 'normal') => ({ calendar: CALENDAR, quietHours, request: { urgency } }) as CaseState;
const intent = (urgent = false): NotificationIntent => ({ recipient: { kind: 'steward', id: 's' }, template: 'assigned_to_you', eventSeq: 2, urgent });
const bj = (s: string) => new Date(`${s}:00+08:00`);
const at = (d: Date | null) => (d ? new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ') : null);

describe('quiet hours', () => {
  it.each([
    ['Saturday before National Day → the 调休 Sunday morning', '2025-09-27T10:00', '2025-09-28 09:00'],
    ['Friday evening after National Day → the 调休 Saturday morning', '2025-10-10T18:00', '2025-10-11 09:00'],
    ['Friday evening → Monday morning across an ordinary weekend', '2025-03-07T18:00', '2025-03-10 09:00'],
    ['National Day → the first working day after it', '2025-10-03T10:00', '2025-10-09 09:00'],
    ['before opening → opening', '2025-03-04T07:45', '2025-03-04 09:00'],
    ['lunch break → afternoon', '2025-03-04T12:30', '2025-03-04 13:30'],
    ['office hours → at once', '2025-03-04T10:00', null],
    ['a 调休 Sunday is a working day → at once', '2025-09-28T10:00', null],
  ])('holds a non-urgent notice: %s', (_name, now, expected) => {
    expect(at(holdUntil(state(), intent(), bj(now)))).toBe(expected);
  });

  it('never holds an urgent notice or any notice of an urgent case, nor any when quiet hours are off', () => {
    expect(holdUntil(state(), intent(true), bj('2025-10-03T02:00'))).toBeNull();
    expect(holdUntil(state(true, 'urgent'), intent(false), bj('2025-10-03T02:00'))).toBeNull();
    expect(holdUntil(state(false), intent(), bj('2025-10-03T02:00'))).toBeNull();
  });
});
