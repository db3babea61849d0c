/** A migration of the data folder failed; the part was restored from its backup. */
export class DataMigrationError extends Error {
  override readonly name = 'DataMigrationError';
  constructor(
    readonly part: string,
    readonly from: number,
    readonly backup: string,
    override readonly cause: unknown,
  ) {
    super(
      `Hearth could not upgrade your ${part} from format ${from} (${cause instanceof Error ? cause.message : String(cause)}). ` +
        `Your data was restored from the backup in ${backup}; this version of Hearth cannot open it until the problem is fixed.`,
    );
  }
}
