/**
 * The payload codec and its keyring: what Temporal stores is ciphertext, old clear-text
 * payloads still read, rotation keeps old keys readable, and no error ever shows key bytes.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express, { Router } from 'express';
import request from 'supertest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { AccessControl } from '../../src/auth/access';
import { codecRouter } from '../../src/api/routes/codec';
import { errorHandler } from '../../src/api/errors';
import { silentLogger } from '../../src/logger';
import { decrypt, encrypt, loadOrCreateKeyFile, parseKeys } from '../../src/security/keyring';
import { codecFromConfig, EncryptionCodec } from '../../src/temporal/codec';

const k1 = Buffer.alloc(32, 1).toString('base64');
const k2 = Buffer.alloc(32, 2).toString('base64');
const PRIVATE = { contact: { name: '周经理', phone: '13900000001' }, description: '员工停车困难' };

const text = (p: Payload) => Buffer.from(p.data ?? []).toString('utf8');
const meta = (p: Payload, k: string) => Buffer.from(p.metadata?.[k] ?? []).toString('utf8');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'codec-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('EncryptionCodec', () => {
  const codec = new EncryptionCodec(parseKeys(`k1:${k1}`));

  it('deflates a large payload before sealing it, and still reads one sealed uncompressed', async () => {
    const state = { ...PRIVATE, history: Array.from({ length: 30 }, (_, i) => ({ seq: i + 1, type: 'reminder_sent', actor: { kind: 'system', id: 'system' } })) };
    const original = defaultPayloadConverter.toPayload(state);
    const [encoded] = await codec.encode([original]);
    expect(meta(encoded!, 'compression')).toBe('deflate');
    expect(encoded!.data!.length).toBeLessThan(original.data!.length / 3);
    expect(text(encoded!)).not.toContain('reminder_sent');
    expect(defaultPayloadConverter.fromPayload((await codec.decode([encoded!]))[0]!)).toEqual(state);
    // sealed before compression existed: no compression key, the plain payload inside
    const [small] = await codec.encode([defaultPayloadConverter.toPayload('短')]);
    expect(small!.metadata!.compression).toBeUndefined();
    expect(defaultPayloadConverter.fromPayload((await codec.decode([small!]))[0]!)).toBe('短');
    const [unknown] = await codec.encode([original]);
    unknown!.metadata!.compression = Buffer.from('zstd');
    await expect(codec.decode([unknown!])).rejects.toThrow(/unknown payload compression zstd/);
  });

  it('round-trips a payload, and what it hands Temporal holds no clear text', async () => {
    const original = defaultPayloadConverter.toPayload(PRIVATE);
    const [encoded] = await codec.encode([original]);
    expect(meta(encoded!, 'encoding')).toBe('binary/encrypted');
    expect(meta(encoded!, 'encryption-key-id')).toBe('k1');
    expect(Object.keys(encoded!.metadata!)).toEqual(['encoding', 'encryption-key-id']);
    expect(text(encoded!)).not.toContain('13900000001');
    expect(Buffer.from(encoded!.data!).includes(Buffer.from('13900000001'))).toBe(false);
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(PRIVATE);
    expect(meta(decoded!, 'encoding')).toBe('json/plain');
  });

  it('encrypts the same payload differently each time (random IV)', async () => {
    const p = defaultPayloadConverter.toPayload('same');
    const [a, b] = await codec.encode([p, p]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('passes clear-text payloads (histories from before encryption) through untouched', async () => {
    const clear = defaultPayloadConverter.toPayload(PRIVATE);
    const empty: Payload = {};
    const [out, none] = await codec.decode([clear, empty]);
    expect(out).toBe(clear);
    expect(none).toBe(empty);
  });

  it('rotation: k1 payloads still decode while k1 stays in the keyring; without it the error names k1', async () => {
    const [old] = await codec.encode([defaultPayloadConverter.toPayload(PRIVATE)]);
    const rotated = new EncryptionCodec(parseKeys(`k2:${k2},k1:${k1}`));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old!]))[0]!)).toEqual(PRIVATE);
    const [fresh] = await rotated.encode([defaultPayloadConverter.toPayload('new')]);
    expect(meta(fresh!, 'encryption-key-id')).toBe('k2');

    const k1Gone = new EncryptionCodec(parseKeys(`k2:${k2}`));
    await expect(k1Gone.decode([old!])).rejects.toMatchObject({ name: 'ValueError', message: expect.stringMatching(/key "k1".*PAYLOAD_KEYS does not hold/) });
    // the new payloads read fine
    expect(defaultPayloadConverter.fromPayload((await k1Gone.decode([fresh!]))[0]!)).toBe('new');
  });

  it('refuses tampered ciphertext, a swapped key under the same id, and a missing key id', async () => {
    const [enc] = await codec.encode([defaultPayloadConverter.toPayload(PRIVATE)]);
    const data = Buffer.from(enc!.data!);
    data[20]! ^= 0x01;
    await expect(codec.decode([{ ...enc!, data }])).rejects.toMatchObject({ name: 'ValueError', message: expect.stringContaining('failed authentication') });
    const impostor = new EncryptionCodec(parseKeys(`k1:${k2}`));
    await expect(impostor.decode([enc!])).rejects.toMatchObject({ message: expect.stringContaining('failed authentication') });
    await expect(codec.decode([{ metadata: { encoding: enc!.metadata!.encoding! }, data: enc!.data! }])).rejects.toMatchObject({ message: expect.stringContaining('encryption-key-id') });
    await expect(codec.decode([{ ...enc!, data: data.subarray(0, 10) }])).rejects.toMatchObject({ message: expect.stringContaining('truncated') });
  });
});

describe('keyring', () => {
  it('parses keys: the first encrypts, all decrypt', () => {
    const ring = parseKeys(` k2:${k2} , k1:${k1}`, 'SECRET_KEYS');
    expect(ring.current.id).toBe('k2');
    expect(ring.entries.map((e) => e.id)).toEqual(['k2', 'k1']);
    const sealed = encrypt(parseKeys(`k1:${k1}`), Buffer.from('secret'), Buffer.from('aad'));
    expect(decrypt(ring, sealed, Buffer.from('aad')).toString()).toBe('secret');
    expect(() => decrypt(ring, sealed, Buffer.from('other'))).toThrow(/failed authentication/);
  });

  const short = Buffer.alloc(16, 9).toString('base64');
  const long = Buffer.alloc(33, 9).toString('base64');
  it.each([
    ['a key of the wrong length', `good:${k1},bad:${short}`, /SECRET_KEYS: key "bad" is 16 bytes.*exactly 32/],
    ['a 33-byte key', `big:${long}`, /SECRET_KEYS: key "big" is 33 bytes/],
    ['a key without its id', k1, /SECRET_KEYS: key #1 needs a key id/],
    ['a key id twice', `k1:${k1},k1:${k2}`, /SECRET_KEYS: key id "k1" appears twice/],
    ['a key that is not base64', `k1:${k1.slice(0, 20)}!${k1.slice(21)}`, /SECRET_KEYS: key "k1" is not base64/],
    ['an empty entry', `k1:${k1},`, /SECRET_KEYS: must be kid:base64key/],
    ['nothing', '', /SECRET_KEYS: must be kid:base64key/],
  ])('refuses %s, naming the variable and the kid but never the key bytes', (_what, spec, message) => {
    let error: Error | undefined;
    try {
      parseKeys(spec, 'SECRET_KEYS');
    } catch (err) {
      error = err as Error;
    }
    expect(error?.name).toBe('ConfigError');
    expect(error?.message).toMatch(message);
    for (const secret of [k1, k2, short, long]) {
      // not even a fragment of a key (base64 of repeated bytes repeats, so any 8 characters would show)
      expect(error!.message).not.toContain(secret.slice(0, 8));
    }
  });

  it('creates the key file once (mode 0600, directory created) and keeps its keys', () => {
    const file = path.join(dir, 'nested', 'data', 'keys.json');
    const first = loadOrCreateKeyFile(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const before = readFileSync(file, 'utf8');
    expect(parseKeys(first.payload).current.key).toHaveLength(32);
    expect(parseKeys(first.secrets).current.key).toHaveLength(32);
    // independent keys for the two uses
    expect(parseKeys(first.payload).current.key.equals(parseKeys(first.secrets).current.key)).toBe(false);

    const again = loadOrCreateKeyFile(file);
    expect(again).toEqual(first);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('codecFromConfig: PAYLOAD_KEYS when set (no file written), else the key file across restarts', async () => {
    const file = path.join(dir, 'cfg', 'keys.json');
    const fromEnv = codecFromConfig({ PAYLOAD_KEYS: `k1:${k1}`, KEY_FILE: file });
    expect(fromEnv.keyring.current.id).toBe('k1');
    expect(existsSync(file)).toBe(false);

    const [enc] = await codecFromConfig({ KEY_FILE: file }).encode([defaultPayloadConverter.toPayload(PRIVATE)]);
    // a "restart": a new codec from the same file reads what the first one wrote
    expect(defaultPayloadConverter.fromPayload((await codecFromConfig({ KEY_FILE: file }).decode([enc!]))[0]!)).toEqual(PRIVATE);
  });

  it('a damaged key file fails clearly, without its contents', () => {
    const file = path.join(dir, 'damaged', 'keys.json');
    loadOrCreateKeyFile(file);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...json, payload: json.payload.slice(0, 20) }));
    expect(() => loadOrCreateKeyFile(file)).toThrow(/KEY_FILE \(.*\) payload: key "payload-1" is \d+ bytes/);
  });
});

describe('codec endpoint (remote codec protocol)', () => {
  // the real access control needs a database and an identity provider; here only the codec work is under test
  const access = {
    router(base: string) {
      const router = Router();
      return { router, post: (p: string, _spec: unknown, ...handlers: express.RequestHandler[]) => router.post(`${base}${p}`, ...handlers) };
    },
  } as unknown as AccessControl;
  const codec = new EncryptionCodec(parseKeys(`k1:${k1}`));
  const app = express().use(express.json()).use(codecRouter(access, codec)).use(errorHandler(silentLogger));
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const clear = { metadata: { encoding: b64('json/plain') }, data: b64(JSON.stringify(PRIVATE)) };

  it('encodes and decodes in proto JSON form, with the X-Namespace header the Web UI sends', async () => {
    const enc = await request(app).post('/api/codec/encode').set('X-Namespace', 'default').send({ payloads: [clear] }).expect(200);
    expect(Buffer.from(enc.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(enc.body.payloads[0].data, 'base64').toString()).not.toContain('13900000001');
    const dec = await request(app).post('/api/codec/decode?preserveStorageRefs=true').set('X-Namespace', 'default').send(enc.body).expect(200);
    expect(dec.body).toEqual({ payloads: [clear] });
    // clear text in, clear text out
    await request(app).post('/api/codec/decode').send({ payloads: [clear] }).expect(200, { payloads: [clear] });
  });

  it('answers 400 naming the field of a bad body, 422 for a payload it cannot decrypt', async () => {
    const bad = await request(app).post('/api/codec/decode').send({ payloads: [{ data: 'not base64!' }] }).expect(400);
    expect(bad.body.error.issues).toEqual([{ field: 'body.payloads.0.data', message: '须为 base64 编码' }]);
    const inEnglish = await request(app).post('/api/codec/decode').set('Accept-Language', 'en-US,en;q=0.9').send({ payloads: [{ data: 'not base64!' }] }).expect(400);
    expect(inEnglish.body.error.issues).toEqual([{ field: 'body.payloads.0.data', message: 'must be base64' }]);
    await request(app).post('/api/codec/encode').send({ payloads: 'none' }).expect(400);
    // proto JSON (the temporal CLI) writes zero payloads as {}
    await request(app).post('/api/codec/decode').send({}).expect(200, { payloads: [] });
    const enc = await request(app).post('/api/codec/encode').send({ payloads: [clear] });
    const other = express().use(express.json()).use(codecRouter(access, new EncryptionCodec(parseKeys(`k2:${k2}`)))).use(errorHandler(silentLogger));
    const refused = await request(other).post('/api/codec/decode').send(enc.body).expect(422);
    expect(refused.body.error.message).toMatch(/key "k1"/);
  });
});
