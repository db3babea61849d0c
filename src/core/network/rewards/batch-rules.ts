import { MAX_BATCH_JOBS } from '../protocol/messages';

/**
 * How many of a proven provider's jobs a requester settles together, from the audit share `p`:
 * one failed audit forfeits the open batch, so a cheat caught costs the batch (`B` jobs' pay)
 * against the `(1 - p) / p` cheated jobs paid per catch. `B = floor((1 - p) / p) + 1` is the
 * smallest batch with `p x B x c > (1 - p) x c`: 10 at the default share 0.1, 1 at a share of
 * 1 (every job audited: nothing to hold). Capped at what one batch message may carry.
 */
export function batchJobsFor(share: number): number {
  if (!(share > 0)) return MAX_BATCH_JOBS;
  const jobs = Math.floor((1 - share) / share + 1e-9) + 1;
  return Math.max(1, Math.min(MAX_BATCH_JOBS, jobs));
}

/** What a provider keeps across restarts of each requester's unpaid jobs, per peer id (`<data>/network/unpaid.json`). */
export type UnpaidJobsJson = Record<string, { unpaid: number; paid: number; paidSinceForgiven?: number }>;

/** What an auditor keeps across restarts: audits reported and not paid, per requester peer id (`<data>/network/unpaid-audits.json`). */
export type UnpaidAuditsJson = Record<string, number>;

/** Unpaid jobs a stranger may have with a provider before it is refused (settings can lower or raise it). */
export const DEFAULT_MAX_UNPAID_JOBS = 3;

/** Paid jobs that earn a requester one more unpaid job with a provider. */
export const PAID_JOBS_PER_UNPAID = 10;

/**
 * How many unpaid jobs (running, held in a batch or never paid) a provider allows a requester:
 * the configured base for a stranger, growing by one per PAID_JOBS_PER_UNPAID jobs it paid,
 * capped so that no history buys more than one full batch beyond the base. A fresh identity
 * gets exactly `base`; a requester can only hold as many receipts as it has paid for before.
 * The requester uses the same rule to size its batches, so it is never refused for them.
 */
export function unpaidAllowance(base: number, paid: number): number {
  const earned = Math.floor(Math.max(0, paid) / PAID_JOBS_PER_UNPAID);
  return base + Math.min(earned, MAX_BATCH_JOBS);
}
