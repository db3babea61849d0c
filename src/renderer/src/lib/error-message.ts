/**
 * What to show the user for a failed call: the error's own message. The engine writes its
 * messages for people, and the doors word a refused input once ("chat.temperature must be
 * between 0 and 2; 5 is not."), so nothing here re-words them.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
