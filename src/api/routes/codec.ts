import type { Router } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import type { AccessControl } from '../../auth/access';
import { HttpError } from '../errors';
import { route } from '../validate';

// proto JSON writes bytes as base64 (standard or URL-safe, padding optional)
const Bytes = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

export const CodecPayload = z
  .object({
    metadata: z.record(z.string(), Bytes).nullish(),
    data: Bytes.nullish(),
  })
  .meta({ id: 'CodecPayload', description: 'a temporal.api.common.v1.Payload in proto JSON form' });

// proto JSON leaves out an empty list: `{}` is zero payloads (the temporal CLI sends it)
export const CodecBody = z
  .object({ payloads: z.array(CodecPayload).max(1000).default([]) })
  .meta({ id: 'CodecPayloads' });

export const CodecHeaders = z.object({ 'x-namespace': z.string().max(255).optional() });

type JsonPayload = z.infer<typeof CodecPayload>;

const fromJson = ({ metadata, data }: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  ...(data ? { data: Buffer.from(data, 'base64') } : {}),
});

const toJson = ({ metadata, data }: Payload) => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  ...(data?.length ? { data: Buffer.from(data).toString('base64') } : {}),
});

/**
 * The Temporal Web UI's remote codec (and `temporal --codec-endpoint`): POST <base>/decode and
 * <base>/encode with `{ payloads: [{ metadata: {k: base64}, data: base64 }] }`, answered in the
 * same shape. Decoding shows private data, so it is for administrators and audited.
 */
export function codecRouter(access: AccessControl, codec: PayloadCodec): Router {
  const { router, post } = access.router('/api/codec');
  const run = async (fn: () => Promise<Payload[]>) => {
    try {
      return { payloads: (await fn()).map(toJson) };
    } catch (err) {
      // an unknown key id, or altered data: the caller's payloads cannot be read with our keys
      if ((err as Error).name === 'ValueError') throw new HttpError(422, 'undecodable', (err as Error).message, `无法用本系统的密钥解密这些数据（${(err as Error).message}）`);
      throw err;
    }
  };

  post(
    '/decode',
    { access: ['admin'], audit: 'codec.decode', rateLimited: false, summary: 'decrypt Temporal payloads for the Web UI (remote codec protocol)' },
    route({ headers: CodecHeaders, body: CodecBody }, async ({ headers, body }, req, res) => {
      req.auditTarget = { target: `temporal:${headers['x-namespace'] ?? '(no namespace)'}`, detail: { payloads: body.payloads.length } };
      res.json(await run(() => codec.decode(body.payloads.map(fromJson))));
    }),
  );

  post(
    '/encode',
    { access: ['admin'], rateLimited: false, summary: 'encrypt payloads for the Web UI (starting or signalling a workflow from the UI)' },
    route({ headers: CodecHeaders, body: CodecBody }, async ({ body }, _req, res) => {
      res.json(await run(() => codec.encode(body.payloads.map(fromJson))));
    }),
  );

  return router;
}
