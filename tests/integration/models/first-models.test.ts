import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/core';
import type { Settings } from '../../../src/shared/settings';
import { tempDir } from '../../helpers/temp-dir';

const STORIES = resolve('../shared/models/stories260K.gguf');
const TINY = resolve('../shared/models/llama-2-tiny-random.gguf');
const cli = { door: 'cli' } as const;

/** Polls until `check` holds; the bound is generous because the machine is shared. */
async function until(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the first models a user installs', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => (home = await tempDir()));
  afterEach(() => home.cleanup());

  it('chooses the first chat and embedding models imported, and not the ones after', async () => {
    await using engine = await createEngine({ dataDir: home.path });
    await engine.settings.update({ models: { threads: 1 } });
    await engine.dispatch('models.import', { path: TINY, role: 'chat' }, cli);
    await engine.dispatch('models.import', { path: STORIES, role: 'embedding' }, cli);
    expect(engine.settings.get().models).toMatchObject({
      chatModel: 'llama-2-tiny-random.gguf',
      embeddingModel: 'stories260K.gguf',
    });
    const copy = join(home.path, 'second.gguf');
    await writeFile(copy, await (await import('node:fs/promises')).readFile(TINY));
    await engine.dispatch('models.import', { path: copy, role: 'chat' }, cli);
    expect(engine.settings.get().models.chatModel).toBe('llama-2-tiny-random.gguf');
  });

  it('asks before a re-import changes an installed file’s role, and then stops its old use', async () => {
    await using engine = await createEngine({ dataDir: home.path });
    await engine.dispatch('models.import', { path: STORIES, role: 'embedding' }, cli);
    await expect(engine.dispatch('models.import', { path: STORIES, role: 'chat' }, cli)).rejects.toMatchObject({
      name: 'ModelRoleChangeError',
      message: expect.stringMatching(/already installed as an embedding model/),
    });
    const [kept] = (await engine.dispatch('models.installed', {}, cli)) as { role: string }[];
    expect(kept!.role).toBe('embedding');
    expect(engine.settings.get().models.embeddingModel).toBe('stories260K.gguf');

    await engine.dispatch('models.import', { path: STORIES, role: 'chat', changeRole: true }, cli);
    const [changed] = (await engine.dispatch('models.installed', {}, cli)) as { role: string }[];
    expect(changed!.role).toBe('chat');
    // One role, one use: it is now the chat model and no longer the embedding model.
    expect(engine.settings.get().models).toMatchObject({ chatModel: 'stories260K.gguf', embeddingModel: null });
  });

  it('re-indexes the library at once when the embedding model changes, with progress', async () => {
    const docs = join(home.path, 'docs');
    await mkdir(docs);
    for (let i = 0; i < 3; i++) await writeFile(join(docs, `note-${i}.txt`), `A note about gardens, number ${i}.\n`);
    await using engine = await createEngine({ dataDir: home.path });
    await engine.settings.update({ models: { threads: 1 } });
    const progress: unknown[] = [];
    engine.events.on('library.progress', (p) => progress.push(p));
    await engine.dispatch('library.addSource', { collection: 'Notes', path: docs }, cli);
    const status = () =>
      engine.dispatch('library.status', {}, cli) as Promise<{
        mode: string;
        embedModel: { name: string } | null;
        queue: { pending: number };
      }>;
    await until(async () => (await status()).queue.pending === 0 && progress.length > 0, 'the first index');
    expect((await status()).embedModel).toBeNull();

    progress.length = 0;
    const changed = new Promise<Settings>((r) => engine.events.on('settings.changed', r));
    await engine.dispatch('models.import', { path: STORIES, role: 'embedding' }, cli);
    await changed;
    // No restart: the open library switches to the new model and indexes every file with it.
    await until(async () => (await status()).embedModel?.name === 'stories260K.gguf', 'the new model in use');
    await until(async () => (await status()).queue.pending === 0, 'the re-index');
    expect(progress.length).toBeGreaterThan(0);
    const hits = (await engine.dispatch('library.search', { query: 'gardens' }, cli)) as unknown[];
    expect(hits.length).toBeGreaterThan(0);
  });
});
