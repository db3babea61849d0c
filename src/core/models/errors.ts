/**
 * Errors of the models capability. Each carries the file it is about and a message a user
 * can act on; the UI matches them by `name`.
 */

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

/** A model file name that the settings or a call refer to is not in the models folder. */
export class ModelNotInstalledError extends Error {
  override readonly name = 'ModelNotInstalledError';
  constructor(readonly file: string) {
    super(`The model "${file}" is not installed. Download it or import it on the Models page.`);
  }
}

/** No model is chosen for a role that a call needs. */
export class NoModelChosenError extends Error {
  override readonly name = 'NoModelChosenError';
  constructor(readonly role: string) {
    super(`No ${role} model is chosen yet. Download or import one on the Models page, then choose it.`);
  }
}

/** Loading a model would exceed the memory Hearth allows itself. */
export class ModelTooLargeError extends Error {
  override readonly name = 'ModelTooLargeError';
  constructor(
    readonly file: string,
    readonly neededBytes: number,
    readonly budgetBytes: number,
  ) {
    super(
      `${file} needs about ${gib(neededBytes)} of memory but only ${gib(budgetBytes)} is available. ` +
        'Close other programs, unload other models, or choose a smaller model.',
    );
  }
}

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

/** The disk is (or would be) full. */
export class DiskFullError extends Error {
  override readonly name = 'DiskFullError';
  constructor(
    readonly file: string,
    readonly neededBytes: number,
    readonly freeBytes: number | null,
  ) {
    super(
      `Not enough disk space for ${file}: it needs ${gib(neededBytes)}` +
        (freeBytes === null ? '' : ` and only ${gib(freeBytes)} is free`) +
        '. Free some space and try again.',
    );
  }
}

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

/** The machine cannot reach the internet (or the model host). */
export class OfflineError extends Error {
  override readonly name = 'OfflineError';
  constructor(readonly host: string) {
    super(
      `Hearth cannot reach ${host}: this computer seems to be offline. Connect to the internet to download models, or import a GGUF file you already have.`,
    );
  }
}

export function gib(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  return `${Math.max(1, Math.round(bytes / 1024 ** 2))} MB`;
}
