/** A download failed for a network reason after retrying; the partial file is kept to resume. */
export class DownloadFailedError extends Error {
  override readonly name = 'DownloadFailedError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`Downloading ${file} failed: ${reason}. Check the internet connection and try again; it will resume.`);
  }
}
