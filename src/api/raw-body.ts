import type { Request } from 'express';

const RAW = Symbol('rawBody');

/** express.json `verify` hook: keeps the exact bytes, which webhook signatures are computed over. */
export function keepRawBody(req: unknown, _res: unknown, buf: Buffer): void {
  (req as { [RAW]?: Buffer })[RAW] = buf;
}

export function rawBodyOf(req: Request): Buffer {
  return (req as unknown as { [RAW]?: Buffer })[RAW] ?? Buffer.alloc(0);
}
