/** Answers give every instant in Beijing time with its offset: the conversion at the API's edge. */
import { beijingReplacer, toBeijing } from '../../src/api/beijing-time';

describe('toBeijing', () => {
  it('writes a UTC instant as the same instant at +08:00, keeping the fraction of a second as given', () => {
    expect(toBeijing('2026-11-23T01:00:00.000Z')).toBe('2026-11-23T09:00:00.000+08:00');
    expect(toBeijing('2026-11-23T01:00:00Z')).toBe('2026-11-23T09:00:00+08:00');
    expect(toBeijing('2026-11-23T01:00:00.5Z')).toBe('2026-11-23T09:00:00.5+08:00');
    expect(toBeijing('2026-11-23T01:00:00.25Z')).toBe('2026-11-23T09:00:00.25+08:00');
  });

  it('crosses midnight, month and year ends into the Beijing date', () => {
    expect(toBeijing('2026-12-31T16:00:00.000Z')).toBe('2027-01-01T00:00:00.000+08:00');
    expect(toBeijing('2028-02-28T20:30:00.000Z')).toBe('2028-02-29T04:30:00.000+08:00');
    expect(toBeijing('2026-11-23T15:59:59.999Z')).toBe('2026-11-23T23:59:59.999+08:00');
  });

  it('is the same instant: parsing both gives the same time', () => {
    for (const t of ['2026-01-01T00:00:00.000Z', '2026-07-01T12:34:56.789Z', '1999-12-31T23:59:59Z']) {
      expect(Date.parse(toBeijing(t))).toBe(Date.parse(t));
    }
  });

  it('leaves alone what is not exactly a UTC instant', () => {
    for (const s of [
      '2026-11-23',
      '2026-11-23T09:00:00+08:00',
      '2026-11-23T01:00:00.0000Z',
      '2026-11-23 01:00:00Z',
      ' 2026-11-23T01:00:00Z',
      '2026-11-23T01:00:00Z ',
      '截止 2026-11-23T01:00:00Z',
      '2026-02-30T01:00:00Z', // no such day: not an instant, and not to be moved to 2 March
      '2026-13-01T01:00:00Z',
      '9999-12-31T20:00:00Z', // would leave four-digit years
      'Z',
    ]) {
      expect(toBeijing(s)).toBe(s);
    }
  });
});

describe('beijingReplacer', () => {
  it('rewrites every instant in an answer, Dates included, and nothing else', () => {
    const answer = {
      caseId: 'C20261123-ABC234',
      openedAt: '2026-11-23T01:00:00.000Z',
      updatedAt: new Date('2026-11-23T02:00:00.000Z'),
      history: [{ at: '2026-11-23T03:00:00.000Z', reason: '期限 2026-11-23T03:00:00.000Z', detail: { dueAt: '2026-11-24T01:00:00.000Z', n: 3 } }],
      nextCursor: 'eyJrIjoiMjAyNi0xMS0yM1QwMTowMDowMC4wMDBaIn0',
      nothing: null,
    };
    expect(JSON.parse(JSON.stringify(answer, beijingReplacer))).toEqual({
      caseId: 'C20261123-ABC234',
      openedAt: '2026-11-23T09:00:00.000+08:00',
      updatedAt: '2026-11-23T10:00:00.000+08:00',
      history: [{ at: '2026-11-23T11:00:00.000+08:00', reason: '期限 2026-11-23T03:00:00.000Z', detail: { dueAt: '2026-11-24T09:00:00.000+08:00', n: 3 } }],
      nextCursor: 'eyJrIjoiMjAyNi0xMS0yM1QwMTowMDowMC4wMDBaIn0',
      nothing: null,
    });
  });
});
