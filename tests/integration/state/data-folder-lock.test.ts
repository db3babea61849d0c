import { spawnSync } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataFolderInUseError, DataFolderLock, findFolderOwner } from '../../../src/core/state';
import { processStart } from '../../../src/core/state/folder-lock/process-identity';
import { tempDir } from '../../helpers/temp-dir';

/** The pid of a process that has ended, so its lock is stale. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('the data folder lock', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.cleanup());

  it('lets one owner in, refuses a second while it lives, and lets the next in after release', async () => {
    const first = await DataFolderLock.acquire(dir.path, { kind: 'serve', command: 'hearth serve' });
    const refused = await DataFolderLock.acquire(dir.path, { kind: 'cli', command: 'hearth index' }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(DataFolderInUseError);
    expect((refused as Error).name).toBe('DataFolderInUseError');
    expect((refused as Error).message).toBe(
      `\`hearth serve\` (process ${process.pid}) is using the data folder ${dir.path}. ` +
        'Stop it first (Ctrl+C in its terminal), or give this one a folder of its own with HEARTH_HOME=<folder>.',
    );
    await first.release();
    expect(await findFolderOwner(dir.path)).toBeNull();
    const second = await DataFolderLock.acquire(dir.path, { kind: 'cli', command: 'hearth index' });
    expect((await findFolderOwner(dir.path))?.owner).toMatchObject({ kind: 'cli', pid: process.pid, port: null });
    await second.release();
  });

  it('publishes the port in the lock and the token in a file only its user may read', async () => {
    const lock = await DataFolderLock.acquire(dir.path, { kind: 'serve', command: 'hearth serve' });
    const token = 'ab'.repeat(32);
    await lock.publish({ port: 4567, token });
    const found = await findFolderOwner(dir.path);
    expect(found).toMatchObject({ owner: { port: 4567, kind: 'serve' }, access: { port: 4567, token } });
    expect(await readFile(join(dir.path, 'hearth.lock'), 'utf8')).not.toContain(token);
    if (process.platform !== 'win32') {
      expect((await stat(join(dir.path, 'hearth.access'))).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir.path, 'hearth.lock'))).mode & 0o777).toBe(0o600);
    }
    await lock.release();
    await expect(stat(join(dir.path, 'hearth.access'))).rejects.toThrow(/ENOENT/);
  });

  it('takes over a lock left by a process that ended, or by a pid now given to another process', async () => {
    const stale = { kind: 'serve', command: 'hearth serve', port: 5000, startedAt: 1, processStart: null };
    await writeFile(join(dir.path, 'hearth.lock'), JSON.stringify({ ...stale, pid: deadPid() }));
    expect(await findFolderOwner(dir.path)).toBeNull();
    const lock = await DataFolderLock.acquire(dir.path, { kind: 'serve', command: 'hearth serve' });
    expect(lock.owner.pid).toBe(process.pid);
    await lock.release();

    if (processStart(process.pid) !== null) {
      // This very pid, but recorded with another start time: a crashed Hearth whose pid was reused.
      await writeFile(join(dir.path, 'hearth.lock'), JSON.stringify({ ...stale, pid: process.pid, processStart: '1' }));
      const again = await DataFolderLock.acquire(dir.path, { kind: 'cli', command: 'hearth index' });
      await again.release();
    }
  });

  it('treats a garbled lock as stale, and of two owners starting at once lets exactly one in', async () => {
    await writeFile(join(dir.path, 'hearth.lock'), '{"pid":');
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => DataFolderLock.acquire(dir.path, { kind: 'cli', command: 'hearth index' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DataFolderInUseError);
  });
});
