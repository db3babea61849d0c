import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../../src/core/library';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { makeDocx, makeEncryptedPdf, makePdf, makePptx, makeZipBomb } from '../../fixtures/library/generate';
import { tempDir } from '../../helpers/temp-dir';

const settings = () => ({ ...DEFAULT_SETTINGS.library, watch: false });

describe('the library indexes a folder of mixed and hostile files', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let library: Library;
  let docs: string;

  beforeAll(async () => {
    dir = await tempDir('hearth-lib-');
    docs = join(dir.path, 'docs');
    await mkdir(join(docs, 'sub'), { recursive: true });
    await writeFile(
      join(docs, 'notes.md'),
      '# Gardening\n\nTomatoes need full sun.\n\n## Pests\n\nAphids dislike garlic spray.\n',
    );
    await writeFile(join(docs, 'plain.txt'), 'The quick brown fox jumps over the lazy dog.\n');
    await writeFile(
      join(docs, 'latin1.txt'),
      Buffer.from(
        'Caf\xe9 cr\xe8me br\xfbl\xe9e recette fran\xe7aise avec beaucoup de cr\xe8me et de sucre.\n',
        'latin1',
      ),
    );
    await writeFile(
      join(docs, 'page.html'),
      '<html><head><title>T</title></head><body><h1>Volcanoes</h1><p>Magma chambers feed eruptions.</p></body></html>',
    );
    await writeFile(
      join(docs, 'report.docx'),
      makeDocx([
        { heading: 'Quarterly results', paragraphs: ['Revenue grew by twelve percent in the northern region.'] },
      ]),
    );
    await writeFile(join(docs, 'deck.pptx'), makePptx(['Welcome slide', 'Roadmap: launch the zeppelin service']));
    await writeFile(
      join(docs, 'paper.pdf'),
      await makePdf(['First page about glaciers.', 'Second page about penguins in Antarctica.']),
    );
    await writeFile(
      join(docs, 'sub', 'code.py'),
      'def fibonacci(n):\n    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)\n',
    );
    await writeFile(join(docs, '.hidden.md'), 'secret hidden words');
    await mkdir(join(docs, 'node_modules'));
    await writeFile(join(docs, 'node_modules', 'dep.md'), 'dependency words');
    // The hostile ones.
    await writeFile(join(docs, 'corrupt.pdf'), '%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage garbage\n%%EOF');
    await writeFile(join(docs, 'locked.pdf'), makeEncryptedPdf());
    await writeFile(join(docs, 'bomb.docx'), makeZipBomb(40));
    await writeFile(join(docs, 'binary.txt'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    await symlink(docs, join(docs, 'sub', 'loop'));
    // Root reads any file whatever its mode, so "unreadable" is a FIFO: opening it would block forever.
    execFileSync('mkfifo', [join(docs, 'pipe.txt')]);
    await writeFile(join(docs, 'vanishing.md'), 'This file is deleted between listing and reading.');

    library = await Library.open({
      dir: join(dir.path, 'index'),
      settings,
      watch: false,
      beforeRead: async (path) => {
        if (path.endsWith('vanishing.md')) await rm(path);
      },
    });
    await library.addSource('docs', docs);
    await library.whenIdle();
  }, 60_000);

  afterAll(async () => {
    await library?.dispose();
    await dir?.cleanup();
  });

  it('indexes every readable format and skips hidden and dependency folders', async () => {
    const files = await library.files('docs');
    const indexed = files.filter((f) => f.state === 'indexed').map((f) => f.path.slice(docs.length + 1));
    expect(indexed.sort()).toEqual([
      'deck.pptx',
      'latin1.txt',
      'notes.md',
      'page.html',
      'paper.pdf',
      'plain.txt',
      'report.docx',
      'sub/code.py',
    ]);
  });

  it('gives each hostile file a status with a reason, and finishes the run', async () => {
    const files = new Map((await library.files('docs')).map((f) => [f.path.slice(docs.length + 1), f]));
    expect(files.get('corrupt.pdf')).toMatchObject({ state: 'error', message: expect.stringMatching(/damaged/) });
    expect(files.get('locked.pdf')).toMatchObject({ state: 'error', message: expect.stringMatching(/password/) });
    expect(files.get('bomb.docx')).toMatchObject({ state: 'error', message: expect.stringMatching(/zip bomb/) });
    expect(files.get('binary.txt')).toMatchObject({ state: 'skipped', message: expect.stringMatching(/binary/) });
    expect(files.get('sub/loop')).toMatchObject({ state: 'skipped', message: expect.stringMatching(/loop/) });
    expect(files.get('pipe.txt')).toMatchObject({
      state: 'skipped',
      message: expect.stringMatching(/not a regular file/),
    });
    expect(files.get('vanishing.md')).toMatchObject({ state: 'skipped', message: expect.stringMatching(/deleted/) });
    const [collection] = await library.collections();
    expect(collection).toMatchObject({ state: 'idle', files: 8 });
    expect(collection!.errors).toBeGreaterThanOrEqual(3);
  });

  it('finds text by words, with pages, slides and headings kept', async () => {
    const [pdf] = await library.search('penguins Antarctica');
    expect(pdf).toMatchObject({ page: 2, pageKind: 'page' });
    expect(pdf!.path.endsWith('paper.pdf')).toBe(true);
    const [slide] = await library.search('zeppelin');
    expect(slide).toMatchObject({ page: 2, pageKind: 'slide' });
    const [md] = await library.search('aphids garlic');
    expect(md).toMatchObject({ headingPath: ['Gardening', 'Pests'], lineStart: 7 });
    const [docx] = await library.search('revenue northern region');
    expect(docx!.path.endsWith('report.docx')).toBe(true);
    expect(docx!.headingPath).toEqual(['Quarterly results']);
    const [latin] = await library.search('crème brûlée');
    expect(latin!.path.endsWith('latin1.txt')).toBe(true);
    expect(await library.search('secret hidden')).toEqual([]);
  });

  it('filters by type and folder', async () => {
    expect(await library.search('fibonacci', { types: ['md'] })).toEqual([]);
    expect((await library.search('fibonacci', { types: ['py'] })).length).toBe(1);
    expect((await library.search('fibonacci', { pathPrefix: join(docs, 'sub') })).length).toBe(1);
  });

  it('does not read unchanged files again on re-index', async () => {
    const before = await library.allChunks();
    await library.reindex('docs');
    await library.whenIdle();
    const after = await library.allChunks();
    expect(after.map((c) => c.id).sort()).toEqual(before.map((c) => c.id).sort());
  });
});
