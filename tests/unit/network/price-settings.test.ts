import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsStore } from '../../../src/core/settings';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { tempDir } from '../../helpers/temp-dir';

describe('network price settings', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let file: string;
  beforeEach(async () => {
    dir = await tempDir();
    file = join(dir.path, 'settings.json');
  });
  afterEach(() => dir.cleanup());

  it('default to free contribution and no spending limit', () => {
    expect(DEFAULT_SETTINGS.network.pricePer1kTokens).toBe(0);
    expect(DEFAULT_SETTINGS.network.maxPricePer1kTokens).toBeNull();
  });

  it('load from a file written before they existed', async () => {
    const { pricePer1kTokens: _p, maxPricePer1kTokens: _m, ...older } = DEFAULT_SETTINGS.network;
    await writeFile(file, JSON.stringify({ ...DEFAULT_SETTINGS, network: { ...older, contribute: true } }));
    const store = await SettingsStore.open({ file, onRecovered: (message) => expect.fail(message) });
    expect(store.get().network).toMatchObject({ contribute: true, pricePer1kTokens: 0, maxPricePer1kTokens: null });
  });

  it('accept a price and a limit, clear the limit with null, and refuse negative values', async () => {
    const store = await SettingsStore.open({ file });
    await store.update({ network: { pricePer1kTokens: 2.5, maxPricePer1kTokens: 4 } });
    expect(store.get().network).toMatchObject({ pricePer1kTokens: 2.5, maxPricePer1kTokens: 4 });
    await store.update({ network: { maxPricePer1kTokens: null } });
    expect(store.get().network.maxPricePer1kTokens).toBeNull();
    await expect(store.update({ network: { pricePer1kTokens: -1 } })).rejects.toThrow();
    await expect(store.update({ network: { maxPricePer1kTokens: -1 } })).rejects.toThrow();
    expect(store.get().network.pricePer1kTokens).toBe(2.5);
  });
});
