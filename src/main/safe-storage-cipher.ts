import { safeStorage } from 'electron';
import type { SecretCipher } from '../core/secrets';
import { keychainStatus } from './keychain-status';

/**
 * The OS keychain through Electron, when the platform offers one; on Linux without a keyring,
 * a cipher that says it does not truly encrypt (see keychainStatus).
 */
export function safeStorageCipher(): { cipher: SecretCipher | undefined; notEncryptedReason: string | null } {
  const status = keychainStatus({
    platform: process.platform,
    available: safeStorage.isEncryptionAvailable(),
    linuxBackend: process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : undefined,
  });
  if (!status.seal) return { cipher: undefined, notEncryptedReason: status.notEncryptedReason };
  const cipher: SecretCipher = {
    encrypt: (plain) => safeStorage.encryptString(plain.toString('base64')),
    decrypt: (sealed) => Buffer.from(safeStorage.decryptString(sealed), 'base64'),
    ...(status.notEncryptedReason ? { notEncryptedReason: status.notEncryptedReason } : {}),
  };
  return { cipher, notEncryptedReason: status.notEncryptedReason };
}
