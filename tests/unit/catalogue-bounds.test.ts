import { DURATION_MAX, PolicyInputSchema } from '../../src/catalogue-file';
import { DEFAULT_POLICY } from '../../src/domain/policy';

const issues = (policy: unknown) => {
  const r = PolicyInputSchema.safeParse(policy);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('catalogue time limits are bounded to what is sensible', () => {
  it('accepts the defaults and ordinary limits', () => {
    expect(issues(DEFAULT_POLICY)).toEqual([]);
    expect(issues({ response: { value: 2, unit: 'working_hours' }, resolution: { value: 250, unit: 'working_days' }, reminderEvery: { value: 1, unit: 'hours' } })).toEqual([]);
  });

  it('refuses a limit the calendar should never be asked to count (measured: 3,000 working days threw inside the workflow)', () => {
    expect(issues({ resolution: { value: 3_000, unit: 'working_days' } })).toEqual(['resolution.value: must be at most 250 working_days (about a year)']);
    for (const [unit, max] of Object.entries(DURATION_MAX)) {
      expect(issues({ followUpWindow: { value: max, unit } })).toEqual([]);
      expect(issues({ followUpWindow: { value: max + 1, unit } })).toHaveLength(1);
    }
  });

  it('refuses fractions, zero and reminders more often than hourly (measured: 1 ms produced a 督办 a second)', () => {
    expect(issues({ reminderEvery: { value: 0.001, unit: 'seconds' } })).toEqual(['reminderEvery.value: must be a whole number (use a smaller unit)']);
    expect(issues({ reminderEvery: { value: 59, unit: 'minutes' } })).toEqual(['reminderEvery.value: must be at least 1 hour (督办 reminders repeat at this interval)']);
    expect(issues({ response: { value: 0, unit: 'working_days' } })).toEqual(['response.value: must be at least 1']);
    expect(issues({ warnAt: 0.999 })).toEqual([expect.stringMatching(/^warnAt: must be between 0.05 and 0.95/)]);
  });
});
