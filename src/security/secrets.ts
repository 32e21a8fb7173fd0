/**
 * Secrets the directory stores (department webhook secrets, robot keys in channel addresses) are
 * sealed at rest with SECRET_KEYS: `enc:v1:<kid>:<base64 iv|ciphertext|tag>`. A value written
 * before sealing existed opens as itself, so old rows keep working until they are re-saved.
 */
import { existsSync } from 'node:fs';
import { type Config, ConfigError } from '../config';
import { decrypt, encrypt, type Keyring, loadOrCreateKeyFile, parseKeys } from './keyring';

export interface SecretBox {
  seal(plain: string): string;
  open(stored: string): string;
}

const PREFIX = 'enc:v1:';
const AAD = Buffer.from('steward-appeals/db-secret/v1');

export function createSecretBox(keyring: Keyring): SecretBox {
  return {
    seal(plain) {
      const { kid, data } = encrypt(keyring, Buffer.from(plain, 'utf8'), AAD);
      return `${PREFIX}${kid}:${Buffer.from(data).toString('base64')}`;
    },
    open(stored) {
      if (!stored.startsWith(PREFIX)) return stored;
      const rest = stored.slice(PREFIX.length);
      const colon = rest.indexOf(':');
      return decrypt(keyring, { kid: rest.slice(0, colon), data: Buffer.from(rest.slice(colon + 1), 'base64') }, AAD).toString('utf8');
    },
  };
}

/** Channel types whose address carries a key (a WeCom robot URL, a webhook with a token). */
export const SECRET_CHANNELS = new Set(['wecom', 'webhook']);

type Channel = { type: string; address: string };

/** Seals (or opens) the addresses of the channels whose address is itself a secret. */
export function mapChannelSecrets<C extends Channel = Channel>(channels: unknown, fn: (v: string) => string): C[] | null {
  if (!Array.isArray(channels)) return null;
  return (channels as C[]).map((c) => (SECRET_CHANNELS.has(c.type) && typeof c.address === 'string' ? { ...c, address: fn(c.address) } : c));
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

/** The database's secret box: SECRET_KEYS, or the generated KEY_FILE on the embedded default. */
export function secretBoxFromConfig(config: Pick<Config, 'SECRET_KEYS' | 'KEY_FILE'>): SecretBox {
  return createSecretBox(parseKeys(config.SECRET_KEYS ?? loadOrCreateKeyFile(config.KEY_FILE).secrets, 'SECRET_KEYS'));
}

/** How a channel shows in an answer: its type, and its address unless the address is a secret ("set"). */
export const presentChannels = (channels: unknown) =>
  Array.isArray(channels)
    ? channels.map((c: { type?: unknown; address?: unknown }) =>
        SECRET_CHANNELS.has(String(c?.type)) ? { type: String(c.type), addressSet: true } : { type: String(c?.type), address: c?.address },
      )
    : null;
