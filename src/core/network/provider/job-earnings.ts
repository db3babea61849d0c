import type { SignedChequeJson } from '../../chain/cheque';
import type { JobPayments } from '../../chain/job-payments';
import type { Logger } from '../../log';
import type { MessageStream } from '../protocol/message-stream';
import {
  ProtocolError,
  type BatchMessage,
  type RequesterMessage,
  type RequesterMessageSchema,
} from '../protocol/messages';
import { DEFAULT_MAX_UNPAID_JOBS } from '../rewards/batch-rules';
import type { ReceiptCollector, SettleMessage } from '../rewards/receipt-collector';
import { HeldJobs, type HeldJob } from './held-jobs';
import { UnpaidJobs, type UnpaidJobsJson } from './unpaid-jobs';

type RequesterStream = MessageStream<typeof RequesterMessageSchema>;

/** A served job and its place in its requester's unpaid count. */
export type OwedJob = Pick<HeldJob, 'served' | 'owed'>;

/** A job's place in the unpaid count from the moment it starts: settle it once. */
export type OwedSlot = ReturnType<UnpaidJobs['open']>;

export interface JobEarningsInit {
  /** Takes receipts for served jobs; absent: the provider serves without asking to be paid. */
  receipts?: ReceiptCollector;
  /** Escrow cheques that come with receipts (src/core/chain); absent: no chain is configured. */
  payments?: JobPayments;
  /**
   * With receipts: how many jobs one requester may have unpaid (running, awaiting its receipt,
   * or never paid) before it is refused. Read at every request. Default 3.
   */
  maxUnpaidJobs?: () => number;
  /** Unpaid counts per requester saved by an earlier run (`<data>/network/unpaid.json`). */
  unpaid?: { saved: UnpaidJobsJson; onChange: (state: UnpaidJobsJson) => void };
  /** How long after `done` the requester has to send its receipt (it may audit first). */
  receiptMs: number;
  /** How long a job whose receipt the requester holds in a batch stays pending. */
  heldMs: number;
  log: Logger;
}

/**
 * How the provider gets paid for the jobs it served: the unpaid count per requester (which
 * refuses one that does not pay), the receipt (and cheque) on the job's own stream, jobs held
 * until their batch is released, forfeited or too old, and batches on `/hearth/settle/1.0.0`.
 */
export class JobEarnings {
  private readonly _unpaid: UnpaidJobs;
  private readonly _held: HeldJobs;

  constructor(private readonly _init: JobEarningsInit) {
    const saving = _init.unpaid;
    this._unpaid = new UnpaidJobs(_init.maxUnpaidJobs ?? (() => DEFAULT_MAX_UNPAID_JOBS), 10, () =>
      saving?.onChange(this._unpaid.toJSON()),
    );
    if (saving) this._unpaid.load(saving.saved);
    this._held = new HeldJobs(_init.heldMs, (job) => void this._expire(job, 'waited too long'));
  }

  /** True when served jobs are to be paid (the node collects receipts). */
  get collecting(): boolean {
    return this._init.receipts !== undefined;
  }

  /** How many unpaid jobs this requester may have with this provider (grows with what it paid). */
  allowance(requester: string): number {
    return this._unpaid.allowance(requester);
  }

  /** Jobs this requester has not paid for (running and awaiting receipts included). */
  owed(requester: string): number {
    return this._unpaid.owed(requester);
  }

  /** Why this requester may not be served another job now (too much unpaid), or null. */
  unpaidRefusal(requester: string): string | null {
    if (!this.collecting || this._unpaid.mayServe(requester)) return null;
    return `This provider served you ${this._unpaid.owed(requester)} jobs that are not paid yet (it allows you ${this._unpaid.allowance(requester)}); it serves you again once their receipts arrive.`;
  }

  /** A job for this requester starts: counted unpaid until it is settled; null when not collecting. */
  open(requester: string): OwedSlot | null {
    return this.collecting ? this._unpaid.open(requester) : null;
  }

  /**
   * After `done`: waits for the requester's receipt (the job slot is already free) and records
   * it; or keeps the job pending when the requester holds its receipt in a batch; or settles the
   * whole batch this job closed.
   */
  async collect(
    messages: RequesterStream,
    job: OwedJob,
    settlement: Promise<SettleMessage | null>,
    listening: AbortController,
  ): Promise<void> {
    const receipts = this._init.receipts!;
    const timer = setTimeout(() => listening.abort(), this._init.receiptMs);
    // The ledger records the job while the requester settles; the stream is closed as soon as
    // its message is in, so a slow ledger never holds streams open (a requester paying from a
    // batch sends jobs faster than the ledger writes).
    const recorded = receipts.served(job.served);
    let message: SettleMessage | null;
    try {
      message = await settlement;
    } finally {
      clearTimeout(timer);
      listening.abort();
      await messages.close();
    }
    await recorded;
    if (message?.t === 'held') {
      // Stays pending (and unpaid) until its batch is released, forfeited or too old.
      if (message.jobId === job.served.jobId) this._held.add({ ...job, batch: message.batch });
      else await this._settleOne(job, null);
    } else if (message?.t === 'batch') await this._settleBatch(job.served.requester, message, job);
    else await this._settleOne(job, message);
  }

  /** `/hearth/settle/1.0.0`: one batch message from a requester that stops or whose batch grew old. */
  async serveSettleStream(first: RequesterMessage, _messages: RequesterStream, peer: string): Promise<void> {
    if (first.t !== 'batch') throw new ProtocolError('The settle stream carries one batch.');
    // The inbound handler closes the stream after this: its end is the requester's acknowledgement.
    await this._settleBatch(peer, first);
  }

  /** The provider stops: every held job is voided, as if it had waited too long. */
  async stop(): Promise<void> {
    await Promise.all(this._held.drain().map((job) => this._expire(job, 'this provider stopped first')));
  }

  private async _expire(job: HeldJob, why: string): Promise<void> {
    job.owed.unpaid();
    await this._init.receipts
      ?.expire(job.served, `The requester held this job's receipt in batch ${job.batch} and never sent it (${why}).`)
      // The ledger logs its own write failures; the job is counted unpaid either way.
      .catch(() => undefined);
  }

  private async _settleOne(job: OwedJob, message: Parameters<ReceiptCollector['settle']>[1]): Promise<void> {
    const earned = await this._init.receipts!.settle(job.served, message).catch(() => false);
    if (earned && message?.t === 'receipt' && message.cheque && this._init.payments) {
      await this._init.payments
        .acceptCheque(message.cheque as SignedChequeJson, BigInt(message.receipt.price))
        .catch((error: unknown) =>
          this._init.log.warn({
            event: 'network-cheque-refused',
            requester: job.served.requester,
            reason: (error as Error).message,
          }),
        );
    }
    if (earned) job.owed.paid();
    else job.owed.unpaid();
  }

  /**
   * Settles a batch from `requester`: each receipt or `withheld` must name a job this provider
   * served that peer and still holds (or `current`, the job whose stream carries the batch);
   * anything else, a repeat included, is ignored.
   */
  private async _settleBatch(requester: string, batch: BatchMessage, current?: OwedJob): Promise<void> {
    let currentSettled = false;
    let strangers = 0;
    const find = (jobId: string) => {
      if (current && !currentSettled && jobId === current.served.jobId) {
        currentSettled = true;
        return current;
      }
      return this._held.take(requester, jobId);
    };
    for (const message of [...batch.receipts, ...batch.withheld]) {
      const job = find(message.t === 'receipt' ? message.receipt.jobId : message.jobId);
      if (job) await this._settleOne(job, message);
      else strangers++;
    }
    if (strangers > 0)
      this._init.log.warn({ event: 'network-batch-strangers', requester, batch: batch.batch, strangers });
    if (current && !currentSettled) await this._settleOne(current, null);
  }
}
