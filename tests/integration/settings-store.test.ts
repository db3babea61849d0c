import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataVersionError, SettingsStore } from '../../src/core/settings';
import { DEFAULT_SETTINGS, type Settings } from '../../src/shared/settings';
import { tempDir } from '../helpers/temp-dir';

describe('SettingsStore', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let file: string;
  beforeEach(async () => {
    dir = await tempDir();
    file = join(dir.path, 'settings.json');
  });
  afterEach(() => dir.cleanup());

  it('starts from defaults and writes nothing until something changes', async () => {
    const store = await SettingsStore.open({ file });
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(await readdir(dir.path)).toEqual([]);
  });

  it('persists a change across reopen and reports it', async () => {
    const seen: Settings[] = [];
    const store = await SettingsStore.open({ file, onChange: (s) => seen.push(s) });
    await store.update({ chat: { temperature: 0.2 }, appearance: { theme: 'dark' } });
    await store.dispose();
    expect(seen.map((s) => s.chat.temperature)).toEqual([0.2]);

    const reopened = await SettingsStore.open({ file });
    expect(reopened.get().chat).toEqual({ ...DEFAULT_SETTINGS.chat, temperature: 0.2 });
    expect(reopened.get().appearance.theme).toBe('dark');
  });

  it('refuses an invalid value and keeps the old one', async () => {
    const store = await SettingsStore.open({ file });
    await expect(store.update({ chat: { temperature: -1 } })).rejects.toThrow();
    expect(store.get().chat.temperature).toBe(DEFAULT_SETTINGS.chat.temperature);
  });

  it('keeps writes in order under quick successive updates', async () => {
    const store = await SettingsStore.open({ file });
    await Promise.all([1, 2, 3, 4, 5].map((n) => store.update({ models: { threads: n } })));
    const onDisk = JSON.parse(await readFile(file, 'utf8')) as Settings;
    expect(onDisk.models.threads).toBe(5);
  });

  it('sets a corrupt file aside as a backup and says so, never resetting silently', async () => {
    await writeFile(file, '{ "version": 1, "chat": { "temperature": 0.3 ');
    const messages: string[] = [];
    const store = await SettingsStore.open({ file, onRecovered: (m) => messages.push(m) });
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/not valid JSON.*kept it as settings\.json\.damaged-/);
    const backups = (await readdir(dir.path)).filter((f) => f.startsWith('settings.json.damaged-'));
    expect(backups).toHaveLength(1);
    expect(await readFile(join(dir.path, backups[0]!), 'utf8')).toContain('"temperature": 0.3');
  });

  it('sets aside a file with values outside their range', async () => {
    await writeFile(file, JSON.stringify({ ...DEFAULT_SETTINGS, chat: { ...DEFAULT_SETTINGS.chat, topP: 7 } }));
    const messages: string[] = [];
    await SettingsStore.open({ file, onRecovered: (m) => messages.push(m) });
    expect(messages[0]).toMatch(/has invalid values \(chat\.topP must be between 0 and 1; 7 is not\)\. /);
  });

  it('refuses a file from a newer Hearth and leaves it untouched', async () => {
    const newer = JSON.stringify({ version: 99, appearance: { theme: 'dark' } });
    await writeFile(file, newer);
    await expect(SettingsStore.open({ file })).rejects.toBeInstanceOf(DataVersionError);
    expect(await readFile(file, 'utf8')).toBe(newer);
  });

  it('migrates an older file step by step after backing it up', async () => {
    const old = { version: 0, theme: 'light' };
    await writeFile(file, JSON.stringify(old));
    const store = await SettingsStore.open({
      file,
      migrations: [{ from: 0, migrate: ({ theme, ...rest }) => ({ ...rest, appearance: { theme } }) }],
    });
    expect(store.get().appearance.theme).toBe('light');
    expect(JSON.parse(await readFile(`${file}.v0.bak`, 'utf8'))).toEqual(old);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1, appearance: { theme: 'light' } });
  });

  it('sets aside an old file it has no migration for', async () => {
    await writeFile(file, JSON.stringify({ version: 0 }));
    const messages: string[] = [];
    await SettingsStore.open({ file, onRecovered: (m) => messages.push(m) });
    expect(messages[0]).toMatch(/format 0, which this version cannot upgrade/);
  });

  it('fills in sections a file from an earlier build does not have', async () => {
    const { api: _api, ...withoutApi } = DEFAULT_SETTINGS;
    await writeFile(file, JSON.stringify({ ...withoutApi, chat: { ...DEFAULT_SETTINGS.chat, maxTokens: 77 } }));
    const store = await SettingsStore.open({ file });
    expect(store.get().api).toEqual(DEFAULT_SETTINGS.api);
    expect(store.get().chat.maxTokens).toBe(77);
  });
});
