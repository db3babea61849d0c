import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, session, shell } from 'electron';
import { createEngine, type Engine } from '../core';
import { isAllowedExternalLink } from './external-links';
import { bindIpc, forwardEvents } from './ipc';
import { installMenu } from './menu';
import { createTray } from './tray';
import { reportPowerState } from './power-state';
import { notifyBeforeContributing } from './start-warning';
import { safeStorageCipher } from './safe-storage-cipher';
import { createUpdateFeed } from './updater';
import { desktopShell } from './desktop-shell';
import { mainWindowOptions } from './window-options';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererUrl = process.env.ELECTRON_RENDERER_URL;
const rendererFile = join(here, '../renderer/index.html');

/** The UI's own origin: the dev server in development, the packaged file otherwise. */
function isOwnUi(url: string): boolean {
  if (rendererUrl) return url.startsWith(rendererUrl);
  return url.startsWith(pathToFileURL(rendererFile).href.replace(/index\.html$/, ''));
}

function hardenSession(): void {
  // No remote content: the UI may load only itself (and the dev server in development).
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    const local = details.url.startsWith('file:') || details.url.startsWith('devtools:') || isOwnUi(details.url);
    const devSocket = rendererUrl !== undefined && details.url.startsWith(rendererUrl.replace(/^http/, 'ws'));
    callback({ cancel: !(local || devSocket) });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
}

function createWindow(engine: Engine): BrowserWindow {
  const window = new BrowserWindow(
    mainWindowOptions({ preload: join(here, '../preload/index.cjs'), icon: join(here, '../../resources/icon.png') }),
  );
  const stopEvents = forwardEvents(engine, window.webContents);
  window.on('closed', stopEvents);
  window.once('ready-to-show', () => window.show());
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  if (rendererUrl) void window.loadURL(rendererUrl);
  else void window.loadFile(rendererFile);
  return window;
}

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  hardenSession();
  let engine: Engine;
  try {
    engine = await createEngine({
      dataDir: app.getPath('userData'),
      host: 'desktop',
      secretCipher: safeStorageCipher(),
      // Only an installed release has a feed to update from (electron-builder's app-update.yml).
      updateFeed: app.isPackaged ? createUpdateFeed() : undefined,
      desktop: desktopShell(),
    });
  } catch (error) {
    dialog.showErrorBox('Hearth cannot start', error instanceof Error ? error.message : String(error));
    app.exit(1);
    return;
  }
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
    void engine.dispose().finally(() => app.quit());
  });
}

void start();
