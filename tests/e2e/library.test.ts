import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEncryptedPdf, makePdf } from '../fixtures/library/generate';
import { runHearth } from '../helpers/hearth-process';
import { tempDir } from '../helpers/temp-dir';
import { startUiSession, type UiSession } from '../helpers/ui-session';

const SHOTS = 'test-results/screenshots';

describe('the library through the CLI and the UI', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let docs: string;

  beforeAll(async () => {
    home = await tempDir();
    docs = join(home.path, 'docs');
    await mkdir(docs);
    await writeFile(join(docs, 'gliders.md'), '# Gliders\n\nThermals lift gliders over the ridge.\n');
    await writeFile(join(docs, 'atlas.pdf'), await makePdf(['Maps of rivers.', 'The Danube delta has pelicans.']));
    await writeFile(join(docs, 'locked.pdf'), makeEncryptedPdf());
  });
  afterAll(() => home?.cleanup());

  it('`hearth index --json` ends with the summary line and `hearth search --json` prints hits', async () => {
    const indexed = await runHearth(['index', docs, '--collection', 'notes', '--json'], home.path);
    expect(indexed.code).toBe(0);
    const last = indexed.stdout.trim().split('\n').pop()!;
    expect(JSON.parse(last)).toMatchObject({
      files: 2,
      errors: 1,
      chunks: expect.any(Number),
      seconds: expect.any(Number),
    });

    const found = await runHearth(['search', 'pelicans delta', '--json', '--top', '3'], home.path);
    expect(found.code).toBe(0);
    const hits = JSON.parse(found.stdout) as { id: string; path: string; page: number | null; text: string }[];
    expect(hits[0]).toMatchObject({
      id: expect.any(String),
      path: join(docs, 'atlas.pdf'),
      page: 2,
      pageKind: 'page',
      snippet: expect.stringContaining('pelicans'),
      text: expect.stringContaining('pelicans'),
    });
    expect(Object.keys(hits[0]!).sort()).toEqual(
      [
        'headingPath',
        'id',
        'lineEnd',
        'lineStart',
        'page',
        'pageKind',
        'path',
        'ranks',
        'score',
        'snippet',
        'text',
      ].sort(),
    );
    // Each hit names its own chunk.
    expect(new Set(hits.map((h) => h.id)).size).toBe(hits.length);
  });

  it('`hearth index --embed-model` indexes with a model given by path', async () => {
    const other = await tempDir();
    try {
      const indexed = await runHearth(
        ['index', docs, '--embed-model', resolve('../shared/models/stories260K.gguf'), '--json'],
        other.path,
      );
      expect(indexed.code).toBe(0);
      expect(JSON.parse(indexed.stdout.trim().split('\n').pop()!)).toMatchObject({ files: 2 });
    } finally {
      await other.cleanup();
    }
  });

  describe('the Library page', () => {
    let ui: UiSession;

    beforeAll(async () => {
      await mkdir(SHOTS, { recursive: true });
      ui = await startUiSession(home.path);
    });
    afterAll(async () => {
      await ui?.close();
    });

    it('adds a folder by path, shows status and problems, searches, re-indexes and removes', async () => {
      const more = join(home.path, 'more');
      await mkdir(more);
      await writeFile(join(more, 'kites.txt'), 'Box kites fly well in steady wind.');
      const page = await ui.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(ui.hearth.url);
      await page.getByRole('link', { name: 'Library' }).click();
      // The collection indexed by the CLI is listed with its problem file.
      const notes = page.locator('[data-collection="notes"]');
      await notes.waitFor();
      await notes.getByRole('button', { name: /files that were skipped or failed/ }).click();
      await expect(notes.getByTestId('problems').textContent()).resolves.toMatch(/password/);

      await page.getByLabel('Folder or file path').fill(more);
      await page.getByLabel('Collection').fill('hobbies');
      await page.getByRole('button', { name: 'Add folder' }).click();
      const hobbies = page.locator('[data-collection="hobbies"]');
      await hobbies.getByTestId('collection-files').filter({ hasText: '1 files' }).waitFor({ timeout: 30_000 });

      await page.getByRole('searchbox', { name: 'Search your library' }).fill('pelicans');
      await page.getByRole('searchbox', { name: 'Search your library' }).press('Enter');
      const results = page.getByTestId('search-results');
      await results.waitFor();
      await expect(results.textContent()).resolves.toMatch(/atlas\.pdf.*page 2.*pelicans/s);
      await page.screenshot({ path: `${SHOTS}/library.png`, fullPage: true });

      await hobbies.getByRole('button', { name: 'Re-index' }).click();
      await hobbies.getByTestId('collection-state').filter({ hasText: 'idle' }).waitFor({ timeout: 30_000 });
      await hobbies.getByRole('button', { name: 'Remove' }).click();
      await hobbies.waitFor({ state: 'detached' });
      expect(errors).toEqual([]);
      await page.close();
    });
  });
});
