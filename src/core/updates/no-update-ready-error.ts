/** A restart into an update was asked for, but no update has been downloaded. */
export class NoUpdateReadyError extends Error {
  override readonly name = 'NoUpdateReadyError';
  constructor() {
    super('No update has been downloaded yet, so there is nothing to restart into.');
  }
}
