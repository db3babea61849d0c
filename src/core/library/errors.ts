// A file's read failure belongs to the readers (extract/), which the library sits above.
export { LibraryFileError, type FileProblem } from './extract/file-error';

/** A library call that cannot be done as asked (unknown collection, bad path...). */
export class LibraryError extends Error {
  override readonly name = 'LibraryError';
}
