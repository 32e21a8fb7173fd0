import { loadCatalogue } from '../../src/catalogue-file';
import { DEFAULT_POLICY } from '../../src/domain/policy';
import { durationInEnglish, formatDuration, reckon } from '../../src/domain/time';
import { CALENDAR } from '../fixtures/case-input';

const { catalogue, version } = loadCatalogue();

describe('the shipped service catalogue', () => {
  it('is versioned and gives every category a complete policy in working time', () => {
    expect(version).toMatch(/^\d{4}\.\d+$/);
    expect(catalogue.categories.map((c) => c.code)).toEqual(
      expect.arrayContaining(['outdoor_promotion', 'residence_permit', 'tax_consultation', 'recruitment', 'fire_safety', 'other']),
    );
    for (const c of catalogue.categories) {
      const p = catalogue.policyFor(c.code);
      expect(p).toMatchObject({ category: c.code, categoryName: c.name, warnAt: 0.75 });
      for (const key of Object.keys(DEFAULT_POLICY)) expect(p).toHaveProperty(key);
      expect(p.response.unit).toMatch(/^working_/);
      expect(p.resolution.unit).toBe('working_days');
    }
  });

  it('uses the 2-working-day limit for an outdoor-promotion (外摆) permit, as in Lucheng', () => {
    expect(catalogue.policyFor('outdoor_promotion')).toMatchObject({ resolution: { value: 2, unit: 'working_days' }, departmentId: 'dept-urban' });
    expect(catalogue.policyFor('other').resolution).toEqual(DEFAULT_POLICY.resolution);
  });

  it('refuses an unknown category', () => {
    expect(() => catalogue.policyFor('no-such-thing')).toThrow(/unknown category/);
  });
});

describe('reckoning a duration', () => {
  const from = new Date('2025-09-30T16:00:00+08:00');
  it('counts calendar units as wall-clock time', () => {
    expect(reckon(from, { value: 2, unit: 'hours' }, CALENDAR).at.toISOString()).toBe('2025-09-30T10:00:00.000Z');
    expect(reckon(from, { value: 2, unit: 'days' }, CALENDAR).at.toISOString()).toBe('2025-10-02T08:00:00.000Z');
  });
  it('counts working units on the Chinese calendar', () => {
    expect(reckon(from, { value: 2, unit: 'working_days' }, CALENDAR).at.toISOString()).toBe('2025-10-10T08:00:00.000Z');
    expect(reckon(from, { value: 2, unit: 'working_hours' }, CALENDAR).at.toISOString()).toBe('2025-10-09T01:30:00.000Z'); // 1.5 h on 30 Sep, 0.5 h after National Day
  });
  it('names durations in Chinese', () => {
    expect(formatDuration({ value: 30, unit: 'working_days' })).toBe('30 个工作日');
    expect(formatDuration({ value: 2, unit: 'working_hours' })).toBe('2 个工作小时');
    expect(formatDuration({ value: 3, unit: 'days' })).toBe('3 个自然日');
    expect(durationInEnglish({ value: 30, unit: 'working_days' })).toBe('30 working days');
    expect(durationInEnglish({ value: 1, unit: 'working_hours' })).toBe('1 working hour');
  });
});
