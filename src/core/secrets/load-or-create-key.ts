import { DamagedSecretError } from './damaged-secret-error';
import type { SecretStore } from './secret-store';

/** How one kind of key is made, stored and read back. */
export interface KeyCodec<K> {
  /** What the key is, for the user ("network identity key"). */
  what: string;
  /** A new key's bytes, as stored. */
  generate(): Promise<Uint8Array> | Uint8Array;
  /** Throws, saying what is wrong, when the stored bytes are not a whole key. */
  decode(stored: Buffer): K;
}

/**
 * Loads a key, creating it only when none was ever stored. A stored key that cannot be read is
 * never replaced: a copy is kept aside and DamagedSecretError says what to do.
 */
export async function loadOrCreateKey<K>(secrets: SecretStore, name: string, codec: KeyCodec<K>): Promise<K> {
  let stored: Buffer | null;
  try {
    stored = await secrets.get(name);
  } catch (error) {
    throw await damaged(secrets, name, codec, `it cannot be read or decrypted: ${(error as Error).message}`);
  }
  if (stored === null) {
    const fresh = Buffer.from(await codec.generate());
    await secrets.set(name, fresh);
    return codec.decode(fresh);
  }
  try {
    return codec.decode(stored);
  } catch (error) {
    throw await damaged(secrets, name, codec, (error as Error).message);
  }
}

async function damaged<K>(
  secrets: SecretStore,
  name: string,
  codec: KeyCodec<K>,
  problem: string,
): Promise<DamagedSecretError> {
  // Without a copy the error still stands: the original stays in place either way.
  const copy = await secrets.keepDamagedCopy(name).catch(() => null);
  return new DamagedSecretError(codec.what, secrets.locate(name), copy, problem);
}
