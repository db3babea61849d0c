/** What to show the user for a failed call: the error's own message (the engine writes them for people). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
