import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type RequestOptions, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AppImageUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter.js';
import { ElectronHttpExecutor } from 'electron-updater/out/electronHttpExecutor.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/events';
import { createLogger } from '../../../src/core/log';
import { SettingsStore } from '../../../src/core/settings';
import { UpdateService } from '../../../src/core/updates';
import { createUpdateFeed } from '../../../src/main/updater';
import type { UpdateStatus } from '../../../src/shared/contract';
import { tempDir } from '../../helpers/temp-dir';

const NEW_BINARY = Buffer.from('the next Hearth, as an AppImage');
const sha512 = createHash('sha512').update(NEW_BINARY).digest('base64');
const FEED = [
  'version: 0.2.0',
  'files:',
  '  - url: Hearth-0.2.0-x86_64.AppImage',
  `    sha512: ${sha512}`,
  `    size: ${NEW_BINARY.length}`,
  'path: Hearth-0.2.0-x86_64.AppImage',
  `sha512: ${sha512}`,
  "releaseDate: '2026-11-27T00:00:00.000Z'",
  "releaseNotes: '<h2>What changed</h2><ul><li>Faster answers</li><li>A new <b>icon</b></li></ul>'",
  '',
].join('\n');

/** A release feed on 127.0.0.1 that records every request it gets. */
async function startFeed(): Promise<{ server: Server; url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url?.startsWith('/latest-linux.yml')) res.end(FEED);
    else if (req.url?.startsWith('/Hearth-0.2.0-x86_64.AppImage')) res.end(NEW_BINARY);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/**
 * electron-updater's own HTTP executor (its download logic included) with one change: requests
 * go through Node's http instead of Electron's `net`, which exists only inside Electron.
 */
class NodeNetHttpExecutor extends ElectronHttpExecutor {
  override createRequest(
    options: RequestOptions,
    callback: (response: IncomingMessage) => void,
  ): ReturnType<ElectronHttpExecutor['createRequest']> {
    // Node's ClientRequest has the events and methods electron-updater uses on Electron's.
    return request(options, callback) as unknown as ReturnType<ElectronHttpExecutor['createRequest']>;
  }
}

/**
 * The real electron-updater AppImageUpdater in packaged-app mode, with two stand-ins for what
 * only Electron provides: the `app` object (version, paths) and the `net` module underneath
 * the HTTP executor.
 */
async function realUpdater(dir: string, feedUrl: string): Promise<AppImageUpdater> {
  const config = join(dir, 'app-update.yml');
  await writeFile(config, `provider: generic\nurl: ${feedUrl}\nupdaterCacheDirName: hearth-updater-test\n`);
  const app: AppAdapter = {
    version: '0.1.0',
    name: 'Hearth',
    isPackaged: true,
    appUpdateConfigPath: config,
    userDataPath: dir,
    baseCachePath: join(dir, 'cache'),
    whenReady: () => Promise.resolve(),
    relaunch: () => undefined,
    quit: () => undefined,
    onQuit: () => undefined,
  };
  const updater = new AppImageUpdater(null, app);
  (updater as unknown as { httpExecutor: ElectronHttpExecutor }).httpExecutor = new NodeNetHttpExecutor();
  updater.disableDifferentialDownload = true;
  return updater;
}

describe('update checks against a real electron-updater and a local feed', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let feed: Awaited<ReturnType<typeof startFeed>>;
  const previousAppImage = process.env.APPIMAGE;

  beforeEach(async () => {
    dir = await tempDir();
    feed = await startFeed();
    // electron-updater only updates an AppImage it is running from.
    process.env.APPIMAGE = join(dir.path, 'Hearth-0.1.0.AppImage');
    await writeFile(process.env.APPIMAGE, 'the current Hearth');
  });
  afterEach(async () => {
    if (previousAppImage === undefined) delete process.env.APPIMAGE;
    else process.env.APPIMAGE = previousAppImage;
    await new Promise((resolve) => feed.server.close(resolve));
    await dir.cleanup();
  });

  async function start(allowUpdateChecks: boolean | null, firstCheckDelayMs = 20) {
    const events = new EventBus();
    // As the engine wires it: settings changes reach the service as `settings.changed`.
    const settings = await SettingsStore.open({
      file: join(dir.path, 'settings.json'),
      onChange: (next) => events.emit('settings.changed', next),
    });
    await settings.update({ privacy: { allowUpdateChecks } });
    const { log, close } = createLogger({ dir: join(dir.path, 'logs') });
    const statuses: UpdateStatus[] = [];
    events.on('updates.status', (s) => statuses.push(s));
    const feedAdapter = createUpdateFeed(await realUpdater(dir.path, feed.url));
    const service = new UpdateService({
      settings,
      events,
      log,
      currentVersion: '0.1.0',
      feed: feedAdapter,
      firstCheckDelayMs,
    });
    const stop = async () => {
      await service.dispose();
      await settings.dispose();
      await close();
    };
    return { service, settings, events, statuses, stop };
  }

  it.each([null, false])('makes no request at all when allowUpdateChecks is %s', async (allowed) => {
    const { service, stop } = await start(allowed);
    // Well past the first automatic check, had one been scheduled.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(service.api().check({}, { door: 'ipc' })).rejects.toMatchObject({ name: 'UpdatesOffError' });
    expect(service.status.state).toBe('off');
    await stop();
    expect(feed.requests).toEqual([]);
  });

  it('asks the feed once allowed, downloads, shows what changed, and waits for the restart', async () => {
    const { service, statuses, stop } = await start(true);
    const status = await service.api().check({}, { door: 'ipc' });
    await stop();

    expect(feed.requests.map((r) => r.split('?')[0])).toEqual(['/latest-linux.yml', '/Hearth-0.2.0-x86_64.AppImage']);
    expect(status).toMatchObject({ state: 'ready', version: '0.2.0', progress: 1 });
    expect(status.notes).toBe('What changed\n• Faster answers\n• A new icon');
    expect(statuses.map((s) => s.state)).toEqual(expect.arrayContaining(['checking', 'downloading', 'ready']));
  });

  it('stops asking as soon as the user turns checks off', async () => {
    const { service, settings, stop } = await start(true, 200);
    expect(service.status.state).toBe('idle');
    await settings.update({ privacy: { allowUpdateChecks: false } });
    // Well past the first automatic check the yes had scheduled.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(service.status.state).toBe('off');
    await stop();
    expect(feed.requests).toEqual([]);
  });
});
