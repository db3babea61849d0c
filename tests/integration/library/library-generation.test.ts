import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Library, type LibraryOptions } from '../../../src/core/library';
import type { StateDamage } from '../../../src/core/state';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { tempDir } from '../../helpers/temp-dir';

const STORIES = resolve('../shared/models/stories260K.gguf');
const settings = () => ({ ...DEFAULT_SETTINGS.library, chunkTokens: 64, chunkOverlap: 8 });

/** What must survive: the generation, and every chunk with its vector. */
async function fingerprint(library: Library): Promise<string[]> {
  return (await library.allChunks())
    .map((c) => `${c.id}:${Array.from((c.vector as ArrayLike<number> | undefined) ?? []).length}`)
    .sort();
}

describe('the library keeps its vectors unless the user chooses another embedding model', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let docs: string;
  let models: string;
  let indexDir: string;
  let notices: string[];
  let damages: StateDamage[];
  const open = (options: Partial<LibraryOptions>) =>
    Library.open({
      dir: indexDir,
      settings,
      watch: false,
      modelsDir: models,
      onNotice: (m) => notices.push(m),
      onDamage: (d) => damages.push(d),
      ...options,
    });

  beforeEach(async () => {
    dir = await tempDir('hearth-generation-');
    docs = join(dir.path, 'docs');
    models = join(dir.path, 'models');
    indexDir = join(dir.path, 'library');
    notices = [];
    damages = [];
    await mkdir(docs);
    await mkdir(models);
    await copyFile(STORIES, join(models, 'stories260K.gguf'));
    await writeFile(join(docs, 'moon.txt'), 'The cat sat on the mat and looked at the moon.');
    await writeFile(join(docs, 'dragon.md'), `# Dragons\n\n${'A little dragon sleeps under the hill. '.repeat(40)}`);
  });
  afterEach(() => dir.cleanup());

  /** Builds generation 2 with vectors: first full text, then the model (a swap). */
  async function buildWithModel(): Promise<string[]> {
    const first = await open({});
    await first.addSource('docs', docs);
    await first.whenIdle();
    await first.dispose();
    const second = await open({ embedModelPath: join(models, 'stories260K.gguf') });
    await second.whenIdle();
    const prints = await fingerprint(second);
    expect(prints.every((p) => p.endsWith(':64'))).toBe(true);
    await second.dispose();
    expect(JSON.parse(await readFile(join(indexDir, 'index.json'), 'utf8'))).toMatchObject({
      generation: 2,
      model: { name: 'stories260K.gguf' },
      building: null,
    });
    return prints;
  }

  it('with no model chosen (a CLI search after index --embed-model, or default settings) it searches with the model it was built with', async () => {
    const before = await buildWithModel();
    const library = await open({ embedModelPath: null });
    try {
      expect(library.pendingWork).toBe(0);
      expect(await fingerprint(library)).toEqual(before);
      expect(await library.status()).toMatchObject({ mode: 'hybrid', embedModel: { name: 'stories260K.gguf' } });
      expect((await library.search('moon cat'))[0]!.path.endsWith('moon.txt')).toBe(true);
      expect(notices).toEqual([]);
    } finally {
      await library.dispose();
    }
    expect(JSON.parse(await readFile(join(indexDir, 'index.json'), 'utf8'))).toMatchObject({
      generation: 2,
      building: null,
    });
  }, 120_000);

  it('with its model file gone it keeps the vectors, searches full text, holds new files and says what to do', async () => {
    const before = await buildWithModel();
    await rm(join(models, 'stories260K.gguf'));
    let library = await open({ embedModelPath: null });
    try {
      expect(await fingerprint(library)).toEqual(before);
      const status = await library.status();
      expect(status.mode).toBe('lexical');
      expect(status.modeReason).toMatch(/made with stories260K\.gguf.*wait until stories260K\.gguf is back/);
      expect(notices).toEqual([status.modeReason]);
      expect((await library.search('moon'))[0]!.path.endsWith('moon.txt')).toBe(true);
      // A new file waits in the queue instead of getting chunks without vectors.
      await writeFile(join(docs, 'new.txt'), 'A brand new note about lighthouses.');
      await library.reindex('docs');
      await library.whenIdle();
      expect(library.pendingWork).toBe(1);
      expect(await fingerprint(library)).toEqual(before);
    } finally {
      await library.dispose();
    }
    // The model comes back: only the new file is indexed, nothing is embedded again.
    await copyFile(STORIES, join(models, 'stories260K.gguf'));
    notices = [];
    library = await open({ embedModelPath: null });
    try {
      await library.whenIdle();
      const after = await fingerprint(library);
      expect(after.filter((p) => !before.includes(p))).toHaveLength(1);
      expect(after.filter((p) => before.includes(p))).toEqual(before);
      expect((await library.search('lighthouses'))[0]!.path.endsWith('new.txt')).toBe(true);
      expect(notices).toEqual([]);
    } finally {
      await library.dispose();
    }
  }, 120_000);

  it('a chosen model that will not load keeps the vectors and tells the user', async () => {
    const before = await buildWithModel();
    await writeFile(join(models, 'broken.gguf'), 'not a model at all');
    const library = await open({ embedModelPath: join(models, 'broken.gguf') });
    try {
      expect(library.pendingWork).toBe(0);
      expect(await fingerprint(library)).toEqual(before);
      expect((await library.status()).mode).toBe('hybrid');
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatch(/broken\.gguf could not be loaded.*keeps searching with stories260K\.gguf/);
    } finally {
      await library.dispose();
    }
  }, 120_000);

  it('a damaged index.json at generation 2 keeps the generation and its vectors', async () => {
    const before = await buildWithModel();
    await writeFile(join(indexDir, 'index.json'), '{"generation":2,"mod');
    const library = await open({ embedModelPath: join(models, 'stories260K.gguf') });
    try {
      expect(library.pendingWork).toBe(0);
      expect(await fingerprint(library)).toEqual(before);
      expect((await library.status()).mode).toBe('hybrid');
      expect((await library.search('moon cat'))[0]!.path.endsWith('moon.txt')).toBe(true);
    } finally {
      await library.dispose();
    }
    expect(damages).toHaveLength(1);
    expect(damages[0]!.problem).toMatch(/not valid JSON/);
    expect(await readFile(damages[0]!.aside!, 'utf8')).toBe('{"generation":2,"mod');
    expect(JSON.parse(await readFile(join(indexDir, 'index.json'), 'utf8'))).toMatchObject({
      generation: 2,
      model: { name: 'stories260K.gguf', dimension: 64 },
    });
  }, 120_000);

  it('a damaged index.json with no model chosen keeps the vectors under an unknown model and holds new work', async () => {
    const before = await buildWithModel();
    await writeFile(join(indexDir, 'index.json'), 'garbage');
    const library = await open({ embedModelPath: null });
    try {
      expect(await fingerprint(library)).toEqual(before);
      const status = await library.status();
      expect(status.mode).toBe('lexical');
      expect(status.modeReason).toMatch(/cannot tell which embedding model made its 64-dimension vectors/);
      expect(library.pendingWork).toBe(0);
    } finally {
      await library.dispose();
    }
    expect(damages).toHaveLength(1);
    expect(await readdir(indexDir)).toContain(damages[0]!.aside!.split('/').pop());
  }, 120_000);

  it('a damaged collections.json is set aside and the collections are found again in the index', async () => {
    const first = await open({});
    await first.addSource('docs', docs);
    await first.whenIdle();
    const files = (await first.allDocuments()).length;
    await first.dispose();
    await writeFile(join(indexDir, 'collections.json'), '[{"id":');
    const library = await open({});
    try {
      const [collection] = await library.collections();
      expect(collection).toMatchObject({ name: 'Recovered collection 1', files, sources: [] });
      expect((await library.search('moon'))[0]!.path.endsWith('moon.txt')).toBe(true);
      // A re-index of a collection without sources must not delete its files.
      await library.reindex(collection!.id);
      await library.whenIdle();
      expect((await library.allDocuments()).length).toBe(files);
    } finally {
      await library.dispose();
    }
    expect(damages.map((d) => d.file)).toEqual([join(indexDir, 'collections.json')]);
    expect(await readFile(damages[0]!.aside!, 'utf8')).toBe('[{"id":');
    expect(JSON.parse(await readFile(join(indexDir, 'collections.json'), 'utf8'))).toHaveLength(1);
  }, 120_000);

  it('a damaged queue.json is set aside; the library opens and keeps its files', async () => {
    const first = await open({});
    await first.addSource('docs', docs);
    await first.whenIdle();
    await first.dispose();
    await writeFile(join(indexDir, 'queue.json'), '[{"op":"index","collection":"x"');
    const library = await open({});
    try {
      expect(library.pendingWork).toBe(0);
      expect((await library.collections())[0]).toMatchObject({ name: 'docs', files: 2 });
    } finally {
      await library.dispose();
    }
    expect(damages.map((d) => d.file)).toEqual([join(indexDir, 'queue.json')]);
    expect(await readFile(damages[0]!.aside!, 'utf8')).toBe('[{"op":"index","collection":"x"');
  }, 120_000);

  it('counts each file once in the progress totals when two sources are added at once', async () => {
    const more = join(dir.path, 'more');
    await mkdir(more);
    for (let i = 0; i < 5; i++) await writeFile(join(more, `note-${i}.txt`), `Note number ${i} about the sea.`);
    const totals: number[] = [];
    const library = await open({
      onProgress: (p) => {
        if (p.phase !== 'scanning') totals.push(p.files.total);
      },
    });
    try {
      await library.addSource('docs', docs);
      await library.addSource('docs', more);
      await library.whenIdle();
      expect((await library.collections())[0]!.files).toBe(7);
    } finally {
      await library.dispose();
    }
    expect(Math.max(...totals)).toBe(7);
  }, 120_000);
});
