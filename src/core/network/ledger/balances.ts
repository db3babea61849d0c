import type { LedgerEntry } from './ledger-entry';

export interface LedgerBalances {
  /** Micro-credits (1e-6 credit), as decimal strings so no precision is lost crossing JSON. */
  earned: string;
  spent: string;
  pending: string;
  balance: string;
}

/** Balances derived from entries: nothing else is stored, so they cannot drift from the chain. */
export function balancesOf(entries: readonly LedgerEntry[]): LedgerBalances {
  let earned = 0n;
  let spent = 0n;
  const pending = new Map<string, bigint>();
  for (const entry of entries) {
    if (entry.kind === 'earned') earned += BigInt(entry.receipt.price);
    else if (entry.kind === 'spent') spent += BigInt(entry.receipt.price);
    if (entry.kind === 'pending') pending.set(entry.jobId, BigInt(entry.amount));
    else pending.delete(entry.jobId);
  }
  const pendingSum = [...pending.values()].reduce((sum, amount) => sum + amount, 0n);
  return {
    earned: earned.toString(),
    spent: spent.toString(),
    pending: pendingSum.toString(),
    balance: (earned - spent).toString(),
  };
}
