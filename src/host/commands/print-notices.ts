import type { HearthSession } from '../client/open-hearth';
import { printError } from '../terminal-text';

/**
 * Prints the engine's notices (a damaged file set aside, an embedding model that is missing) to
 * stderr: a one-shot command has no notice board on screen, and these need the user to act.
 * A running Hearth shows its own notices in its UI, so they are not repeated here.
 */
export async function printNotices(session: HearthSession): Promise<void> {
  if (session.where !== 'here') return;
  for (const notice of await session.api.app.notices()) printError(`${notice.level}: ${notice.message}`);
}
