/** Why a file could not be indexed; `reason` groups them for the UI and tests. */
export type FileProblem =
  | 'encrypted'
  | 'corrupt'
  | 'too-large'
  | 'unsupported'
  | 'binary'
  | 'unreadable'
  | 'vanished'
  | 'symlink-loop'
  | 'zip-bomb'
  | 'too-complex'
  | 'empty';

/** A file the library could not read; the message tells the user what to do about it. */
export class LibraryFileError extends Error {
  override readonly name = 'LibraryFileError';
  constructor(
    readonly path: string,
    readonly reason: FileProblem,
    message: string,
  ) {
    super(message);
  }
}
