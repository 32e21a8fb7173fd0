/**
 * HMAC-SHA256 signatures for webhooks in both directions: over "<timestamp>.<raw body>" with a
 * shared secret, so a replayed or altered request fails. Stale timestamps are refused.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-steward-signature';
export const TIMESTAMP_HEADER = 'x-steward-timestamp';
export const TOLERANCE_SECONDS = 300;

export function sign(secret: string, timestamp: number, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

export function signedHeaders(secret: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: sign(secret, timestamp, body) };
}

export type Verdict = 'ok' | 'missing' | 'stale' | 'mismatch';

export function verify(secret: string, headers: { signature?: string; timestamp?: string }, body: Buffer | string, now = Date.now()): Verdict {
  if (!headers.signature || !headers.timestamp) return 'missing';
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(now / 1000 - timestamp) > TOLERANCE_SECONDS) return 'stale';
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? 'ok' : 'mismatch';
}
