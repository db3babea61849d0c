import { readFile, stat } from 'node:fs/promises';
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
    // A reversible stand-in for safeStorage at its seam: XOR with a fixed byte.
    const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a));
    const cipher: SecretCipher = { encrypt: xor, decrypt: xor };
    const store = createSecretStore({ dir: dir.path, cipher });
    await store.set('wallet', Buffer.from('private-key'));
    expect(await readFile(join(dir.path, 'wallet.sealed'), 'utf8')).not.toContain('private-key');
    expect((await store.get('wallet'))?.toString()).toBe('private-key');
    expect(store.encrypted).toBe(true);
  });

  it('refuses names that could escape the folder', async () => {
    const store = createSecretStore({ dir: dir.path });
    await expect(store.set('../evil', Buffer.from('x'))).rejects.toMatchObject({ name: 'SecretNameError' });
  });
});
