import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../../src/core/library';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { tempDir } from '../../helpers/temp-dir';

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe('the watcher keeps the index current', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let library: Library;
  let docs: string;
  const paths = async (query: string) => (await library.search(query)).map((h) => h.path);

  beforeAll(async () => {
    dir = await tempDir('hearth-watch-');
    docs = join(dir.path, 'docs');
    await mkdir(docs);
    await writeFile(join(docs, 'keep.md'), 'A stable file about lighthouses.');
    library = await Library.open({
      dir: join(dir.path, 'index'),
      settings: () => DEFAULT_SETTINGS.library,
      watch: true,
    });
    await library.addSource('watched', docs);
    await library.whenIdle();
  });
  afterAll(async () => {
    await library?.dispose();
    await dir?.cleanup();
  });

  it('follows adds, edits, renames and deletes', async () => {
    expect(await paths('lighthouses')).toEqual([join(docs, 'keep.md')]);
    const file = join(docs, 'new.md');
    await writeFile(file, 'Fresh notes about aardvarks.');
    await eventually(async () => (await paths('aardvarks')).includes(file), 'an added file is found');

    await writeFile(file, 'Edited notes about bumblebees.');
    await eventually(async () => (await paths('bumblebees')).includes(file), 'an edit is found');
    expect(await paths('aardvarks')).toEqual([]);

    const moved = join(docs, 'moved.md');
    await rename(file, moved);
    await eventually(async () => {
      const hits = await paths('bumblebees');
      return hits.length === 1 && hits[0] === moved;
    }, 'a rename moves the file in the index');

    await rm(moved);
    await eventually(async () => (await paths('bumblebees')).length === 0, 'a deleted file leaves the index');
    const files = (await library.files('watched')).map((f) => f.path);
    expect(files).toEqual([join(docs, 'keep.md')]);
  }, 60_000);
});
