/** A model file name that the settings or a call refer to is not in the models folder. */
export class ModelNotInstalledError extends Error {
  override readonly name = 'ModelNotInstalledError';
  constructor(readonly file: string) {
    super(`The model "${file}" is not installed. Download it or import it on the Models page.`);
  }
}
