/**
 * HMAC-SHA256 signatures for webhooks in both directions: over "<timestamp>.<raw body>" with a
 * shared secret, so an altered request fails. Stale timestamps are refused, and so are timestamps
 * ahead of our clock by more than a little skew: signed "in the future", a request would stay
 * replayable for longer than the window its receiver keeps replay receipts for.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-steward-signature';
export const TIMESTAMP_HEADER = 'x-steward-timestamp';
export const TOLERANCE_SECONDS = 300;
/** how far a sender's clock may run ahead of ours */
export const FUTURE_SKEW_SECONDS = 30;

export function sign(secret: string, timestamp: number, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

export function signedHeaders(secret: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: sign(secret, timestamp, body) };
}

export type Verdict = 'ok' | 'missing' | 'stale' | 'future' | 'mismatch';

export function verify(secret: string, headers: { signature?: string; timestamp?: string }, body: Buffer | string, now = Date.now()): Verdict {
  if (!headers.signature || !headers.timestamp) return 'missing';
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp)) return 'stale';
  if (timestamp - now / 1000 > FUTURE_SKEW_SECONDS) return 'future';
  if (now / 1000 - timestamp > TOLERANCE_SECONDS) return 'stale';
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? 'ok' : 'mismatch';
}
