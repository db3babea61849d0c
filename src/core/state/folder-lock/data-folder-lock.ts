import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { chmod, link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { DataFolderInUseError } from './data-folder-in-use-error';
import {
  DataFolderOwnerSchema,
  OwnerAccessSchema,
  type DataFolderOwner,
  type OwnerAccess,
  type OwnerKind,
} from './data-folder-owner';
import { processRuns, processStart } from './process-identity';

/** Who owns the folder: pid, kind, command, port. Readable by the user only, like every file there. */
export const LOCK_FILE = 'hearth.lock';
/** The port and token a same-user CLI needs to call the owner; 0600, never printed or logged. */
export const ACCESS_FILE = 'hearth.access';

export interface LockDataFolderOptions {
  kind: OwnerKind;
  /** The command, for other processes' messages (`hearth serve`). */
  command: string;
}

/** A running owner of a data folder, and how to reach it when it serves a socket. */
export interface FolderOwnerFound {
  owner: DataFolderOwner;
  /** Null while it serves no socket (the desktop app, a one-shot command) or its file is unreadable. */
  access: OwnerAccess | null;
}

/**
 * One data folder, one owner: the process that opens the engine on a folder holds this lock
 * until it ends, so two processes never write one library, one chat folder or one ledger.
 * The lock file is made complete and then linked into place, which fails if it exists: of
 * two processes starting at once exactly one wins. A lock whose process is gone (or whose
 * pid now belongs to a process that started later) is stale and taken over.
 */
export class DataFolderLock {
  private _released = false;

  private constructor(
    readonly dataDir: string,
    private _owner: DataFolderOwner,
  ) {}

  get owner(): DataFolderOwner {
    return this._owner;
  }

  static async acquire(dataDir: string, options: LockDataFolderOptions): Promise<DataFolderLock> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const owner: DataFolderOwner = {
      pid: process.pid,
      kind: options.kind,
      command: options.command,
      port: null,
      startedAt: Date.now(),
      processStart: processStart(process.pid),
    };
    const lockPath = join(dataDir, LOCK_FILE);
    // The second round follows removing a stale lock; losing that race to another process
    // taking it over ends in that process's lock being found live.
    for (let round = 0; round < 3; round++) {
      if (await linkNew(lockPath, owner)) return new DataFolderLock(dataDir, owner);
      // Judging a lock stale and removing it happen under a second lock, so one process can
      // never remove a lock another has just taken over.
      const live = await whileTakingOver(dataDir, async () => {
        const found = await readOwner(dataDir);
        if (found && ownerRuns(found)) return found;
        await unlink(lockPath).catch(ignoreMissing);
        return null;
      });
      if (live) throw new DataFolderInUseError(dataDir, live);
    }
    throw new Error(`Could not lock the data folder ${dataDir}; another Hearth keeps taking it. Try again.`);
  }

  /** Tells other processes how to reach this one: the token file first, then the port in the lock. */
  async publish(access: OwnerAccess): Promise<void> {
    if (this._released) return;
    await writePrivate(join(this.dataDir, ACCESS_FILE), JSON.stringify(v.parse(OwnerAccessSchema, access)));
    this._owner = { ...this._owner, port: access.port };
    await writePrivate(join(this.dataDir, LOCK_FILE), JSON.stringify(this._owner));
  }

  /** Removes the lock, if it is still this process's (a lock taken over as stale is left alone). */
  async release(): Promise<void> {
    if (this._released) return;
    this._released = true;
    if (!(await this._stillMine())) return;
    await unlink(join(this.dataDir, ACCESS_FILE)).catch(ignoreMissing);
    await unlink(join(this.dataDir, LOCK_FILE)).catch(ignoreMissing);
  }

  /** For `process.on('exit')`, where nothing async runs: removes both files if they are this process's. */
  releaseSync(): void {
    if (this._released) return;
    this._released = true;
    for (const file of [ACCESS_FILE, LOCK_FILE]) {
      try {
        unlinkSync(join(this.dataDir, file));
      } catch {
        // Already gone: nothing to release.
      }
    }
  }

  private async _stillMine(): Promise<boolean> {
    const found = await readOwner(this.dataDir);
    return found?.pid === this._owner.pid && found.startedAt === this._owner.startedAt;
  }
}

/** The live owner of `dataDir` and how to reach it, or null when none runs (a stale lock counts as none). */
export async function findFolderOwner(dataDir: string): Promise<FolderOwnerFound | null> {
  const owner = await readOwner(dataDir);
  if (!owner || !ownerRuns(owner)) return null;
  if (owner.port === null) return { owner, access: null };
  // No access file (yet) means the owner cannot be reached: treated below as no access.
  const text = await readFile(join(dataDir, ACCESS_FILE), 'utf8').catch(() => null);
  const parsed = text === null ? null : v.safeParse(OwnerAccessSchema, safeJson(text));
  return { owner, access: parsed?.success && parsed.output.port === owner.port ? parsed.output : null };
}

async function readOwner(dataDir: string): Promise<DataFolderOwner | null> {
  // No lock file means no owner.
  const text = await readFile(join(dataDir, LOCK_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  // Files are linked into place complete, so an unreadable lock is damage, not a write in progress.
  const parsed = v.safeParse(DataFolderOwnerSchema, safeJson(text));
  return parsed.success ? parsed.output : null;
}

function ownerRuns(owner: DataFolderOwner): boolean {
  if (!processRuns(owner.pid)) return false;
  const now = processStart(owner.pid);
  return owner.processStart === null || now === null || now === owner.processStart;
}

/** Runs `judge` while holding `hearth.lock.takeover`; a takeover lock older than 10 s is from a crash. */
async function whileTakingOver<T>(dataDir: string, judge: () => Promise<T>): Promise<T> {
  const path = join(dataDir, `${LOCK_FILE}.takeover`);
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(path, String(process.pid), { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A takeover lock gone between the failed create and this stat is simply retried.
      const age = Date.now() - ((await stat(path).catch(() => null))?.mtimeMs ?? Date.now());
      if (age > 10_000 || attempt > 200) await unlink(path).catch(ignoreMissing);
      else await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  try {
    return await judge();
  } finally {
    await unlink(path).catch(ignoreMissing);
  }
}

/** Writes the lock to a temporary file and links it into place; false when a lock exists. */
async function linkNew(lockPath: string, owner: DataFolderOwner): Promise<boolean> {
  const temporary = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(temporary, JSON.stringify(owner), { mode: 0o600 });
  try {
    await link(temporary, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temporary).catch(ignoreMissing);
  }
}

/** Atomic replace of a 0600 file (the mode is set before any content is written). */
async function writePrivate(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(temporary, text, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
