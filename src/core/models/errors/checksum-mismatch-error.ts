/** The downloaded bytes do not match the checksum the catalog promises; the file was removed. */
export class ChecksumMismatchError extends Error {
  override readonly name = 'ChecksumMismatchError';
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${file} was damaged in transit (its checksum does not match) and was deleted. Try the download again.`);
  }
}
