/** Thrown when an object is used after `dispose()`. */
export class DisposedError extends Error {
  override readonly name = 'DisposedError';
  constructor(readonly what: string) {
    super(`${what} has been closed and can no longer be used.`);
  }
}

/** An owner of resources, after node-llama-cpp: dispose once, then every use throws. */
export interface Disposable {
  readonly disposed: boolean;
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
