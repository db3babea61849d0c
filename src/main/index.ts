import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, protocol, session, shell } from 'electron';
import { createEngine, type Engine } from '../core';
import { defaultDataDir } from '../core/paths';
import { DataFolderLock } from '../core/state';
import { guardWebContents } from './contents-guards';
import { bindIpc, forwardEvents } from './ipc';
import { installMenu } from './menu';
import { createTray } from './tray';
import { reportPowerState } from './power-state';
import { notifyBeforeContributing } from './start-warning';
import { safeStorageCipher } from './safe-storage-cipher';
import { createUpdateFeed } from './updater';
import { desktopShell } from './desktop-shell';
import { utilityWorker } from './utility-worker';
import { mainWindowOptions } from './window-options';
import { isAllowedRequest, ownUiMatcher, UI_SCHEME, UI_URL } from './own-ui';
import { isPermissionGranted } from './permissions';
import { serveUiFile, UI_SCHEME_PRIVILEGES } from './ui-protocol';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererUrl = process.env.ELECTRON_RENDERER_URL;
const ui = { rendererDir: join(here, '../renderer'), devServerUrl: rendererUrl };
const isOwnUi = ownUiMatcher(ui);

// The built UI is served as hearth://app/, not file: (the file-privileges fuse is off). Before ready.
protocol.registerSchemesAsPrivileged([{ scheme: UI_SCHEME, privileges: UI_SCHEME_PRIVILEGES }]);

function hardenSession(): void {
  protocol.handle(UI_SCHEME, (request) => serveUiFile(request.url, ui.rendererDir));
  // No remote content, and of local files only the UI's own (see isAllowedRequest).
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedRequest(details.url, ui) });
  });
  // Requests and checks answer alike; without a check handler, checks would report permissions as granted.
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(isPermissionGranted(permission, details.requestingUrl, isOwnUi)),
  );
  session.defaultSession.setPermissionCheckHandler((contents, permission, _origin, details) =>
    isPermissionGranted(permission, details.requestingUrl ?? contents?.getURL(), isOwnUi),
  );
}

function createWindow(engine: Engine): BrowserWindow {
  const window = new BrowserWindow(
    mainWindowOptions({ preload: join(here, '../preload/index.cjs'), icon: join(here, '../../resources/icon.png') }),
  );
  const stopEvents = forwardEvents(engine, window.webContents);
  window.on('closed', stopEvents);
  window.once('ready-to-show', () => window.show());
  if (rendererUrl) void window.loadURL(rendererUrl);
  else void window.loadURL(UI_URL);
  return window;
}

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  // Every web contents, not only the main window's: see guardWebContents.
  app.on('web-contents-created', (_event, contents) =>
    guardWebContents(contents, (url) => void shell.openExternal(url)),
  );
  await app.whenReady();
  hardenSession();
  const keychain = safeStorageCipher();
  let engine: Engine;
  let lock: DataFolderLock;
  // The same folder the CLI and `hearth serve` use (HEARTH_HOME, else the OS convention), so they
  // find the app's lock; Electron's own userData keeps only Chromium's caches.
  const dataDir = defaultDataDir();
  try {
    // One data folder, one owner: a `hearth serve` or CLI command on this folder refuses while
    // the app runs (it cannot reach the app), and the app refuses while one of them runs.
    lock = await DataFolderLock.acquire(dataDir, { kind: 'desktop', command: 'Hearth' });
  } catch (error) {
    dialog.showErrorBox('Hearth is already open', error instanceof Error ? error.message : String(error));
    app.exit(1);
    return;
  }
  process.once('exit', () => lock.releaseSync());
  try {
    engine = await createEngine({
      dataDir,
      host: 'desktop',
      secretCipher: keychain.cipher,
      // Only an installed release has a feed to update from (electron-builder's app-update.yml).
      updateFeed: app.isPackaged ? createUpdateFeed() : undefined,
      desktop: desktopShell(),
      // The RunAsNode fuse is off, so network workers are utility processes, not forks.
      workerLauncher: utilityWorker,
    });
  } catch (error) {
    dialog.showErrorBox('Hearth cannot start', error instanceof Error ? error.message : String(error));
    lock.releaseSync();
    app.exit(1);
    return;
  }
  // Linux without a keyring: keys are sealed with Chromium's built-in password, i.e. not encrypted.
  if (keychain.notEncryptedReason) engine.notices.post('warning', keychain.notEncryptedReason);
  const unbind = bindIpc(engine, isOwnUi);
  const stopPowerReports = reportPowerState(engine);
  installMenu();
  let window = createWindow(engine);
  const showWindow = () => {
    if (window.isDestroyed()) window = createWindow(engine);
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };
  const tray = createTray(join(here, '../../resources/icon.png'), showWindow);
  const stopStartWarnings = notifyBeforeContributing(engine, showWindow);

  app.on('second-instance', showWindow);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) window = createWindow(engine);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', (event) => {
    if (engine.disposed) return;
    event.preventDefault();
    unbind();
    stopPowerReports();
    stopStartWarnings();
    tray?.destroy();
    void engine
      .dispose()
      .finally(() => lock.release())
      .finally(() => app.quit());
  });
}

void start();
