import { chmod, copyFile, lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/core';
import { newConversation } from '../../src/core/chat/conversation-store';
import { tempDir } from '../helpers/temp-dir';

const STORIES = resolve('../shared/models/stories260K.gguf');

async function notices(engine: Engine): Promise<string[]> {
  return ((await engine.dispatch('app.notices', {}, { door: 'cli' })) as { message: string }[]).map((n) => n.message);
}

/** Files in `folder` whose names start with `prefix`. */
async function named(folder: string, prefix: string): Promise<string[]> {
  return (await readdir(folder)).filter((n) => n.startsWith(prefix));
}

/** Every file and folder under `root` (itself included) with its permission bits. */
async function modes(root: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const pending = [root];
  while (pending.length > 0) {
    const path = pending.pop()!;
    const info = await lstat(path);
    out.set(relative(root, path) || '.', info.mode & 0o777);
    if (info.isDirectory()) for (const name of await readdir(path)) pending.push(join(path, name));
  }
  return out;
}

describe('state files never silently empty', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => (dir = await tempDir('hearth-state-')));
  afterEach(() => dir.cleanup());

  it('a damaged settings file leaves the library its vectors and the model it was built with', async () => {
    await mkdir(join(dir.path, 'models'));
    await copyFile(STORIES, join(dir.path, 'models', 'stories260K.gguf'));
    await writeFile(join(dir.path, 'docs.txt'), 'The cat sat on the mat and looked at the moon.');
    let before: string[];
    {
      await using engine = await createEngine({ dataDir: dir.path });
      await engine.settings.update({ models: { embeddingModel: 'stories260K.gguf' } });
      const library = await engine.library.get();
      await library.addSource('docs', join(dir.path, 'docs.txt'));
      await library.whenIdle();
      before = (await library.allChunks()).map((c) => `${c.id}:${(c.vector as ArrayLike<number>).length}`);
      expect(before.length).toBeGreaterThan(0);
    }
    const meta = await readFile(join(dir.path, 'library', 'index.json'), 'utf8');
    await writeFile(join(dir.path, 'settings.json'), '{"version":1,"models":{"embeddingMo');

    await using engine = await createEngine({ dataDir: dir.path });
    expect(engine.settings.get().models.embeddingModel).toBeNull();
    const library = await engine.library.get();
    await library.whenIdle();
    expect(library.pendingWork).toBe(0);
    expect((await library.allChunks()).map((c) => `${c.id}:${(c.vector as ArrayLike<number>).length}`)).toEqual(before);
    expect(await engine.dispatch('library.status', {}, { door: 'cli' })).toMatchObject({
      mode: 'hybrid',
      embedModel: { name: 'stories260K.gguf' },
    });
    expect(await readFile(join(dir.path, 'library', 'index.json'), 'utf8')).toBe(meta);
    const [notice, ...others] = await notices(engine);
    expect(others).toEqual([]);
    expect(notice).toMatch(/settings\.json is not valid JSON.*settings\.json\.damaged-.*keeps its index and vectors/);
    const [aside] = await named(dir.path, 'settings.json.damaged-');
    expect(await readFile(join(dir.path, aside!), 'utf8')).toBe('{"version":1,"models":{"embeddingMo');
    // Nothing wrote defaults over it: no settings file until the user changes a setting.
    await expect(lstat(join(dir.path, 'settings.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 120_000);

  it('a search without --embed-model after an index with one keeps the generation and searches with that model', async () => {
    await writeFile(join(dir.path, 'docs.txt'), 'The cat sat on the mat and looked at the moon.');
    {
      // hearth index --embed-model <path>: the settings name no model.
      await using engine = await createEngine({ dataDir: dir.path });
      const holder = engine.library;
      holder.configure({ embedModel: STORIES, watch: false });
      const library = await holder.get();
      await library.addSource('docs', join(dir.path, 'docs.txt'));
      await library.whenIdle();
    }
    const meta = await readFile(join(dir.path, 'library', 'index.json'), 'utf8');
    // hearth search: no override, no model in settings.
    await using engine = await createEngine({ dataDir: dir.path });
    engine.library.configure({ watch: false });
    const hits = (await engine.dispatch('library.search', { query: 'moon', top: 5 }, { door: 'cli' })) as unknown[];
    expect(hits).toHaveLength(1);
    const library = await engine.library.get();
    expect(library.pendingWork).toBe(0);
    expect(await engine.dispatch('library.status', {}, { door: 'cli' })).toMatchObject({ mode: 'hybrid' });
    expect(await readFile(join(dir.path, 'library', 'index.json'), 'utf8')).toBe(meta);
    expect(await notices(engine)).toEqual([]);
  }, 120_000);

  it('a damaged chat file is kept aside and named in a notice; the other chats still list', async () => {
    {
      await using engine = await createEngine({ dataDir: dir.path });
      await engine.ai.chat.store.save(newConversation('good-chat', 'Hello there'));
    }
    const damaged = '{"id":"bad-chat","title":"Trip plans","messages":[{"role":"us';
    await writeFile(join(dir.path, 'chats', 'bad-chat.json'), damaged);
    await using engine = await createEngine({ dataDir: dir.path });
    const list = (await engine.dispatch('chat.list', {}, { door: 'cli' })) as { id: string }[];
    expect(list.map((c) => c.id)).toEqual(['good-chat']);
    const [aside] = await named(join(dir.path, 'chats'), 'bad-chat.json.damaged-');
    expect(await readFile(join(dir.path, 'chats', aside!), 'utf8')).toBe(damaged);
    expect(await notices(engine)).toEqual([
      expect.stringMatching(/bad-chat\.json is not valid JSON.*kept it as bad-chat\.json\.damaged-/),
    ]);
  });

  it('a damaged models.json is kept aside and named in a notice; models still list', async () => {
    await mkdir(join(dir.path, 'models'));
    await copyFile(STORIES, join(dir.path, 'models', 'stories260K.gguf'));
    await writeFile(join(dir.path, 'models', 'models.json'), '{"stories260K.gguf":{"role":"embed');
    await using engine = await createEngine({ dataDir: dir.path });
    const installed = (await engine.dispatch('models.installed', {}, { door: 'cli' })) as { file: string }[];
    expect(installed.map((m) => m.file)).toEqual(['stories260K.gguf']);
    const [aside] = await named(join(dir.path, 'models'), 'models.json.damaged-');
    expect(await readFile(join(dir.path, 'models', aside!), 'utf8')).toBe('{"stories260K.gguf":{"role":"embed');
    expect(await notices(engine)).toEqual([expect.stringMatching(/models\.json is not valid JSON/)]);
  });

  it('a damaged data-version.json is kept aside and the engine starts instead of asking for an update', async () => {
    await writeFile(join(dir.path, 'data-version.json'), '{"parts":{"chats":1,"libr');
    await using engine = await createEngine({ dataDir: dir.path });
    const [aside] = await named(dir.path, 'data-version.json.damaged-');
    expect(await readFile(join(dir.path, aside!), 'utf8')).toBe('{"parts":{"chats":1,"libr');
    expect(JSON.parse(await readFile(join(dir.path, 'data-version.json'), 'utf8'))).toMatchObject({
      parts: { chats: 1, library: 1 },
    });
    expect(await notices(engine)).toEqual([
      expect.stringMatching(/data-version\.json is not valid JSON.*treated the data folder as format 1/),
    ]);
  });
});

describe('network keys are never minted over a damaged one', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => (dir = await tempDir('hearth-keys-')));
  afterEach(() => dir.cleanup());

  for (const [file, what] of [
    ['wallet-key.key', 'wallet key'],
    ['network-identity.key', 'network identity key'],
  ] as const) {
    it(`a truncated ${what} stops the network with a clear error and keeps the file`, async () => {
      await mkdir(join(dir.path, 'secrets'), { mode: 0o700 });
      if (file === 'wallet-key.key') {
        // A valid identity, so the wallet is what fails.
        await using first = await createEngine({ dataDir: dir.path });
        const { loadOrCreateIdentity } = await import('../../src/core/network');
        await loadOrCreateIdentity(first.secrets);
      }
      const truncated = Buffer.from('0123456789abcdef', 'hex');
      await writeFile(join(dir.path, 'secrets', file), truncated, { mode: 0o600 });
      const secretsBefore = (await readdir(join(dir.path, 'secrets'))).sort();

      await using engine = await createEngine({ dataDir: dir.path });
      await expect(
        engine.dispatch('network.start', { listen: ['/ip4/127.0.0.1/tcp/0'] }, { door: 'cli' }),
      ).rejects.toMatchObject({
        name: 'DamagedSecretError',
        message: expect.stringMatching(new RegExp(`Your ${what} in .*${file} is damaged.*Restore .* from a backup`)),
      });
      expect(await readFile(join(dir.path, 'secrets', file))).toEqual(truncated);
      const [copy] = await named(join(dir.path, 'secrets'), `${file}.damaged-`);
      expect(await readFile(join(dir.path, 'secrets', copy!))).toEqual(truncated);
      // No new key was written anywhere: the folder holds what it held plus the one copy.
      expect((await readdir(join(dir.path, 'secrets'))).sort()).toEqual([...secretsBefore, copy].sort());
      expect(await notices(engine)).toEqual([expect.stringMatching(new RegExp(`${what} .* is damaged`))]);
      const log = await readFile(join(dir.path, 'logs', 'hearth.log'), 'utf8');
      expect(log).toContain('network-key-damaged');
      // A second attempt fails the same way and makes no second copy.
      await expect(engine.dispatch('network.start', {}, { door: 'cli' })).rejects.toMatchObject({
        name: 'DamagedSecretError',
      });
      expect(await named(join(dir.path, 'secrets'), `${file}.damaged-`)).toHaveLength(1);
    });
  }
});

describe.skipIf(process.platform === 'win32')('the data folder is private', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => (dir = await tempDir('hearth-modes-')));
  afterEach(() => dir.cleanup());

  it('every file is 0600 and every folder 0700 after a start, an index run and a chat save', async () => {
    const data = join(dir.path, 'data');
    const docs = join(dir.path, 'docs');
    await mkdir(docs);
    await writeFile(join(docs, 'a.md'), '# Notes\n\nPrivate words about the garden.');
    {
      await using engine = await createEngine({ dataDir: data });
      await engine.settings.update({ appearance: { theme: 'dark' } });
      const library = await engine.library.get();
      await library.addSource('notes', docs);
      await library.whenIdle();
      expect((await library.search('garden')).length).toBe(1);
      await engine.ai.chat.store.save(newConversation('c1', 'Hello'));
      await engine.ai.api.key();
    }
    const table = await modes(data);
    console.log(
      [...table]
        .map(([path, mode]) => `${mode.toString(8).padStart(4, '0')}  ${path}`)
        .sort()
        .join('\n'),
    );
    expect([...table.keys()]).toEqual(
      expect.arrayContaining(['.', 'settings.json', 'logs/hearth.log', 'chats/c1.json', 'library/collections.json']),
    );
    expect([...table.keys()].some((p) => p.startsWith('library/lancedb/chunks_g1.lance/'))).toBe(true);
    for (const [path, mode] of table) {
      const info = await lstat(join(data, path));
      expect({ path, mode: mode.toString(8) }).toEqual({ path, mode: info.isDirectory() ? '700' : '600' });
    }
  }, 120_000);

  it('an older install readable by others is made private on the next start', async () => {
    await mkdir(join(dir.path, 'chats'), { mode: 0o755 });
    await writeFile(join(dir.path, 'chats', 'c1.json'), JSON.stringify(newConversation('c1', 'Hi')));
    await writeFile(join(dir.path, 'settings.json'), '{"version":1}');
    await chmod(dir.path, 0o755);
    await chmod(join(dir.path, 'chats'), 0o755);
    await chmod(join(dir.path, 'chats', 'c1.json'), 0o644);
    await chmod(join(dir.path, 'settings.json'), 0o644);
    {
      await using _engine = await createEngine({ dataDir: dir.path });
    }
    for (const [path, mode] of await modes(dir.path)) {
      const info = await lstat(join(dir.path, path));
      expect({ path, mode: mode.toString(8) }).toEqual({ path, mode: info.isDirectory() ? '700' : '600' });
    }
  });
});
