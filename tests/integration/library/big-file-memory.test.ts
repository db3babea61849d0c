// A 100 MB text file on one single line, indexed by the real library in its own process: the
// engine's peak memory must stay bounded (the file travels in parts and its chunks are stored in
// slices), and the file must be indexed whole, its last words findable. `npm run bench:memory`
// has the figures for more sizes.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../../src/core/library';
import type { FileStatus } from '../../../src/shared/contract/library';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { tempDir } from '../../helpers/temp-dir';

const CHILD = fileURLToPath(new URL('./index-child.ts', import.meta.url));
const MB = 100;
/** Far above the ~200 MB the engine needs, far below the ~1.5 GB it took when it held the whole file. */
const ENGINE_PEAK_LIMIT_MB = 900;
const LAST_WORD = 'zanzibar';

async function oneLineFile(path: string): Promise<void> {
  const out = createWriteStream(path);
  const slice = Buffer.from('wing lift drag flow boundary layer shock pressure heat transfer '.repeat(1000));
  for (let written = 0; written < MB * 1024 * 1024; written += slice.byteLength) {
    if (!out.write(slice)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.write(`${LAST_WORD} at the very end`);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

describe('a 100 MB one-line text file', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    dir = await tempDir('hearth-big-file-');
    await mkdir(join(dir.path, 'docs'));
    await oneLineFile(join(dir.path, 'docs', 'big.txt'));
  });
  afterAll(() => dir.cleanup());

  it('is indexed whole while the engine stays under a bounded peak memory', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', CHILD, join(dir.path, 'index'), join(dir.path, 'docs'), 'report'],
        { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FIND_WORDS: LAST_WORD } },
      );
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(text) : reject(new Error(`index child exited ${code}: ${text.slice(-500)}`)),
      );
    });
    const lines = out.trim().split('\n');
    const files = JSON.parse(lines.find((l) => l.startsWith('files '))!.slice(6)) as FileStatus[];
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ state: 'indexed', bytes: expect.any(Number) as number });
    // Every slice of the file made it in: about 1 KB of text per chunk with the estimating counter.
    expect(files[0]!.chunks).toBeGreaterThan((MB * 1024) / 4);
    const found = JSON.parse(lines.find((l) => l.startsWith('found '))!.slice(6)) as { paths: string[] };
    expect(found.paths).toEqual([join(dir.path, 'docs', 'big.txt')]);
    const { maxRssMB } = JSON.parse(lines.at(-1)!) as { maxRssMB: number };
    expect(maxRssMB).toBeLessThan(ENGINE_PEAK_LIMIT_MB);
  }, 240_000);
});

describe('big files stored in slices', () => {
  it('index whole when read at once, and a re-index replaces their chunks instead of adding to them', async () => {
    const dir = await tempDir('hearth-slices-');
    const docs = join(dir.path, 'docs');
    await mkdir(docs);
    // Three 6 MB one-line files: each comes in several parts and several stored slices, read together.
    const line = (word: string) => `${'alpha beta gamma delta '.repeat((6 * 1024 * 1024) / 23)}${word}`;
    for (const name of ['a', 'b', 'c']) await writeFile(join(docs, `${name}.txt`), line(`ending${name}`));
    const library = await Library.open({
      dir: join(dir.path, 'index'),
      settings: () => ({ ...DEFAULT_SETTINGS.library, watch: false }),
      watch: false,
    });
    try {
      await library.addSource('big', docs);
      await library.whenIdle();
      const first = await library.files('big');
      expect(first.map((f) => f.state)).toEqual(['indexed', 'indexed', 'indexed']);
      const passages = await library.documentPassages(join(docs, 'b.txt'));
      expect(passages).toHaveLength(first[1]!.chunks);
      expect(passages.at(-1)!.text).toContain('endingb');

      await writeFile(join(docs, 'b.txt'), line('changedb'));
      await library.reindex('big');
      await library.whenIdle();
      const again = await library.documentPassages(join(docs, 'b.txt'));
      expect(again).toHaveLength(first[1]!.chunks);
      expect(again.some((p) => p.text.includes('endingb'))).toBe(false);
      expect(again.at(-1)!.text).toContain('changedb');
    } finally {
      await library.dispose();
      await dir.cleanup();
    }
  }, 120_000);
});
