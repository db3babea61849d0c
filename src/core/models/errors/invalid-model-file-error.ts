/** A file is not a usable GGUF model (wrong magic, truncated, unreadable metadata). */
export class InvalidModelFileError extends Error {
  override readonly name = 'InvalidModelFileError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path} is not a usable GGUF model: ${reason}`);
  }
}
