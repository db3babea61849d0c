import type { Address } from 'viem';
import type { SignedChequeJson } from './cheque';
import type { CreditVerdict } from './credit-check';

/**
 * What the network's requester and provider need from the chain, in the receipts' unit
 * (micro-credits). ChainPayments implements it; the network holds it only when a chain is
 * configured, so without one no hook below ever runs.
 */
export interface JobPayments {
  /** The wallet that pays for this node's jobs (sent in each request for the provider's credit check). */
  readonly payer: Address;
  /** Requester: sets aside the most a job may cost; throws DepositExhaustedError when the deposit cannot. */
  reserve(maxMicroCredits: bigint): Promise<JobPaymentReservation>;
  /** Provider: does `payer`'s deposit cover a job that may cost `maxMicroCredits`? */
  credit(payer: Address, maxMicroCredits: bigint): Promise<CreditVerdict>;
  /** Provider: keeps the cheque that came with a valid receipt worth `microCredits`; throws if it pays less. */
  acceptCheque(cheque: SignedChequeJson, microCredits: bigint): Promise<void>;
}

export interface JobPaymentReservation {
  /** Signs the cumulative cheque for `provider` that adds this job's `microCredits`. */
  cheque(provider: Address, microCredits: bigint): Promise<SignedChequeJson>;
  /** The job ended unpaid (failed, cancelled or its audit failed). */
  release(): void;
}
