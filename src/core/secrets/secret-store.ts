import { chmod, copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { SealedSecretError } from './sealed-secret-error';
import { damagedName } from '../state';

/**
 * Encrypts secrets at rest. The desktop app passes one built on Electron's `safeStorage` (the
 * OS keychain); headless, secrets rely on 0600 file permissions alone.
 */
export interface SecretCipher {
  encrypt(plain: Buffer): Buffer;
  decrypt(sealed: Buffer): Buffer;
  /**
   * Set when sealing does not truly encrypt (Linux without a keyring, where Chromium seals with
   * a fixed, public password): what the user should do about it. The store then reports
   * `encrypted: false`.
   */
  readonly notEncryptedReason?: string;
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
  /**
   * True when secrets are encrypted by the OS keychain, not only protected by permissions: false
   * headless, and false for a cipher with a notEncryptedReason.
   */
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

async function readIfPresent(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * One format for the app and the command line, so running both never makes a second wallet or
 * API key: `<name>.sealed` (sealed by the app's keychain) or `<name>.key` (plain, 0600). With a
 * cipher, a `.key` the command line wrote is adopted: sealed, then the plain file removed.
 * Without one, a `.sealed` secret is refused with SealedSecretError rather than replaced.
 */
export function createSecretStore({ dir, cipher }: SecretStoreOptions): SecretStore {
  const filesOf = (name: string) => {
    if (!NAME.test(name)) throw new SecretNameError(name);
    return { sealed: join(dir, `${name}.sealed`), plain: join(dir, `${name}.key`) };
  };
  const write = async (file: string, bytes: Buffer) => {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    await writeFileAtomic(file, bytes, { mode: 0o600, fsync: true });
  };
  return {
    encrypted: cipher !== undefined && !cipher.notEncryptedReason,
    async get(name) {
      const files = filesOf(name);
      if (!cipher) {
        const plain = await readIfPresent(files.plain);
        if (plain === null && (await readIfPresent(files.sealed)) !== null)
          throw new SealedSecretError(name, files.sealed);
        return plain;
      }
      const sealed = await readIfPresent(files.sealed);
      if (sealed !== null) return cipher.decrypt(sealed);
      const plain = await readIfPresent(files.plain);
      if (plain === null) return null;
      // Sealed and on disk (fsync) before the plain copy goes, so a crash between keeps one of them.
      await write(files.sealed, cipher.encrypt(plain));
      await rm(files.plain, { force: true });
      return plain;
    },
    async set(name, value) {
      const files = filesOf(name);
      if (!cipher) {
        if ((await readIfPresent(files.sealed)) !== null) throw new SealedSecretError(name, files.sealed);
        await write(files.plain, value);
        return;
      }
      await write(files.sealed, cipher.encrypt(value));
      await rm(files.plain, { force: true });
    },
    async delete(name) {
      const files = filesOf(name);
      await rm(files.sealed, { force: true });
      await rm(files.plain, { force: true });
    },
    // The app keeps secrets sealed, the command line plain: name the file this store would use.
    locate: (name) => (cipher ? filesOf(name).sealed : filesOf(name).plain),
    async keepDamagedCopy(name) {
      const files = filesOf(name);
      const file = (await readIfPresent(files.sealed)) !== null ? files.sealed : files.plain;
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
