import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { loadOrCreateKey, type SecretStore } from '../../secrets';

/** The secret-store name of the node's Ed25519 key; its public half is the peer id. */
export const IDENTITY_SECRET = 'network-identity';

/**
 * Loads the node's key, creating it on first use. The key lives in the secret store (the OS
 * keychain in the app, a 0600 file headless), never in settings, so copying settings to another
 * machine does not clone the node's identity. A damaged key is a DamagedSecretError, never a new
 * identity minted over it.
 */
export async function loadOrCreateIdentity(secrets: SecretStore): Promise<PrivateKey> {
  return loadOrCreateKey(secrets, IDENTITY_SECRET, {
    what: 'network identity key',
    generate: async () => privateKeyToProtobuf(await generateKeyPair('Ed25519')),
    decode: (stored) => {
      try {
        return privateKeyFromProtobuf(stored);
      } catch {
        throw new Error(`it is ${stored.byteLength} bytes that do not hold an Ed25519 key`);
      }
    },
  });
}

/**
 * The key this run of the node uses: the stored identity, or with `fresh` a new one that lives
 * only in memory until the node stops (the privacy option: no peer id links two sessions).
 */
export async function sessionIdentity(secrets: SecretStore, fresh: boolean): Promise<PrivateKey> {
  return fresh ? generateKeyPair('Ed25519') : loadOrCreateIdentity(secrets);
}
