import type { LedgerEntry } from './ledger-entry';

/**
 * What makes an entry a repeat: the same receipt (digest), the same requester nonce, a second
 * receipt of one kind for a job, a second `pending` for a job, or a `voided` for a job that is
 * not pending. The same rules refuse an append and, on open, mark a stored repeat as invalid,
 * so a receipt copied ten times into the file counts once.
 */
export class LedgerIndex {
  private readonly _keys = new Set<string>();
  private readonly _pending = new Map<string, bigint>();

  refusal(entry: LedgerEntry): string | null {
    switch (entry.kind) {
      case 'earned':
      case 'spent': {
        if (this._keys.has(`digest:${entry.digest.toLowerCase()}`)) return 'this receipt is already in the ledger.';
        if (this._keys.has(`nonce:${entry.receipt.requester.toLowerCase()}:${entry.receipt.nonce}`)) {
          return 'the requester already used this nonce (a replayed receipt).';
        }
        if (this._keys.has(`${entry.kind}:${entry.jobId}`)) return `the job already has an ${entry.kind} receipt.`;
        return null;
      }
      case 'pending':
        return this._keys.has(`job:${entry.jobId}`) ? 'the job is already recorded.' : null;
      case 'voided':
        return this._pending.has(entry.jobId) ? null : 'only a pending job can be voided.';
    }
  }

  add(entry: LedgerEntry): void {
    this._keys.add(`job:${entry.jobId}`);
    if (entry.kind === 'pending') this._pending.set(entry.jobId, BigInt(entry.amount));
    else this._pending.delete(entry.jobId);
    if (entry.kind === 'earned' || entry.kind === 'spent') {
      this._keys.add(`digest:${entry.digest.toLowerCase()}`);
      this._keys.add(`nonce:${entry.receipt.requester.toLowerCase()}:${entry.receipt.nonce}`);
      this._keys.add(`${entry.kind}:${entry.jobId}`);
    }
  }
}
