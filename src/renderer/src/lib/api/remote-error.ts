/** An error from the engine, carrying the engine's error name (`InvalidInputError`, ...). */
export class RemoteError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}
