import { copyFile, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelsService } from '../../../src/core/models';
import type { CatalogEntry, DownloadProgress } from '../../../src/shared/contract/models';
import { openLocalAi, STORIES, TINY_LLAMA } from '../chat/local-ai-fixture';
import { startGgufServer } from './gguf-server';

const ctx = { door: 'cli' as const };

describe('installed models, import, catalog and first run', () => {
  let env: Awaited<ReturnType<typeof openLocalAi>>;

  beforeAll(async () => {
    env = await openLocalAi();
  }, 60_000);
  afterAll(async () => env?.close());

  it('refuses a truncated GGUF file with a clear error and leaves nothing behind', async () => {
    const truncated = join(env.dataDir, 'truncated.gguf');
    await copyFile(STORIES, truncated);
    const handle = await open(truncated, 'r+');
    await handle.truncate(900_000);
    await handle.close();
    await expect(env.ai.models.import(truncated)).rejects.toMatchObject({
      name: 'InvalidModelFileError',
      message: expect.stringContaining('truncated') as unknown,
    });
    const notGguf = join(env.dataDir, 'notes.gguf');
    await writeFile(notGguf, 'hello, I am text');
    await expect(env.ai.models.import(notGguf)).rejects.toMatchObject({
      message: expect.stringContaining('GGUF signature') as unknown,
    });
    expect(await env.ai.models.installed()).toEqual([]);
  });

  it('imports a GGUF file with a fit computed from its metadata, and deletes it', async () => {
    const api = env.ai.models.api();
    const imported = await api.import({ path: STORIES }, ctx);
    expect(imported).toMatchObject({
      file: 'stories260K.gguf',
      role: 'chat',
      bytes: 1_185_376,
      hasChatTemplate: false,
    });
    expect(imported.sha256).toBe('270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d');
    expect(imported.fit).toMatchObject({ basis: 'gguf', verdict: 'ram' });
    expect(imported.fit!.ramBytes).toBeGreaterThan(0);
    await env.settings.update({ models: { chatModel: 'stories260K.gguf' } });
    await env.ai.slots.load('chat', 'stories260K.gguf');
    await api.remove({ file: 'stories260K.gguf' }, ctx);
    expect(env.ai.slots.current('chat')).toBeNull();
    expect(env.settings.get().models.chatModel).toBeNull();
    expect(await api.installed({}, ctx)).toEqual([]);
    await expect(api.remove({ file: 'stories260K.gguf' }, ctx)).rejects.toMatchObject({
      name: 'ModelNotInstalledError',
    });
  });

  it('badges every catalog entry and offers the best fitting chat and embedding models', async () => {
    const api = env.ai.models.api();
    const catalog = await api.catalog({}, ctx);
    expect(catalog.length).toBeGreaterThanOrEqual(6);
    expect(new Set(catalog.map((c) => c.role))).toEqual(new Set(['chat', 'embedding', 'reranker']));
    for (const item of catalog) expect(item.fit.basis).toBe('catalog');
    const first = await env.ai.models.firstRun();
    expect(first.needed).toBe(true);
    // No network request has been made to find out.
    expect(first.online).toBeNull();
    expect(first.chat?.role).toBe('chat');
    expect(first.embedding?.role).toBe('embedding');
    expect(first.chat?.fit.verdict).not.toBe('too-large');
  });

  it('measures the thread count instead of guessing it, and obeys a fixed setting', async () => {
    await env.ai.models.import(TINY_LLAMA);
    const loaded = await env.ai.slots.load('chat', 'llama-2-tiny-random.gguf');
    const measured = await env.ai.runtime.measureThreads(loaded.model);
    expect(Object.keys(measured.msPerToken)).toContain('1');
    expect(Object.values(measured.msPerToken).every((ms) => ms > 0)).toBe(true);
    expect(measured.msPerToken[measured.threads]).toBe(Math.min(...Object.values(measured.msPerToken)));
    // The fixture fixes threads at 1.
    expect(loaded.threads).toBe(1);
    await env.ai.slots.unload('chat');
  });

  it('downloads a catalog model, reports progress and chooses it when set up on first run', async () => {
    const server = await startGgufServer({ files: [STORIES] });
    const entry: CatalogEntry = {
      id: 'stories',
      name: 'Stories',
      role: 'chat',
      description: 'test',
      file: 'stories260K.gguf',
      url: server.url('stories260K.gguf'),
      bytes: 1_185_376,
      paramsB: 0.0003,
      sha256: '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d',
      license: 'MIT',
      contextLength: 128,
    };
    const service = new ModelsService({
      runtime: env.ai.runtime,
      store: env.ai.store,
      slots: env.ai.slots,
      events: env.events,
      log: (await import('pino')).pino({ level: 'silent' }),
      settings: env.settings,
      catalog: [entry],
      isOnline: async () => true,
    });
    const progress: DownloadProgress[] = [];
    const off = env.events.on('models.downloadProgress', (p) => progress.push(p));
    const changed = new Promise<void>((resolve) => {
      const stop = env.events.on('models.changed', () => {
        stop();
        resolve();
      });
    });
    await env.settings.update({ models: { chatModel: null } });
    const { downloads } = await service.setUp();
    expect(downloads).toHaveLength(1);
    await changed;
    off();
    expect(progress.at(-1)).toMatchObject({ state: 'done', catalogId: 'stories', progress: { done: 1_185_376 } });
    expect(env.settings.get().models.chatModel).toBe('stories260K.gguf');
    const installed = await service.installed();
    expect(installed.find((m) => m.file === 'stories260K.gguf')).toMatchObject({ catalogId: 'stories' });
    expect((await service.catalog())[0]).toMatchObject({ installed: true, fit: { basis: 'gguf' } });

    // Downloaded from the catalog list instead of the first-run card, the first chat model is chosen too.
    await service.remove('stories260K.gguf');
    expect(env.settings.get().models.chatModel).toBeNull();
    const again = new Promise<void>((resolve) => {
      const stop = env.events.on('models.changed', () => {
        stop();
        resolve();
      });
    });
    await service.api().download({ catalogId: 'stories' }, { door: 'socket' });
    await again;
    expect(env.settings.get().models.chatModel).toBe('stories260K.gguf');
    await server.close();
    await service.dispose();
  });
});
