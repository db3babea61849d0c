import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import type { SecretStore } from '../../secrets';

/** The secret-store name of the node's Ed25519 key; its public half is the peer id. */
export const IDENTITY_SECRET = 'network-identity';

/**
 * Loads the node's key, creating it on first use. The key lives in the secret store (the OS
 * keychain in the app, a 0600 file headless), never in settings, so copying settings to another
 * machine does not clone the node's identity.
 */
export async function loadOrCreateIdentity(secrets: SecretStore): Promise<PrivateKey> {
  const stored = await secrets.get(IDENTITY_SECRET);
  if (stored) return privateKeyFromProtobuf(stored);
  const key = await generateKeyPair('Ed25519');
  await secrets.set(IDENTITY_SECRET, Buffer.from(privateKeyToProtobuf(key)));
  return key;
}
