/** A check was asked for while the user has not allowed update checks. */
export class UpdatesOffError extends Error {
  override readonly name = 'UpdatesOffError';
  constructor() {
    super('Update checks are off, so Hearth did not contact the update server. Allow them in Settings to check.');
  }
}
