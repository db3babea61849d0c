// The reading threads: a file that overruns its time or heap kills only its own thread, becomes a
// problem with a reason, and is not read again until it changes or the user re-indexes.
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, Library, LibraryFileError } from '../../../src/core/library';
import { ExtractPool } from '../../../src/core/library/extract/extract-pool';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { blankPagesPdf, oneLineText } from '../../helpers/hostile-files';
import { tempDir } from '../../helpers/temp-dir';

describe('ExtractPool', () => {
  let pool: ExtractPool | null = null;
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    dir = await tempDir('hearth-pool-');
  });
  afterAll(async () => {
    await dir.cleanup();
  });
  afterEach(async () => {
    await pool?.dispose();
    pool = null;
  });

  /** Reads a file written with `content`, as the library hands the pool a path and a size. */
  const read = async (name: string, content: Uint8Array | string) => {
    const path = join(dir.path, name);
    await writeFile(path, content);
    return pool!.extract(path, DEFAULT_LIMITS, { size: Buffer.byteLength(content) });
  };

  it('stops a file that overruns its time budget and goes on with the next', async () => {
    pool = new ExtractPool({ size: 1, budgetMs: (bytes) => (bytes > 100_000 ? 300 : 30_000) });
    const slow = read('slow.pdf', blankPagesPdf(40_000));
    const next = read('next.md', '# Next\n\nStill read after the slow one.');
    const error = await slow.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LibraryFileError);
    expect((error as LibraryFileError).reason).toBe('too-complex');
    expect((error as Error).message).toMatch(/took longer than 0 s|took longer than/);
    expect((await next).blocks.map((b) => b.text)).toContain('Still read after the slow one.');
  }, 60_000);

  it('stops a file that needs more heap than the cap, without harming the engine', async () => {
    pool = new ExtractPool({ size: 1, heapMb: 24 });
    const error = await read('huge.txt', oneLineText(48 * 1024 * 1024).replace(/ /g, '\n\n')).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LibraryFileError);
    expect((error as Error).message).toMatch(/more than 24 MB of memory/);
    const fine = await read('fine.txt', 'small and fine');
    expect(fine.blocks[0]?.text).toBe('small and fine');
  }, 120_000);
});

describe('a file that failed to read', () => {
  it('is not read again at the next scan until it changes or the user re-indexes', async () => {
    const dir = await tempDir('hearth-quarantine-');
    const docs = join(dir.path, 'docs');
    const file = join(docs, 'hangs.pdf');
    const read: string[] = [];
    const open = () =>
      Library.open({
        dir: join(dir.path, 'data'),
        settings: () => ({ ...DEFAULT_SETTINGS.library, watch: false }),
        watch: false,
        reader: { size: 1, budgetMs: () => 200 },
        beforeRead: (path) => void read.push(path),
      });
    try {
      await import('node:fs/promises').then((fs) => fs.mkdir(docs));
      await writeFile(file, blankPagesPdf(40_000));
      let library = await open();
      const collection = await library.addSource('docs', docs);
      await library.whenIdle();
      expect((await library.files(collection.id))[0]?.message).toMatch(/took longer than/);
      await library.dispose();

      library = await open();
      await library.reindex(collection.id);
      await library.whenIdle();
      expect(read).toHaveLength(1);

      // A file with nothing to index (a scanned PDF) is not read again either.
      await writeFile(join(docs, 'scanned.pdf'), blankPagesPdf(3));
      await library.reindex(collection.id);
      await library.whenIdle();
      await library.reindex(collection.id);
      await library.whenIdle();
      expect(read.filter((p) => p.endsWith('scanned.pdf'))).toHaveLength(1);

      await utimes(file, new Date(), new Date(Date.now() + 5_000));
      await library.reindex(collection.id);
      await library.whenIdle();
      expect(read.filter((p) => p.endsWith('hangs.pdf'))).toHaveLength(2);
      await library.dispose();
    } finally {
      await dir.cleanup();
    }
  }, 120_000);
});
