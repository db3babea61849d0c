export type LinuxStorageBackend = 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown';

export interface KeychainFacts {
  platform: NodeJS.Platform;
  /** safeStorage.isEncryptionAvailable() */
  available: boolean;
  /** safeStorage.getSelectedStorageBackend(), read on Linux only. */
  linuxBackend?: LinuxStorageBackend;
}

export interface KeychainStatus {
  /** Seal secrets with safeStorage at all (even when weak, so one format serves app and CLI). */
  seal: boolean;
  /** Null when the OS keychain truly encrypts; otherwise what the user is told to do. */
  notEncryptedReason: string | null;
}

const LINUX_ADVICE =
  'Install and unlock a keyring (GNOME Keyring, or KWallet on KDE; on other desktops, a Secret Service ' +
  'provider such as KeePassXC), then restart Hearth.';

/**
 * Whether Electron's safeStorage really encrypts. On Linux without a keyring it reports itself
 * available but uses `basic_text`: a password built into Chromium, so anyone who can read the
 * files can unseal them. Hearth still seals (nothing changes on disk when a keyring appears
 * later), but tells the user their keys are not truly encrypted.
 */
export function keychainStatus(facts: KeychainFacts): KeychainStatus {
  const weak = facts.platform === 'linux' && (facts.linuxBackend === 'basic_text' || facts.linuxBackend === 'unknown');
  if (facts.available && !weak) return { seal: true, notEncryptedReason: null };
  const where = 'Hearth keeps your network identity, wallet and local API key in files only your account can read';
  if (facts.platform === 'linux') {
    return {
      seal: facts.available,
      notEncryptedReason: `${where}, but not encrypted: no keyring is running. ${LINUX_ADVICE}`,
    };
  }
  return {
    seal: false,
    notEncryptedReason: `${where}, but not encrypted: the system keychain is not available to Hearth.`,
  };
}
