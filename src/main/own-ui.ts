import { posix, win32 } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The scheme the built UI is served from (`hearth://app/index.html`, see ui-protocol.ts), so the
 * window needs no `file:` privileges: the grantFileProtocolExtraPrivileges fuse is off.
 */
export const UI_SCHEME = 'hearth';
export const UI_HOST = 'app';
export const UI_URL = `${UI_SCHEME}://${UI_HOST}/index.html`;

/** Whether `path` is inside `dir` (not `dir` itself), per the platform's path rules. */
export function isInsideFolder(path: string, dir: string, platform: NodeJS.Platform): boolean {
  const windows = platform === 'win32';
  const paths = windows ? win32 : posix;
  const fold = (p: string) => (windows ? p.toLowerCase() : p);
  const relative = paths.relative(fold(paths.resolve(dir)), fold(paths.resolve(path)));
  const outside = relative === '..' || relative.startsWith(`..${paths.sep}`);
  return relative !== '' && !outside && !paths.isAbsolute(relative);
}

/**
 * Whether a `file:` URL names a file inside the app's own renderer folder. Chromium has already
 * resolved `..` and `%2e%2e` in a URL it requests, but this checks the decoded path anyway, so
 * an encoded separator, another drive, a UNC host or a sibling folder with the same prefix
 * (`renderer-evil`) is refused whoever built the URL.
 */
export function isAllowedFileUrl(url: string, appDir: string, platform: NodeJS.Platform = process.platform): boolean {
  let path: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'file:' || parsed.host !== '') return false;
    // Throws on encoded separators (%2f, and %5c on Windows) rather than guessing.
    path = fileURLToPath(parsed, { windows: platform === 'win32' });
  } catch {
    return false;
  }
  return isInsideFolder(path, appDir, platform);
}

/** Whether a URL is on the UI's own scheme and host (Node's URL gives custom schemes no origin). */
export function isUiSchemeUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  return parsed.protocol === `${UI_SCHEME}:` && parsed.host === UI_HOST;
}

export interface OwnUiInit {
  /** The folder of the built renderer (out/renderer). */
  rendererDir: string;
  /** electron-vite's dev server in development; absent in a build. */
  devServerUrl?: string;
  /** Default: process.platform. */
  platform?: NodeJS.Platform;
}

/** The UI's own pages: the dev server's origin in development, `hearth://app` otherwise. */
export function ownUiMatcher(init: OwnUiInit): (url: string) => boolean {
  if (init.devServerUrl) {
    const origin = new URL(init.devServerUrl).origin;
    return (url) => URL.canParse(url) && new URL(url).origin === origin;
  }
  return isUiSchemeUrl;
}

/**
 * What the app's session may load: its own UI, DevTools, and in development the dev server's
 * hot-reload socket. `file:` only inside the renderer folder (the UI does not use it since it
 * moved to `hearth://`; a page that tries is cross-origin anyway). Everything else is cancelled.
 */
export function isAllowedRequest(url: string, init: OwnUiInit): boolean {
  if (url.startsWith('devtools:')) return true;
  if (ownUiMatcher(init)(url)) return true;
  if (!init.devServerUrl) return isAllowedFileUrl(url, init.rendererDir, init.platform);
  if (!URL.canParse(url)) return false;
  const socket = new URL(url);
  const server = new URL(init.devServerUrl);
  return socket.protocol === server.protocol.replace(/^http/, 'ws') && socket.host === server.host;
}
