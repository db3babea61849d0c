/** The auditor's own copy of a model is not the file the job names, so it cannot judge the job. */
export class ModelHashError extends Error {
  override readonly name = 'ModelHashError';
  constructor(
    readonly modelPath: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${modelPath} has sha256 ${actual}, not ${expected}; download the model again before auditing jobs for it.`);
  }
}
