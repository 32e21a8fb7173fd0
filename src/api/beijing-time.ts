/**
 * Every instant the API answers is given in Beijing time with its offset
 * (`2026-11-23T09:00:00.000+08:00`): the same instant as the `…Z` form the cases, the database and
 * Temporal keep, written as the stewards' clocks show it. Only the answer is rewritten, at the edge
 * (the JSON replacer in app.ts); inputs take any ISO 8601 offset.
 */
import { BEIJING_OFFSET } from '../domain/working-time';

/** A string that is exactly an ISO 8601 UTC instant, as `Date#toISOString` and the workflow write it. */
const UTC_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/;

/**
 * The same instant at +08:00, with the fraction of a second as given (`.000` stays `.000`). China
 * keeps UTC+8 all year, so a fixed shift is exact. A string that only looks like an instant (a
 * 30 February, a year past 9999 once shifted) is returned unchanged.
 */
export function toBeijing(instant: string): string {
  const match = UTC_INSTANT.exec(instant);
  if (!match) return instant;
  const ms = Date.parse(instant);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) !== instant.slice(0, 19)) return instant;
  const local = new Date(ms + BEIJING_OFFSET).toISOString();
  if (local.length !== 24) return instant;
  return `${local.slice(0, 19)}${match[1] ?? ''}+08:00`;
}

/** For `JSON.stringify`: rewrites every string value that is exactly a UTC instant (a `Date` arrives here already as one). */
export function beijingReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value.length <= 24 && value.endsWith('Z') ? toBeijing(value) : value;
}
