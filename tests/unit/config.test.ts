import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCatalogue } from '../../src/catalogue-file';
import { ConfigError, loadConfig, officeHoursOf } from '../../src/config';

describe('configuration', () => {
  it('has working defaults: SQLite under ./data and an embedded Temporal server', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, DATABASE_URL: 'file:./data/steward.db', TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: 'steward-cases', SEED_DEMO: true });
    expect(c.TEMPORAL_ADDRESS).toBeUndefined();
  });

  it('parses what it is given', () => {
    const c = loadConfig({ PORT: '8080', DATABASE_URL: 'postgresql://u:p@db:5432/steward', TEMPORAL_ADDRESS: 'temporal:7233', SEED_DEMO: 'false', UNRELATED: 'x' });
    expect(c).toMatchObject({ PORT: 8080, DATABASE_URL: 'postgresql://u:p@db:5432/steward', TEMPORAL_ADDRESS: 'temporal:7233', SEED_DEMO: false });
  });

  it('parses office hours', () => {
    expect(officeHoursOf(loadConfig({}))).toEqual({ start: '09:00', end: '17:30', lunchStart: '12:00', lunchEnd: '13:30' });
    expect(officeHoursOf(loadConfig({ OFFICE_HOURS: '08:30-17:00', LUNCH_BREAK: 'none' }))).toEqual({ start: '08:30', end: '17:00' });
  });

  it.each([
    ['OFFICE_HOURS', '9-17', /OFFICE_HOURS="9-17".*HH:MM/],
    ['PORT', 'eighty', /PORT="eighty"/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL="mysql:\/\/x".*file:/],
    ['TEMPORAL_ADDRESS', 'http://temporal', /TEMPORAL_ADDRESS=.*host:port/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL/],
  ])('stops on a bad %s, naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});

describe('catalogue file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'catalogue-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (content: unknown) => {
    const file = path.join(dir, `${Math.random()}.json`);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };

  it('merges a district catalogue over the defaults', () => {
    const { version, catalogue } = loadCatalogue(write({ version: 'v7', categories: [{ code: 'permit', name: '许可', policy: { resolution: { value: 5, unit: 'working_days' } } }] }));
    expect(version).toBe('v7');
    expect(catalogue.policyFor('permit')).toMatchObject({ categoryName: '许可', resolution: { value: 5, unit: 'working_days' }, response: { value: 1, unit: 'working_days' } });
    expect(catalogue.find('other')).toBeUndefined();
  });

  it('refuses a bad file, naming the field', () => {
    expect(() => loadCatalogue(write('{not json'))).toThrow(/cannot read it as JSON/);
    expect(() => loadCatalogue(write({ version: 'v', categories: [{ code: 'x', name: 'x', policy: { resolution: { value: -1, unit: 'days' } } }] }))).toThrow(
      /categories\.0\.policy\.resolution\.value/,
    );
    expect(() => loadCatalogue(write({ version: 'v', categories: [{ code: 'a', name: 'a' }, { code: 'a', name: 'b' }] }))).toThrow(/unique/);
  });
});
