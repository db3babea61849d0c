/** This copy of Hearth cannot update itself (a development build or the headless host). */
export class UpdatesUnavailableError extends Error {
  override readonly name = 'UpdatesUnavailableError';
  constructor() {
    super(
      'This copy of Hearth was not installed from a release (a development build or the headless host), ' +
        'so it cannot update itself. Install a release to get updates.',
    );
  }
}
