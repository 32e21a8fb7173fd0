/**
 * Secrets the directory stores (department webhook secrets, robot keys in channel addresses) are
 * sealed at rest with SECRET_KEYS: `enc:v1:<kid>:<base64 iv|ciphertext|tag>`. A value written
 * before sealing existed opens as itself, so old rows keep working until they are re-saved.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { type Config, ConfigError } from '../config';

export interface SecretKey {
  id: string;
  key: Buffer;
}

export interface SecretBox {
  seal(plain: string): string;
  open(stored: string): string;
  isSealed(value: string): boolean;
}

const PREFIX = 'enc:v1:';
const AAD = Buffer.from('steward-appeals/db-secret/v1');

export function createSecretBox(keys: SecretKey[]): SecretBox {
  const [current] = keys;
  if (!current) throw new Error('SECRET_KEYS: at least one key is needed');
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv).setAAD(AAD);
      const body = Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${PREFIX}${current.id}:${body.toString('base64')}`;
    },
    open(stored) {
      if (!stored.startsWith(PREFIX)) return stored;
      const rest = stored.slice(PREFIX.length);
      const colon = rest.indexOf(':');
      const kid = rest.slice(0, colon);
      const key = byId.get(kid);
      if (!key) throw new Error(`a stored secret is sealed with key "${kid}", which SECRET_KEYS no longer holds`);
      const body = Buffer.from(rest.slice(colon + 1), 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, 12)).setAAD(AAD);
      decipher.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([decipher.update(body.subarray(12, body.length - 16)), decipher.final()]).toString('utf8');
    },
    isSealed: (value) => value.startsWith(PREFIX),
  };
}

/** Channel types whose address carries a key (a WeCom robot URL, a webhook with a token). */
export const SECRET_CHANNELS = new Set(['wecom', 'webhook']);

type Channel = { type: string; address: string };

/** Seals (or opens) the addresses of the channels whose address is itself a secret. */
export function mapChannelSecrets(channels: unknown, fn: (v: string) => string): Channel[] | null {
  if (!Array.isArray(channels)) return null;
  return (channels as Channel[]).map((c) => (SECRET_CHANNELS.has(c.type) && typeof c.address === 'string' ? { ...c, address: fn(c.address) } : c));
}

/**
 * Processes started on their own (production) never invent keys: every API and worker process
 * must encrypt with the same ones, so they come from PAYLOAD_KEYS/SECRET_KEYS or an existing
 * KEY_FILE. Only `npm start` generates a key file on first run.
 */
export function requireSharedKeys(config: Pick<Config, 'PAYLOAD_KEYS' | 'SECRET_KEYS' | 'KEY_FILE'>): void {
  if (config.PAYLOAD_KEYS && config.SECRET_KEYS) return;
  if (existsSync(config.KEY_FILE)) return;
  throw new ConfigError(
    `PAYLOAD_KEYS and SECRET_KEYS: required (or an existing KEY_FILE, now ${config.KEY_FILE}): every API and worker process must share the same encryption keys; npm start generates them on first run`,
  );
}
