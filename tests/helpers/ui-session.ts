import type { BrowserContext } from 'playwright-core';
import { launchChromium } from './chromium';
import { serveHearth, type ServingHearth } from './hearth-process';

/** `hearth serve` on a data folder plus a Chromium to drive its UI: the frame of every e2e test. */
export interface UiSession {
  readonly hearth: ServingHearth;
  readonly context: BrowserContext;
  /** Stops the host, runs `whileStopped` (to change its files), and starts it again. */
  restart(whileStopped?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export async function startUiSession(home: string): Promise<UiSession> {
  let hearth = await serveHearth(home);
  const browser = await launchChromium();
  return {
    get hearth() {
      return hearth;
    },
    context: browser.context,
    async restart(whileStopped) {
      await hearth.stop();
      await whileStopped?.();
      hearth = await serveHearth(home);
    },
    async close() {
      await browser.close();
      await hearth.stop();
    },
  };
}
