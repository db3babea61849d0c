import { safeStorage } from 'electron';
import type { SecretCipher } from '../core/secrets';

/** The OS keychain through Electron, when the platform offers one. */
export function safeStorageCipher(): SecretCipher | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  return {
    encrypt: (plain) => safeStorage.encryptString(plain.toString('base64')),
    decrypt: (sealed) => Buffer.from(safeStorage.decryptString(sealed), 'base64'),
  };
}
