import type { Stats } from 'node:fs';
import { chmod, lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/** Files the process creates are 0600 and folders 0700: chats, logs and the index are the user's alone. */
export const PRIVATE_UMASK = 0o077;

export interface PrivateDataDirReport {
  /** Paths whose mode was tightened (older installs made them 0644/0755). */
  fixed: string[];
}

/**
 * Makes the data folder private to its user: sets the process umask (so LanceDB, pino and
 * write-file-atomic create 0600 files and 0700 folders from now on) and walks the folder once,
 * tightening what older versions created readable by others. On Windows, modes mean nothing and
 * the folder inherits the profile's ACL, so this does nothing there. Symbolic links are not
 * followed: a link inside the data folder must not make Hearth chmod something outside it.
 */
export async function makeDataDirPrivate(dataDir: string, platform = process.platform): Promise<PrivateDataDirReport> {
  const report: PrivateDataDirReport = { fixed: [] };
  if (platform === 'win32') return report;
  // process.umask cannot be set from a worker thread (the engine runs in one only in tests).
  if (isMainThread) process.umask(PRIVATE_UMASK);
  // Nothing inside a 0700 folder can be reached by others, so a private root needs no walk (a
  // start with a large index stays quick). The root is tightened last, after its contents, so a
  // walk cut short is done again next time.
  const root = await stat(dataDir);
  if ((root.mode & 0o077) === 0) return report;
  const pending = (await readdir(dataDir)).map((name) => join(dataDir, name));
  while (pending.length > 0) {
    const path = pending.pop()!;
    let info;
    try {
      info = await lstat(path);
    } catch {
      continue; // Removed while walking (a rotated log, a LanceDB temp file).
    }
    if (info.isSymbolicLink()) continue;
    await tighten(path, info, report);
    if (info.isDirectory()) {
      // A folder we cannot list was tightened above; what is inside stays as the OS allows.
      for (const name of await readdir(path).catch(() => [] as string[])) pending.push(join(path, name));
    }
  }
  await tighten(dataDir, root, report);
  return report;
}

/** Group and others lose their bits; the owner keeps theirs (a folder gets all three). */
async function tighten(path: string, info: Stats, report: PrivateDataDirReport): Promise<void> {
  if ((info.mode & 0o077) === 0) return;
  const mode = info.isDirectory() ? 0o700 : info.mode & 0o700;
  try {
    await chmod(path, mode);
    report.fixed.push(path);
  } catch {
    // A file this user does not own cannot be changed; the walk goes on and the rest is fixed.
  }
}
