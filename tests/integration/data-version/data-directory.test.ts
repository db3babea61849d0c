import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/core';
import { DATA_PARTS, DATA_VERSION_FILE, DataMigrationError, openDataDirectory, type DataPart } from '../../../src/core/data-version';
import { tempDir } from '../../helpers/temp-dir';

/** Every file under `dir` with its bytes, to prove a refusal changed nothing. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[path.slice(dir.length)] = await readFile(path, 'utf8');
  }
  return files;
}

async function marker(dir: string): Promise<{ parts: Record<string, number>; writtenBy: string }> {
  return JSON.parse(await readFile(join(dir, DATA_VERSION_FILE), 'utf8'));
}

describe('the data folder format marker', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.cleanup());

  it('is written by the engine on first start with every part at its current format', async () => {
    await using _engine = await createEngine({ dataDir: dir.path });
    const written = await marker(dir.path);
    expect(written.parts).toEqual(Object.fromEntries(DATA_PARTS.map((p) => [p.name, p.version])));
    expect(Object.keys(written.parts).sort()).toEqual(['chats', 'ledger', 'library', 'settings']);
  });

  it('makes an older Hearth refuse a newer folder before opening anything, and change nothing', async () => {
    await writeFile(join(dir.path, DATA_VERSION_FILE), JSON.stringify({ parts: { chats: 99 }, writtenBy: '9.0.0' }));
    await mkdir(join(dir.path, 'chats'));
    await writeFile(join(dir.path, 'chats', 'c1.json'), '{"future":true}');
    await writeFile(join(dir.path, 'settings.json'), '{"version":1}');
    const before = await snapshot(dir.path);

    await expect(createEngine({ dataDir: dir.path })).rejects.toMatchObject({
      name: 'DataVersionError',
      message: expect.stringMatching(/newer version of Hearth \(format 99; this version reads up to 1\).*nothing has been changed/),
    });
    expect(await snapshot(dir.path)).toEqual(before);
    // Not even the log folder: the check runs before the logger opens.
    await expect(stat(join(dir.path, 'logs'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a readable marker in a shape it does not know instead of guessing', async () => {
    await writeFile(join(dir.path, DATA_VERSION_FILE), '{"format":"v2"}');
    await expect(openDataDirectory({ dataDir: dir.path, appVersion: '0.1.0' })).rejects.toMatchObject({
      name: 'DataVersionError',
    });
  });

  it('treats a folder from before the marker as the first format and keeps its data', async () => {
    await mkdir(join(dir.path, 'chats'));
    await writeFile(join(dir.path, 'chats', 'c1.json'), '{"old":true}');
    const report = await openDataDirectory({ dataDir: dir.path, appVersion: '0.1.0' });
    expect(report).toEqual({ created: true, migrated: [] });
    expect(await readFile(join(dir.path, 'chats', 'c1.json'), 'utf8')).toBe('{"old":true}');
  });

  it('backs a part up, migrates it step by step, and re-marks the folder', async () => {
    const parts: DataPart[] = [{ name: 'chats', version: 3, paths: ['chats'] }];
    await writeFile(join(dir.path, DATA_VERSION_FILE), JSON.stringify({ parts: { chats: 1, future: 7 }, writtenBy: '0.1.0' }));
    await mkdir(join(dir.path, 'chats'));
    await writeFile(join(dir.path, 'chats', 'c1.json'), 'v1');
    const steps: number[] = [];
    const migrate = (from: number) => ({
      part: 'chats',
      from,
      migrate: async (dataDir: string) => {
        steps.push(from);
        const file = join(dataDir, 'chats', 'c1.json');
        await writeFile(file, `${await readFile(file, 'utf8')}->v${from + 1}`);
      },
    });

    const report = await openDataDirectory({ dataDir: dir.path, appVersion: '0.2.0', parts, migrations: [migrate(2), migrate(1)] });

    expect(steps).toEqual([1, 2]);
    expect(await readFile(join(dir.path, 'chats', 'c1.json'), 'utf8')).toBe('v1->v2->v3');
    expect(report.migrated).toHaveLength(1);
    expect(await readFile(join(report.migrated[0]!.backup, 'chats', 'c1.json'), 'utf8')).toBe('v1');
    // A part only a newer Hearth knows survives the round trip.
    expect(await marker(dir.path)).toEqual({ parts: { chats: 3, future: 7 }, writtenBy: '0.2.0' });
  });

  it('restores a part from its backup when a migration fails, and leaves the marker old', async () => {
    const parts: DataPart[] = [{ name: 'library', version: 2, paths: ['library'] }];
    await writeFile(join(dir.path, DATA_VERSION_FILE), JSON.stringify({ parts: { library: 1 }, writtenBy: '0.1.0' }));
    await mkdir(join(dir.path, 'library'));
    await writeFile(join(dir.path, 'library', 'index.lance'), 'precious');
    const failing = {
      part: 'library',
      from: 1,
      migrate: async (dataDir: string) => {
        await writeFile(join(dataDir, 'library', 'index.lance'), 'half-written');
        throw new Error('disk full');
      },
    };

    const error = await openDataDirectory({ dataDir: dir.path, appVersion: '0.2.0', parts, migrations: [failing] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataMigrationError);
    expect((error as Error).message).toMatch(/could not upgrade your library from format 1 \(disk full\)/);
    expect(await readFile(join(dir.path, 'library', 'index.lance'), 'utf8')).toBe('precious');
    expect((await marker(dir.path)).parts).toEqual({ library: 1 });
  });
});
