import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/core';
import { tempDir } from '../../helpers/temp-dir';

describe('createEngine', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.cleanup());

  it('serves app and settings calls through its contract dispatch', async () => {
    await using engine = await createEngine({ dataDir: dir.path });
    const info = await engine.dispatch('app.info', {}, { door: 'cli' });
    expect(info).toMatchObject({ name: 'Hearth', dataDir: dir.path, host: 'headless' });
    const changed: unknown[] = [];
    engine.events.on('settings.changed', (s) => changed.push(s.appearance.theme));
    await engine.dispatch('settings.update', { appearance: { theme: 'light' } }, { door: 'cli' });
    expect(changed).toEqual(['light']);
  });

  it('turns a corrupt settings file into a notice for the user', async () => {
    await writeFile(join(dir.path, 'settings.json'), 'not json');
    await using engine = await createEngine({ dataDir: dir.path });
    const notices = (await engine.dispatch('app.notices', {}, { door: 'cli' })) as { message: string }[];
    expect(notices).toHaveLength(1);
    expect(notices[0]!.message).toMatch(/settings\.json is not valid JSON.*damaged-/);
  });

  it('refuses every call once disposed', async () => {
    const engine = await createEngine({ dataDir: dir.path });
    await engine.dispose();
    await expect(engine.dispatch('app.info', {}, { door: 'cli' })).rejects.toMatchObject({ name: 'DisposedError' });
  });

  it('never writes private fields such as prompts to its log', async () => {
    const engine = await createEngine({ dataDir: dir.path });
    engine.log.info({ prompt: 'SECRET-PROMPT', request: { text: 'SECRET-TEXT', messages: ['SECRET-MSG'] } }, 'call');
    await engine.dispose();
    const log = await readFile(join(dir.path, 'logs', 'hearth.log'), 'utf8');
    expect(log).toContain('"msg":"call"');
    expect(log).not.toMatch(/SECRET/);
    expect(log).toContain('[private]');
  });
});
