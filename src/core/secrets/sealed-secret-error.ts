/**
 * A secret exists, sealed by the desktop app's keychain, and this process (the command line or
 * `hearth serve`) has no way to open it. Creating a new one instead would give the user a second
 * wallet or API key, so the call stops here.
 */
export class SealedSecretError extends Error {
  override readonly name = 'SealedSecretError';
  constructor(
    readonly secret: string,
    readonly file: string,
  ) {
    super(
      `The ${secret} key in ${file} is sealed by the Hearth app's keychain, which the command line cannot open. ` +
        'Do this from the Hearth app, or give the command line a data folder of its own (set HEARTH_HOME).',
    );
  }
}
