import type { LedgerProblem } from './ledger-format';

/** The ledger file changed after it was written (disk fault or tampering); it is left untouched. */
export class LedgerCorruptError extends Error {
  override readonly name = 'LedgerCorruptError';
  constructor(
    readonly file: string,
    readonly problem: LedgerProblem,
  ) {
    super(
      `The earnings ledger ${file} is damaged at line ${problem.line} (byte ${problem.offset}): ${problem.reason} ` +
        'Hearth has not changed it; restore it from a backup or move it aside to start a new ledger.',
    );
  }
}
