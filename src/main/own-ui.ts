import { posix, win32 } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Whether a `file:` URL names a file inside the app's own renderer folder. Chromium has already
 * resolved `..` and `%2e%2e` in a URL it requests, but this checks the decoded path anyway, so
 * an encoded separator, another drive, a UNC host or a sibling folder with the same prefix
 * (`renderer-evil`) is refused whoever built the URL.
 */
export function isAllowedFileUrl(url: string, appDir: string, platform: NodeJS.Platform = process.platform): boolean {
  const windows = platform === 'win32';
  let path: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'file:' || parsed.host !== '') return false;
    // Throws on encoded separators (%2f, and %5c on Windows) rather than guessing.
    path = fileURLToPath(parsed, { windows });
  } catch {
    return false;
  }
  const paths = windows ? win32 : posix;
  const fold = (p: string) => (windows ? p.toLowerCase() : p);
  const relative = paths.relative(fold(paths.resolve(appDir)), fold(paths.resolve(path)));
  const outside = relative === '..' || relative.startsWith(`..${paths.sep}`);
  return relative !== '' && !outside && !paths.isAbsolute(relative);
}

export interface OwnUiInit {
  /** The folder of the built renderer (out/renderer). */
  rendererDir: string;
  /** electron-vite's dev server in development; absent in a build. */
  devServerUrl?: string;
  /** Default: process.platform. */
  platform?: NodeJS.Platform;
}

/** The UI's own pages: the dev server's origin in development, the renderer folder otherwise. */
export function ownUiMatcher(init: OwnUiInit): (url: string) => boolean {
  if (init.devServerUrl) {
    const origin = new URL(init.devServerUrl).origin;
    return (url) => URL.canParse(url) && new URL(url).origin === origin;
  }
  return (url) => isAllowedFileUrl(url, init.rendererDir, init.platform);
}

/**
 * What the app's session may load: its own UI, DevTools, and in development the dev server's
 * hot-reload socket. Everything else, remote or local, is cancelled.
 */
export function isAllowedRequest(url: string, init: OwnUiInit): boolean {
  if (url.startsWith('devtools:')) return true;
  if (ownUiMatcher(init)(url)) return true;
  if (!init.devServerUrl || !URL.canParse(url)) return false;
  const socket = new URL(url);
  const server = new URL(init.devServerUrl);
  return socket.protocol === server.protocol.replace(/^http/, 'ws') && socket.host === server.host;
}
