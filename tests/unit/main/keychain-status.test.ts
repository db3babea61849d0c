import { describe, expect, it } from 'vitest';
import { keychainStatus } from '../../../src/main/keychain-status';

describe('keychainStatus', () => {
  it.each([
    { platform: 'darwin', available: true },
    { platform: 'win32', available: true },
    { platform: 'linux', available: true, linuxBackend: 'gnome_libsecret' },
    { platform: 'linux', available: true, linuxBackend: 'kwallet6' },
  ] as const)('trusts a real keychain: %o', (facts) => {
    expect(keychainStatus(facts)).toEqual({ seal: true, notEncryptedReason: null });
  });

  it('seals with basic_text but says the keys are not encrypted, and how to fix it', () => {
    const status = keychainStatus({ platform: 'linux', available: true, linuxBackend: 'basic_text' });
    expect(status.seal).toBe(true);
    expect(status.notEncryptedReason).toMatch(/not encrypted: no keyring is running/);
    expect(status.notEncryptedReason).toMatch(/GNOME Keyring.*KWallet.*restart Hearth/);
  });

  it('falls back to permission-protected files when there is no keychain at all, and says so', () => {
    expect(keychainStatus({ platform: 'linux', available: false, linuxBackend: 'unknown' })).toMatchObject({
      seal: false,
      notEncryptedReason: expect.stringMatching(/install and unlock a keyring/i),
    });
    expect(keychainStatus({ platform: 'win32', available: false })).toMatchObject({
      seal: false,
      notEncryptedReason: expect.stringMatching(/not encrypted/),
    });
  });
});
