import { chmod, copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { damagedName } from '../state';

/**
 * Encrypts secrets at rest. The desktop app passes one built on Electron's `safeStorage` (the
 * OS keychain); headless, secrets rely on 0600 file permissions alone.
 */
export interface SecretCipher {
  encrypt(plain: Buffer): Buffer;
  decrypt(sealed: Buffer): Buffer;
}

/** Keys and tokens (network identity, wallet, local API key), one file per secret. */
export interface SecretStore {
  get(name: string): Promise<Buffer | null>;
  set(name: string, value: Buffer): Promise<void>;
  delete(name: string): Promise<void>;
  /** Where the secret is stored (for messages the user can act on). */
  locate(name: string): string;
  /**
   * Copies a damaged secret to `<file>.damaged-<time>` (once per content) and leaves the original
   * where it is, so nothing can mint a new key over it; returns the copy's path.
   */
  keepDamagedCopy(name: string): Promise<string>;
  /** True when secrets are encrypted by the OS keychain, not only protected by permissions. */
  readonly encrypted: boolean;
}

export interface SecretStoreOptions {
  /** Folder for the secret files; created with mode 0700. */
  dir: string;
  cipher?: SecretCipher;
}

export class SecretNameError extends Error {
  override readonly name = 'SecretNameError';
  constructor(readonly secret: string) {
    super(`"${secret}" is not a valid secret name (use lowercase letters, digits and dashes).`);
  }
}

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function createSecretStore({ dir, cipher }: SecretStoreOptions): SecretStore {
  const fileOf = (name: string) => {
    if (!NAME.test(name)) throw new SecretNameError(name);
    return join(dir, cipher ? `${name}.sealed` : `${name}.key`);
  };
  return {
    encrypted: cipher !== undefined,
    async get(name) {
      try {
        const stored = await readFile(fileOf(name));
        return cipher ? cipher.decrypt(stored) : stored;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async set(name, value) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await chmod(dir, 0o700);
      await writeFileAtomic(fileOf(name), cipher ? cipher.encrypt(value) : value, { mode: 0o600, fsync: true });
    },
    async delete(name) {
      await rm(fileOf(name), { force: true });
    },
    locate: fileOf,
    async keepDamagedCopy(name) {
      const file = fileOf(name);
      const content = await readFile(file);
      const prefix = `${basename(file)}.damaged-`;
      for (const sibling of (await readdir(dir))
        .filter((n) => n.startsWith(prefix))
        .sort()
        .reverse()) {
        const copy = join(dir, sibling);
        if ((await readFile(copy)).equals(content)) return copy;
      }
      const copy = damagedName(file);
      await copyFile(file, copy);
      await chmod(copy, 0o600);
      return copy;
    },
  };
}
