import { CATEGORIES, DEFAULT_POLICY, policyFor } from '../../src/domain/policy';
import { addDuration, durationMs } from '../../src/domain/time';

describe('policy table', () => {
  it('gives every category a complete policy', () => {
    for (const c of CATEGORIES) {
      const p = policyFor(c.code);
      expect(p.category).toBe(c.code);
      for (const d of [p.response, p.urgentResponse, p.resolution, p.escalation[2], p.escalation[3], p.reminderEvery, p.departmentReply, p.followUpDelay, p.followUpWindow]) {
        expect(durationMs(d)).toBeGreaterThan(0);
      }
      expect(durationMs(p.response)).toBeLessThan(durationMs(p.resolution));
    }
  });

  it('uses the 2-day limit for an outdoor-promotion (外摆) permit and defaults elsewhere', () => {
    expect(policyFor('outdoor_promotion').resolution).toEqual({ value: 2, unit: 'days' });
    expect(policyFor('other').resolution).toEqual(DEFAULT_POLICY.resolution);
  });

  it('refuses an unknown category', () => {
    expect(() => policyFor('no-such-thing')).toThrow(/unknown category/);
  });

  it('adds plain durations', () => {
    const from = new Date('2026-03-02T01:00:00Z');
    expect(addDuration(from, { value: 2, unit: 'hours' }).toISOString()).toBe('2026-03-02T03:00:00.000Z');
    expect(addDuration(from, { value: 15, unit: 'days' }).toISOString()).toBe('2026-03-17T01:00:00.000Z');
  });
});
