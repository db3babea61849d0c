import type { ReceiptRow } from '../../../../../shared/contract/rewards';

/**
 * One row per job: a job's "pending" entry (work delivered, receipt awaited) is superseded by
 * its signed "earned" or "voided" entry, so it is dropped once that exists.
 */
export function oneRowPerJob(rows: readonly ReceiptRow[]): ReceiptRow[] {
  const settled = new Set(rows.filter((r) => r.kind === 'earned' || r.kind === 'voided').map((r) => r.jobId));
  return rows.filter((r) => r.kind !== 'pending' || !settled.has(r.jobId));
}
