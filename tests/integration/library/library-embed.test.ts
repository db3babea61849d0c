import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../../src/core/library';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { tempDir } from '../../helpers/temp-dir';

const STORIES = resolve('../shared/models/stories260K.gguf');
const TINY_LLAMA = resolve('../shared/models/llama-2-tiny-random.gguf');
const settings = () => ({ ...DEFAULT_SETTINGS.library, chunkTokens: 64, chunkOverlap: 8 });

describe('the library with an embedding model', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let docs: string;

  beforeAll(async () => {
    dir = await tempDir('hearth-embed-');
    docs = join(dir.path, 'docs');
    await mkdir(docs);
    const long = Array.from({ length: 120 }, (_, i) => `Sentence ${i} tells of a little dragon.`).join(' ');
    await writeFile(join(docs, 'story.md'), `# Once\n\n${long}\n`);
    await writeFile(join(docs, 'other.txt'), 'The cat sat on the mat and looked at the moon.');
  });
  afterAll(() => dir?.cleanup());

  it('embeds chunks off the main thread, records the model, and answers hybrid queries', async () => {
    const library = await Library.open({
      dir: join(dir.path, 'index'),
      settings,
      embedModelPath: STORIES,
      watch: false,
    });
    try {
      await library.addSource('stories', docs);
      await library.whenIdle();
      const chunks = await library.allChunks();
      expect(chunks.length).toBeGreaterThan(3);
      for (const chunk of chunks) expect(Array.from(chunk.vector as ArrayLike<number>)).toHaveLength(64);
      const status = await library.status();
      expect(status).toMatchObject({
        mode: 'hybrid',
        embedModel: { name: 'stories260K.gguf', dimension: 64, weak: true },
      });
      expect(status.modeReason).toMatch(/too small/);
      const [hit] = await library.search('moon cat');
      expect(hit!.path.endsWith('other.txt')).toBe(true);
      // With the vector half forced in, results still come back fused.
      expect((await library.search('dragon', { vectorWeight: 1 })).length).toBeGreaterThan(0);
    } finally {
      await library.dispose();
    }
  }, 60_000);

  it('sizes chunks in the model tokens', async () => {
    const library = await Library.open({
      dir: join(dir.path, 'tokens'),
      settings,
      embedModelPath: TINY_LLAMA,
      watch: false,
    });
    try {
      await library.addSource('stories', docs);
      await library.whenIdle();
      const { getLlama } = await import('node-llama-cpp');
      const llama = await getLlama({ gpu: false });
      const model = await llama.loadModel({ modelPath: TINY_LLAMA, vocabOnly: true });
      for (const chunk of await library.allChunks()) expect(model.tokenize(chunk.text).length).toBeLessThanOrEqual(64);
      await model.dispose();
    } finally {
      await library.dispose();
    }
  }, 60_000);

  it('a new model rebuilds in a new generation while the old one answers, then swaps', async () => {
    const indexDir = join(dir.path, 'swap');
    const first = await Library.open({ dir: indexDir, settings, watch: false });
    await first.addSource('stories', docs);
    await first.whenIdle();
    expect((await first.status()).mode).toBe('lexical');
    await first.dispose();

    const second = await Library.open({
      dir: indexDir,
      settings,
      embedModelPath: STORIES,
      watch: false,
      autoStart: false,
    });
    try {
      // Not started yet: the old (lexical) generation still answers.
      expect((await second.status()).mode).toBe('lexical');
      expect((await second.search('moon')).length).toBe(1);
      second.resume();
      await second.whenIdle();
      expect((await second.status()).embedModel).toMatchObject({ name: 'stories260K.gguf', dimension: 64 });
      expect((await second.allChunks()).every((c) => Array.from(c.vector as ArrayLike<number>).length === 64)).toBe(
        true,
      );
      expect((await second.search('moon')).length).toBe(1);
    } finally {
      await second.dispose();
    }
  }, 60_000);
});
