import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/events';
import { createLogger } from '../../../src/core/log';
import { SettingsStore } from '../../../src/core/settings';
import { mayCheckForUpdates, releaseNotesText, UpdateService, type UpdateFeed } from '../../../src/core/updates';
import { tempDir } from '../../helpers/temp-dir';

describe('mayCheckForUpdates', () => {
  it('allows a check only after an explicit yes', () => {
    expect(mayCheckForUpdates({ allowUpdateChecks: null })).toBe(false);
    expect(mayCheckForUpdates({ allowUpdateChecks: false })).toBe(false);
    expect(mayCheckForUpdates({ allowUpdateChecks: true })).toBe(true);
  });
});

describe('releaseNotesText', () => {
  it('turns GitHub HTML into plain text, so no markup from the network reaches the UI', () => {
    expect(releaseNotesText('<p>Fixes</p><ul><li>one</li><li><img src=x onerror=alert(1)>two</li></ul>')).toBe(
      'Fixes\n• one\n• two',
    );
    expect(releaseNotesText([{ version: '0.3.0', note: '<p>B</p>' }, { version: '0.2.0', note: null }])).toBe(
      '0.3.0\nB\n\n0.2.0',
    );
    expect(releaseNotesText(null)).toBeNull();
    expect(releaseNotesText('  ')).toBeNull();
  });
});

/** A feed at the seam: it counts calls and offers version 0.2.0. */
function countingFeed() {
  const calls = { check: 0, download: 0, install: 0 };
  const feed: UpdateFeed = {
    check: async () => {
      calls.check++;
      return { version: '0.2.0', notes: 'Faster' };
    },
    download: async (onProgress) => {
      calls.download++;
      onProgress(0.5);
    },
    install: () => void calls.install++,
  };
  return { feed, calls };
}

describe('UpdateService', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.cleanup());

  async function open(allowUpdateChecks: boolean | null, feed?: UpdateFeed) {
    const events = new EventBus();
    const settings = await SettingsStore.open({
      file: join(dir.path, 'settings.json'),
      onChange: (next) => events.emit('settings.changed', next),
    });
    await settings.update({ privacy: { allowUpdateChecks } });
    const { log, close } = createLogger({ dir: join(dir.path, 'logs') });
    const service = new UpdateService({ settings, events, log, currentVersion: '0.1.0', feed, firstCheckDelayMs: 10 });
    return {
      service,
      settings,
      [Symbol.asyncDispose]: async () => {
        await service.dispose();
        await settings.dispose();
        await close();
      },
    };
  }

  it('starts checking on the yes from the first-run question and never restarts on its own', async () => {
    const { feed, calls } = countingFeed();
    await using opened = await open(null, feed);
    expect(opened.service.status.state).toBe('off');
    await opened.settings.update({ privacy: { allowUpdateChecks: true } });
    await expect.poll(() => opened.service.status.state).toBe('ready');
    expect(calls).toEqual({ check: 1, download: 1, install: 0 });
    expect(opened.service.status).toMatchObject({ version: '0.2.0', notes: 'Faster', progress: 1 });

    await opened.service.api().restart({}, { door: 'ipc' });
    expect(calls.install).toBe(1);
  });

  it('refuses a restart with nothing downloaded, and says when this copy cannot update', async () => {
    await using withFeed = await open(false, countingFeed().feed);
    expect(() => withFeed.service.restart()).toThrow(expect.objectContaining({ name: 'NoUpdateReadyError' }));
    await using withoutFeed = await open(true);
    expect(withoutFeed.service.status.state).toBe('unavailable');
    await expect(withoutFeed.service.check()).rejects.toMatchObject({ name: 'UpdatesUnavailableError' });
  });

  it('keeps its schedule when unrelated settings change', async () => {
    const { feed, calls } = countingFeed();
    await using opened = await open(true, feed);
    await expect.poll(() => calls.check).toBe(1);
    await opened.settings.update({ appearance: { theme: 'dark' } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls.check).toBe(1);
  });
});
