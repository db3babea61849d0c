import type { AuditFailure } from '../audit';
import type { SignedReceipt } from '../receipts';

/**
 * How a requester settled one finished job. `passed`: sampled, audited and passed; `failed`:
 * audited and failed (no receipt); `not-sampled`: paid without an audit; `unavailable`: sampled,
 * but this node could not audit it (no copy of the model, or the auditor's own limit), so paid
 * unaudited and the provider's record unchanged; `note` says why.
 */
export interface Settlement {
  audit: 'passed' | 'failed' | 'not-sampled' | 'unavailable';
  /** Whether the job was a canary (a prompt whose answer the requester already knew). */
  canary: boolean;
  failures: AuditFailure[];
  /** Why a sampled job was not audited, or who audited it for this node (third parties). */
  note?: string;
  /** Third parties that re-scored the job (peer ids, in the order asked); absent for local audits. */
  auditors?: string[];
  /**
   * The failure came from one third party that no second one confirmed: this job is not paid,
   * but it forfeits no batch and counts toward no ban (a lone auditor may be lying).
   */
  unconfirmed?: boolean;
  /** The receipt sent to the provider; null when payment was withheld. */
  receipt: SignedReceipt | null;
  /** Why no receipt was sent. */
  withheld: string | null;
  /**
   * The receipt is held in this open batch for the provider (docs/NETWORK.md "Settling in
   * batches"): it is paid when the batch is released and never if a job in it fails an audit.
   */
  held?: string;
}

export const UNSETTLED: Settlement = {
  audit: 'not-sampled',
  canary: false,
  failures: [],
  receipt: null,
  withheld: 'This node does not sign receipts.',
};
