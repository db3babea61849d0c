import type { WebContents } from 'electron';
import { isAllowedExternalLink } from './external-links';

/** The part of a WebContents the guards need; tests pass a stand-in. */
export type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/**
 * Applied to every web contents the app creates (`web-contents-created`), not just the main
 * window: no navigation away from the loaded page, no new windows (allowed links go to the
 * user's browser instead), and no <webview> even if one were smuggled in.
 */
export function guardWebContents(contents: GuardedContents, openExternal: (url: string) => void): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) => {
    // Subframes have no reason to exist in the UI; the main frame's own navigations are above.
    if (!event.isMainFrame) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalLink(url)) openExternal(url);
    return { action: 'deny' };
  });
}
