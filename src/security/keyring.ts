/**
 * AES-256-GCM keys with ids. The first key of a keyring encrypts; every key decrypts, so a key
 * is rotated by putting a new one first and keeping the old one until nothing sealed with it is
 * still read. Key bytes never appear in an error message.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config';

export interface KeyEntry {
  id: string;
  key: Buffer;
}

export interface Keyring {
  /** the key that encrypts */
  readonly current: KeyEntry;
  /** every key, current first */
  readonly entries: readonly KeyEntry[];
  /** where the keys came from (a variable or a file), for error messages */
  readonly source: string;
  key(kid: string): Buffer | undefined;
}

/** A sealed value: which key, and iv(12) | ciphertext | tag(16). */
export interface Sealed {
  kid: string;
  data: Uint8Array;
}

export class DecryptError extends Error {
  override name = 'DecryptError';
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KID = /^[A-Za-z0-9_.-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Parses `kid:base64key[,kid:base64key...]`. `variable` names the setting in errors
 * (PAYLOAD_KEYS, SECRET_KEYS, or the key file).
 */
export function parseKeys(spec: string, variable = 'PAYLOAD_KEYS'): Keyring {
  const fail = (why: string) => new ConfigError(`${variable}: ${why}`);
  const parts = spec.split(',').map((p) => p.trim());
  if (!spec.trim() || parts.some((p) => !p)) throw fail('must be kid:base64key[,kid:base64key...] with at least one key');
  const entries: KeyEntry[] = [];
  parts.forEach((part, i) => {
    const colon = part.indexOf(':');
    const id = colon < 0 ? '' : part.slice(0, colon);
    // the part may be a bare key (a forgotten kid): never echo it, only its position
    if (!KID.test(id)) throw fail(`key #${i + 1} needs a key id of letters, digits, "_", "." or "-" before a ":"`);
    if (entries.some((e) => e.id === id)) throw fail(`key id "${id}" appears twice`);
    const b64 = part.slice(colon + 1);
    if (!BASE64.test(b64)) throw fail(`key "${id}" is not base64`);
    const key = Buffer.from(b64, 'base64');
    if (key.length !== KEY_BYTES) throw fail(`key "${id}" is ${key.length} bytes; AES-256 needs exactly ${KEY_BYTES} (openssl rand -base64 32)`);
    entries.push({ id, key });
  });
  return createKeyring(entries, variable);
}

export function createKeyring(entries: readonly KeyEntry[], source = 'keyring'): Keyring {
  const [current] = entries;
  if (!current) throw new ConfigError(`${source}: at least one key is needed`);
  const byId = new Map(entries.map((e) => [e.id, e.key]));
  return { current, entries, source, key: (kid) => byId.get(kid) };
}

/** A new key spec `kid:base64key` with a random 32-byte key. */
export function generateKeySpec(kid: string): string {
  return `${kid}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

export function encrypt(keyring: Keyring, plaintext: Uint8Array, aad?: Uint8Array): Sealed {
  const { id, key } = keyring.current;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (aad) cipher.setAAD(aad);
  const data = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { kid: id, data };
}

export function decrypt(keyring: Keyring, { kid, data }: Sealed, aad?: Uint8Array): Buffer {
  const key = keyring.key(kid);
  if (!key) {
    throw new DecryptError(`encrypted with key "${kid}", which ${keyring.source} does not hold (keys: ${keyring.entries.map((e) => e.id).join(', ')})`);
  }
  if (data.length < IV_BYTES + TAG_BYTES) throw new DecryptError(`encrypted data for key "${kid}" is truncated`);
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new DecryptError(`data encrypted with key "${kid}" failed authentication: it was altered, or the key with that id is not the one it was encrypted with`);
  }
}

export interface KeyFile {
  /** key spec for Temporal payloads (PAYLOAD_KEYS format) */
  payload: string;
  /** key spec for secrets stored in the database (SECRET_KEYS format) */
  secrets: string;
}

/**
 * The embedded default's keys: read from `file`, or generated into it on first use (mode 0600,
 * directory created). Created with an exclusive link, so two processes starting at once end up
 * with the same keys rather than each overwriting the other's.
 */
export function loadOrCreateKeyFile(file: string): KeyFile {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    const generated: KeyFile & { createdAt: string } = {
      payload: generateKeySpec('payload-1'),
      secrets: generateKeySpec('secrets-1'),
      createdAt: new Date().toISOString(),
    };
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(tmp, 0o600); // exactly owner read/write, whatever the umask
    try {
      linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
  }
  return readKeyFile(file);
}

function readKeyFile(file: string): KeyFile {
  const where = `KEY_FILE (${file})`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new ConfigError(`${where}: cannot be read as JSON`);
  }
  const { payload, secrets } = (parsed ?? {}) as Partial<Record<keyof KeyFile, unknown>>;
  if (typeof payload !== 'string' || typeof secrets !== 'string') throw new ConfigError(`${where}: needs string fields "payload" and "secrets"`);
  // validated now, so a damaged file fails at start rather than at the first encryption
  parseKeys(payload, `${where} payload`);
  parseKeys(secrets, `${where} secrets`);
  return { payload, secrets };
}
