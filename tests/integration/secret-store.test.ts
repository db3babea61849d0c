import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSecretStore, type SecretCipher } from '../../src/core/secrets';
import { tempDir } from '../helpers/temp-dir';

describe('createSecretStore', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.cleanup());

  it('keeps headless secrets in 0600 files inside a 0700 folder', async () => {
    const store = createSecretStore({ dir: join(dir.path, 'secrets') });
    expect(await store.get('identity')).toBeNull();
    await store.set('identity', Buffer.from('key-bytes'));
    expect((await store.get('identity'))?.toString()).toBe('key-bytes');
    expect((await stat(join(dir.path, 'secrets', 'identity.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir.path, 'secrets'))).mode & 0o777).toBe(0o700);
    await store.delete('identity');
    expect(await store.get('identity')).toBeNull();
  });

  it('stores only ciphertext when given a cipher', async () => {
    const cipher: SecretCipher = { encrypt: xor, decrypt: xor };
    const store = createSecretStore({ dir: dir.path, cipher });
    await store.set('wallet', Buffer.from('private-key'));
    expect(await readFile(join(dir.path, 'wallet.sealed'), 'utf8')).not.toContain('private-key');
    expect((await store.get('wallet'))?.toString()).toBe('private-key');
    expect(store.encrypted).toBe(true);
  });

  // A reversible stand-in for safeStorage at its seam: XOR with a fixed byte.
  const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a));

  it('reports a cipher that does not truly encrypt (Linux basic_text) as not encrypted', () => {
    const weak = createSecretStore({
      dir: dir.path,
      cipher: { encrypt: xor, decrypt: xor, notEncryptedReason: 'no keyring' },
    });
    expect(weak.encrypted).toBe(false);
    expect(createSecretStore({ dir: dir.path }).encrypted).toBe(false);
  });

  it('has the app adopt a key the command line wrote: sealed, the plain file removed, the same key', async () => {
    const cli = createSecretStore({ dir: dir.path });
    await cli.set('wallet', Buffer.from('cli-wallet-key'));
    const app = createSecretStore({ dir: dir.path, cipher: { encrypt: xor, decrypt: xor } });
    expect((await app.get('wallet'))?.toString()).toBe('cli-wallet-key');
    expect(await readdir(dir.path)).toEqual(['wallet.sealed']);
    expect(await readFile(join(dir.path, 'wallet.sealed'), 'utf8')).not.toContain('cli-wallet-key');
    expect((await stat(join(dir.path, 'wallet.sealed'))).mode & 0o777).toBe(0o600);
    expect((await app.get('wallet'))?.toString()).toBe('cli-wallet-key');
  });

  it('has the command line refuse a key the app sealed instead of making a second one', async () => {
    const app = createSecretStore({ dir: dir.path, cipher: { encrypt: xor, decrypt: xor } });
    await app.set('local-api-key', Buffer.from('app-key'));
    const cli = createSecretStore({ dir: dir.path });
    const refusal = {
      name: 'SealedSecretError',
      message: expect.stringMatching(/sealed by the Hearth app's keychain.*HEARTH_HOME/),
    };
    await expect(cli.get('local-api-key')).rejects.toMatchObject(refusal);
    await expect(cli.set('local-api-key', Buffer.from('second-key'))).rejects.toMatchObject(refusal);
    expect(await readdir(dir.path)).toEqual(['local-api-key.sealed']);
    // Other secrets are unaffected.
    expect(await cli.get('identity')).toBeNull();
  });

  it('replaces a plain copy when the app sets a secret, and deletes both forms', async () => {
    await writeFile(join(dir.path, 'identity.key'), 'old');
    const app = createSecretStore({ dir: dir.path, cipher: { encrypt: xor, decrypt: xor } });
    await app.set('identity', Buffer.from('new'));
    expect(await readdir(dir.path)).toEqual(['identity.sealed']);
    await writeFile(join(dir.path, 'identity.key'), 'stray');
    await app.delete('identity');
    expect(await readdir(dir.path)).toEqual([]);
  });

  it('refuses names that could escape the folder', async () => {
    const store = createSecretStore({ dir: dir.path });
    await expect(store.set('../evil', Buffer.from('x'))).rejects.toMatchObject({ name: 'SecretNameError' });
  });
});
