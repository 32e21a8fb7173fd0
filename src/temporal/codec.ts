/**
 * Private data (contact names, phone numbers, descriptions) never reaches Temporal in clear text:
 * every payload is serialised and encrypted with AES-256-GCM before it leaves the client or the
 * worker (the samples-typescript `encryption` codec, with a keyring for rotation).
 *
 * Payloads written before encryption was turned on are passed through as they are, so old
 * histories still replay and display. Codecs run outside the workflow sandbox: the workflow
 * bundle is unaffected.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec, ValueError } from '@temporalio/common';
import { decode as utf8Decode, encode as utf8Encode } from '@temporalio/common/lib/encoding';
import { temporal } from '@temporalio/proto';
import type { Config } from '../config';
import { decrypt, encrypt, type Keyring, loadOrCreateKeyFile, parseKeys } from '../security/keyring';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';
/** set on a payload whose plain text was deflated before it was sealed (absent: sealed as it was) */
export const METADATA_COMPRESSION = 'compression';
const DEFLATE = utf8Encode('deflate');
// below this a deflate stream saves nothing worth its header
const COMPRESS_FROM = 256;

const ENCRYPTED = utf8Encode(ENCRYPTED_ENCODING);

export class EncryptionCodec implements PayloadCodec {
  constructor(readonly keyring: Keyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // compressed before it is sealed (ciphertext does not compress): the states, events and
      // notices a case sends are JSON with much repetition, and every byte is kept in its history
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const deflated = plain.length >= COMPRESS_FROM ? deflateRawSync(plain, { level: 1 }) : undefined;
      const compressed = deflated && deflated.length < plain.length;
      const sealed = encrypt(this.keyring, compressed ? deflated : plain);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: ENCRYPTED,
          [METADATA_KEY_ID]: utf8Encode(sealed.kid),
          ...(compressed ? { [METADATA_COMPRESSION]: DEFLATE } : {}),
        },
        data: sealed.data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || utf8Decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const kid = payload.metadata?.[METADATA_KEY_ID];
      if (!kid) throw new ValueError('an encrypted payload carries no encryption-key-id');
      if (!payload.data) throw new ValueError('an encrypted payload has no data');
      try {
        const opened = decrypt(this.keyring, { kid: utf8Decode(kid), data: payload.data });
        const compression = payload.metadata?.[METADATA_COMPRESSION];
        if (compression && utf8Decode(compression) !== 'deflate') throw new ValueError(`unknown payload compression ${utf8Decode(compression)}`);
        return temporal.api.common.v1.Payload.decode(compression ? inflateRawSync(opened) : opened);
      } catch (err) {
        throw new ValueError(`cannot decrypt a Temporal payload: ${(err as Error).message}`, err);
      }
    });
  }
}

/** PAYLOAD_KEYS when set; otherwise the embedded default's generated key file. */
export function codecFromConfig(config: Pick<Config, 'PAYLOAD_KEYS' | 'KEY_FILE'>): EncryptionCodec {
  const keyring = config.PAYLOAD_KEYS
    ? parseKeys(config.PAYLOAD_KEYS, 'PAYLOAD_KEYS')
    : parseKeys(loadOrCreateKeyFile(config.KEY_FILE).payload, `KEY_FILE (${config.KEY_FILE}) payload`);
  return new EncryptionCodec(keyring);
}
