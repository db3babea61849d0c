import { defaultDataDir } from '../../core';
import { DataFolderLock, type OwnerKind } from '../../core/state';

/**
 * Takes the data folder for a long-running Hearth (`hearth serve`, `hearth network node`):
 * refuses with DataFolderInUseError while another owner lives, takes over a stale lock, and
 * removes the lock however the process ends.
 */
export async function ownDataFolder(kind: OwnerKind, command: string): Promise<DataFolderLock> {
  const lock = await DataFolderLock.acquire(defaultDataDir(), { kind, command });
  process.once('exit', () => lock.releaseSync());
  return lock;
}
