import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DURATION_MAX, loadCatalogue, MAX_CATEGORIES, PolicyInputSchema } from '../../src/catalogue-file';
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

  it('names one limit for a count past every unit (no second message for the same value)', () => {
    expect(issues({ resolution: { value: 100_000_000, unit: 'working_days' } })).toEqual([
      expect.stringMatching(/^resolution\.value: must be at most about a year \(.*250 working_days/),
    ]);
  });

  it('refuses a warning point of 0 or 1 and anything outside', () => {
    for (const warnAt of [0, 1, -0.5, 1.5]) expect(issues({ warnAt })).toHaveLength(1);
    expect(issues({ warnAt: 0.5 })).toEqual([]);
  });
});

describe('the catalogue file', () => {
  const write = (content: unknown) => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'catalogue-')), 'catalogue.json');
    writeFileSync(file, JSON.stringify(content));
    return file;
  };
  const item = (code: string, policy: unknown = {}) => ({ code, name: code, policy });

  it('ships a catalogue that validates', () => {
    const { catalogue } = loadCatalogue();
    expect(catalogue.categories.length).toBeGreaterThan(0);
    for (const c of catalogue.categories) expect(issues(c.overrides)).toEqual([]);
  });

  it('stops start-up naming the category and field of a limit out of bounds', () => {
    const file = write({ version: 't', categories: [item('ok_item'), item('bad_item', { reminderEvery: { value: 1, unit: 'seconds' } })] });
    expect(() => loadCatalogue(file)).toThrow(/categories\.1\.policy\.reminderEvery\.value: must be at least 1 hour/);
  });

  it('bounds the number of categories', () => {
    const many = Array.from({ length: MAX_CATEGORIES + 1 }, (_, i) => item(`item_${i}`));
    expect(() => loadCatalogue(write({ version: 't', categories: many }))).toThrow(new RegExp(`categories: at most ${MAX_CATEGORIES} categories`));
  });
});
