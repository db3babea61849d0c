/** The machine cannot reach the internet (or the model host). */
export class OfflineError extends Error {
  override readonly name = 'OfflineError';
  constructor(readonly host: string) {
    super(
      `Hearth cannot reach ${host}: this computer seems to be offline. Connect to the internet to download models, or import a GGUF file you already have.`,
    );
  }
}
