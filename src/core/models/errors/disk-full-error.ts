import { gib } from './gib';

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
