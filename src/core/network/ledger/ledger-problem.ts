/**
 * What is wrong with one part of a ledger file. Every kind but `torn-tail` is damage: the ledger
 * is not written and the node does not serve until the user decides what to do with the file.
 */
export type LedgerProblemKind =
  /** Not a signed Hearth ledger, or signed by another wallet than this node's. */
  | 'bad-header'
  /** The last line is unfinished: an append cut short by a crash, never a committed entry. */
  | 'torn-tail'
  /** The line is not a ledger line (framing, UTF-8, JSON or entry shape). */
  | 'malformed'
  /** The entry does not match its hash: it was changed after it was written. */
  | 'changed'
  /** The line's signature is not this node's: written or re-chained by someone else. */
  | 'not-signed'
  /** Entries are missing before this line: they were deleted. */
  | 'missing'
  /** A signed line that does not follow the one before it, or comes again. */
  | 'out-of-place'
  /** The receipt inside fails its own checks (requester signature, wallet, binding, digest). */
  | 'bad-receipt'
  /** A second copy of a receipt, nonce or job already counted. */
  | 'duplicate'
  /** A void for a job that was never pending. */
  | 'inconsistent'
  /** The file ends before, or differs from, the last entry this node signed (its head record). */
  | 'rolled-back'
  /** The signed head record is missing, unreadable or not this node's. */
  | 'head';

export interface LedgerProblem {
  kind: LedgerProblemKind;
  /** 1-based line number in the file (the header is line 1); null for the head record. */
  line: number | null;
  seq: number | null;
  jobId: string | null;
  reason: string;
}
