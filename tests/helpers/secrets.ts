import { createKeyring } from '../../src/security/keyring';
import { createSecretBox } from '../../src/security/secrets';
import { EncryptionCodec } from '../../src/temporal/codec';

/** Test keys (never a deployment's): database secrets */
export const TEST_SECRET_KEYS = createKeyring([{ id: 'test-1', key: Buffer.alloc(32, 7) }], 'test');
export const testSecrets = () => createSecretBox(TEST_SECRET_KEYS);
/** A payload codec with a test key (the stack's client and worker, and its codec endpoint). */
export const testCodec = () => new EncryptionCodec(createKeyring([{ id: 'test-payload-1', key: Buffer.alloc(32, 9) }], 'test'));
