import type { Engine } from '../../core';

/**
 * Prints the engine's notices (a damaged file set aside, an embedding model that is missing) to
 * stderr: a one-shot command has no notice board on screen, and these need the user to act.
 */
export function printNotices(engine: Engine): void {
  for (const notice of engine.notices.list()) process.stderr.write(`${notice.level}: ${notice.message}\n`);
}
