import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isInsideFolder, isUiSchemeUrl } from './own-ui';
import { UI_CONTENT_TYPES } from '../shared/ui-content-types';

/** What `hearth://` is to Chromium: a standard, secure origin that may run module scripts and fetch. */
export const UI_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, codeCache: true } as const;

/**
 * The renderer file a `hearth://app/...` URL names, or null for anything outside the renderer
 * folder: another host, an encoded separator, `..` in any spelling, another drive.
 */
export function uiFileFor(
  url: string,
  rendererDir: string,
  platform: NodeJS.Platform = process.platform,
): string | null {
  if (!isUiSchemeUrl(url)) return null;
  const { pathname } = new URL(url);
  let relative: string;
  try {
    relative = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  } catch {
    return null;
  }
  // The URL parser already resolved `..`; a separator or dot-segment that was encoded is refused.
  if (/[\\\0]/.test(relative) || relative.split('/').some((segment) => segment === '..' || segment === '.'))
    return null;
  const file = join(rendererDir, ...relative.split('/').filter(Boolean));
  return isInsideFolder(file, rendererDir, platform) ? file : null;
}

/** protocol.handle's answer for `hearth://`: the renderer file, read through Electron's asar-aware fs. */
export async function serveUiFile(url: string, rendererDir: string): Promise<Response> {
  const file = uiFileFor(url, rendererDir);
  if (!file) return new Response('Not found', { status: 404 });
  try {
    const body = await readFile(file);
    return new Response(body, {
      headers: {
        'content-type': UI_CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'x-content-type-options': 'nosniff',
      },
    });
  } catch {
    // A file the built renderer does not have (a stale link, a typo): the page shows its own error.
    return new Response('Not found', { status: 404 });
  }
}
