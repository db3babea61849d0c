import type { LocalAccount } from 'viem';
import type { Logger } from '../../log';
import type { Ledger, LedgerEntry } from '../ledger';
import type { RequesterMessage } from '../protocol/messages';
import type { Hex } from 'viem';
import {
  receiptFromJson,
  verifyReceipt,
  verifyWalletBinding,
  type ReceiptJson,
  type SignedReceipt,
  type WalletBinding,
} from '../receipts';
import { jobPrice } from './price';

/** A job this provider finished and reported `done` for. */
export interface ServedJob {
  jobId: string;
  /** The requester's peer id (the connection's remote peer). */
  requester: string;
  model: string;
  /** Price per 1000 output tokens the request offered. */
  price: number;
  outputTokens: number;
}

/** What a requester sends after `done`: a receipt, `withheld`, `held` (in a batch) or a whole batch. */
export type SettleMessage = Extract<RequesterMessage, { t: 'receipt' | 'withheld' | 'held' | 'batch' }>;

/** What settles one job: its receipt or `withheld`. */
export type JobSettleMessage = Extract<RequesterMessage, { t: 'receipt' | 'withheld' }>;

export interface ReceiptCollectorInit {
  wallet: LocalAccount;
  binding: WalletBinding;
  ledger: Ledger;
  onEntry: (entry: LedgerEntry) => void;
  log: Logger;
}

/** How far a receipt's time may be from this machine's clock. */
const CLOCK_SKEW_S = 15 * 60;

/**
 * The provider's side of rewards: records each served job as pending, then checks the receipt
 * the requester sends (signature, the requester's wallet bound to the peer on the connection,
 * and that it pays this wallet for exactly the job served) and records it as earned. A job
 * without a valid receipt is voided with the reason, so the earnings view shows why. A job whose
 * receipt the requester holds in a batch stays pending until the batch comes or is forfeited.
 */
export class ReceiptCollector {
  constructor(private readonly _init: ReceiptCollectorInit) {}

  get binding(): WalletBinding {
    return this._init.binding;
  }

  async served(job: ServedJob): Promise<void> {
    await this._append({ kind: 'pending', jobId: job.jobId, amount: jobPrice(job.price, job.outputTokens).toString() });
  }

  /** Settles a served job from the requester's message (null: none came). True when earned. */
  async settle(job: ServedJob, message: JobSettleMessage | null): Promise<boolean> {
    if (!message) return this._void(job, 'No receipt arrived for the job.', false);
    if (message.t === 'withheld')
      return this._void(job, `The requester withheld payment: ${message.reason}`, message.audited);
    // The schema checked every field's shape; the casts only name the 0x-prefixed types.
    const signed: SignedReceipt = {
      receipt: receiptFromJson(message.receipt as ReceiptJson),
      signature: message.signature as Hex,
    };
    const problem = await this._problem(job, signed, message.binding as WalletBinding);
    if (problem) {
      this._init.log.warn({ event: 'network-receipt-refused', requester: job.requester, reason: problem });
      return this._void(job, `The receipt was refused: ${problem}`, false);
    }
    try {
      this._init.onEntry(await this._init.ledger.appendReceipt('earned', signed, message.binding as WalletBinding));
      return true;
    } catch (error) {
      return this._void(job, `The receipt was refused: ${(error as Error).message}`, false);
    }
  }

  private async _problem(
    job: ServedJob,
    { receipt, signature }: SignedReceipt,
    binding: WalletBinding,
  ): Promise<string | null> {
    if (receipt.jobId !== job.jobId) return 'it names another job.';
    if (receipt.provider.toLowerCase() !== this._init.wallet.address.toLowerCase()) return 'it pays another wallet.';
    if (receipt.modelHash.toLowerCase() !== `0x${job.model}`) return 'it names another model.';
    if (receipt.outputTokens !== job.outputTokens)
      return `it counts ${receipt.outputTokens} tokens, not ${job.outputTokens}.`;
    if (receipt.price < jobPrice(job.price, job.outputTokens)) return 'it pays less than the job offered.';
    if (Math.abs(Number(receipt.time) - Date.now() / 1000) > CLOCK_SKEW_S) return 'its time is far from this clock.';
    if (binding.peerId !== job.requester || binding.wallet.toLowerCase() !== receipt.requester.toLowerCase()) {
      return 'the signing wallet is not bound to the requesting peer.';
    }
    if (!(await verifyWalletBinding(binding))) return 'the wallet binding does not verify.';
    if (!(await verifyReceipt({ receipt, signature }))) return 'the signature does not verify.';
    return null;
  }

  /**
   * A job the requester held in a batch and never settled: voided with the reason once the
   * provider stops waiting for it.
   */
  async expire(job: ServedJob, reason: string): Promise<false> {
    return this._void(job, reason, false);
  }

  private async _void(job: ServedJob, reason: string, audited: boolean): Promise<false> {
    await this._append({ kind: 'voided', jobId: job.jobId, reason: reason.slice(0, 500), audited });
    return false;
  }

  private async _append(entry: Parameters<Ledger['append']>[0]): Promise<void> {
    try {
      this._init.onEntry(await this._init.ledger.append(entry));
    } catch (error) {
      this._init.log.warn({
        event: 'network-ledger-append-failed',
        jobId: entry.jobId,
        reason: (error as Error).message,
      });
    }
  }
}
