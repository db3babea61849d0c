/**
 * What only the desktop app can do for the engine (Electron's dialogs and shell), supplied by src/main.
 * The headless host has none, and says so through `DesktopOnlyError`.
 */
export interface DesktopShell {
  /** Shows the system's folder picker; null when the user cancels. */
  pickFolder(options: { title: string }): Promise<string | null>;
  /**
   * Opens a cited file in its default viewer, or shows it in its folder when it could run
   * (see openCitedFile). Throws with a message the user can act on when it cannot.
   */
  openFile(path: string): Promise<void>;
}

/** A call that needs the desktop app was made from the browser or the command line. */
export class DesktopOnlyError extends Error {
  override readonly name = 'DesktopOnlyError';
  constructor(what: string) {
    super(`${what} works only in the Hearth app; here, type the path instead.`);
  }
}
