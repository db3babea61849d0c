import type { LedgerProblem } from './ledger-problem';

/**
 * The ledger file is damaged (changed, cut, rolled back or not this node's): Hearth writes
 * nothing to it and serves no jobs until the user sets it aside. The file is left as it was.
 */
export class LedgerCorruptError extends Error {
  override readonly name = 'LedgerCorruptError';
  constructor(
    readonly file: string,
    readonly problems: readonly LedgerProblem[],
  ) {
    const first = problems[0];
    const where = first?.line ? `line ${first.line}: ` : '';
    super(
      `The earnings ledger ${file} is damaged (${problems.length} problem${problems.length === 1 ? '' : 's'}; first, ${where}${first?.reason ?? 'unknown'}). ` +
        'Hearth stopped writing it and serves no jobs until you decide; the file is kept as it is. ' +
        'To go on, keep it aside and start a new ledger: Contribute > Earnings, or `hearth ledger set-aside`.',
    );
  }
}
