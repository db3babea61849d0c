/** Every provider tried refused or failed; `reasons` says why, per provider. */
export class NoProviderError extends Error {
  override readonly name = 'NoProviderError';
  constructor(
    readonly model: string,
    readonly reasons: string[],
  ) {
    super(
      reasons.length === 0
        ? 'No provider on the network serves this model right now. Try again later.'
        : `No provider could run the job: ${reasons.join('; ')}.`,
    );
  }
}
