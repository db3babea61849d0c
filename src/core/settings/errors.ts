/** The data folder was written by a newer Hearth; this one refuses to touch it. */
export class DataVersionError extends Error {
  override readonly name = 'DataVersionError';
  constructor(
    readonly file: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `${file} was written by a newer version of Hearth (format ${found}; this version reads up to ${supported}). ` +
        'Update Hearth to open this data folder; nothing has been changed.',
    );
  }
}
