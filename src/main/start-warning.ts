import { Notification } from 'electron';
import type { Engine } from '../core';

/**
 * The warning before contribution starts, also as a system notification: the user may be in
 * another app. Clicking it shows Hearth, where "Not now" waits.
 */
export function notifyBeforeContributing(engine: Engine, showWindow: () => void): () => void {
  let previous: string | null = null;
  return engine.events.on('network.status', ({ contribution }) => {
    if (contribution.state === 'starting' && previous !== 'starting' && Notification.isSupported()) {
      const notice = new Notification({
        title: 'Hearth is about to share this computer',
        body: 'It looks idle, so contribution starts in a few seconds. Click to say "Not now".',
        silent: true,
      });
      notice.on('click', showWindow);
      notice.show();
    }
    previous = contribution.state;
  });
}
