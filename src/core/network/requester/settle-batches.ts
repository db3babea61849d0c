import { randomBytes } from 'node:crypto';
import type { JobPaymentReservation } from '../../chain/job-payments';
import type { Logger } from '../../log';
import type { BatchMessage, HeldMessageSchema, ReceiptMessage } from '../protocol/messages';
import type * as v from 'valibot';
import { receiptToJson, type SignedReceipt } from '../receipts';
import { DEFAULT_MAX_UNPAID_JOBS, unpaidAllowance } from '../rewards/batch-rules';
import type { JobSettler } from '../rewards/job-settler';

/** A job whose receipt waits in an open batch. */
export interface HeldJob {
  jobId: string;
  receipt: SignedReceipt;
  /** The escrow reservation that pays it with a cheque on release (with a chain). */
  reservation?: JobPaymentReservation;
  /** Ends the job's spending reservation with what was paid. */
  spent: (amount: bigint) => void;
}

interface OpenBatch {
  id: string;
  jobs: HeldJob[];
  timer: NodeJS.Timeout;
}

export interface SettleBatchesInit {
  settler: JobSettler;
  /** Delivers a batch outside any job (`/hearth/settle/1.0.0`). */
  send: (provider: string, message: BatchMessage) => Promise<void>;
  /** A batch older than this is released on the settle stream. Default 10 min. */
  maxAgeMs?: number;
  log: Logger;
}

export type HeldMessage = v.InferOutput<typeof HeldMessageSchema>;

/**
 * The requester's open batches, one per proven provider: receipts held until the batch is full
 * (then released together), forfeited whole when a job in it fails an audit. A batch never grows
 * past what the provider allows this requester unpaid (the same rule the provider applies), less
 * the jobs still running there, so an honest requester is never refused for its own batch.
 */
export class SettleBatches {
  private readonly _open = new Map<string, OpenBatch>();
  private readonly _inFlight = new Map<string, number>();

  constructor(private readonly _init: SettleBatchesInit) {}

  /** A job was sent to this provider; call the returned function once it is settled or failed. */
  started(provider: string): () => void {
    this._inFlight.set(provider, (this._inFlight.get(provider) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this._inFlight.set(provider, (this._inFlight.get(provider) ?? 1) - 1);
    };
  }

  has(provider: string): boolean {
    return this._open.has(provider);
  }

  /**
   * True when the batch must be released now: it is full, or the provider would refuse this
   * requester's next job (held receipts plus jobs still running there reach its allowance).
   */
  private _full(provider: string, held: number): boolean {
    const allowance = unpaidAllowance(DEFAULT_MAX_UNPAID_JOBS, this._init.settler.paidJobs(provider));
    // The job being settled is held and still counted as running until its settlement ends.
    const othersRunning = Math.max(0, (this._inFlight.get(provider) ?? 0) - 1);
    return held >= this._init.settler.batchJobs || held + othersRunning + 1 >= allowance;
  }

  /**
   * Holds a passing job's receipt. Returns the message for the job's own stream: `held`, or the
   * whole batch when this job fills it.
   */
  async hold(provider: string, job: HeldJob): Promise<HeldMessage | BatchMessage> {
    let batch = this._open.get(provider);
    if (!batch) {
      const id = randomBytes(9).toString('base64url');
      const timer = setTimeout(() => void this.flush(provider), this._init.maxAgeMs ?? 600_000);
      timer.unref();
      batch = { id, jobs: [], timer };
      this._open.set(provider, batch);
    }
    batch.jobs.push(job);
    if (this._full(provider, batch.jobs.length)) return this._release(provider);
    return { t: 'held', jobId: job.jobId, batch: batch.id };
  }

  /**
   * Forfeits the open batch: no receipt, no cheque, no ledger entry for any job in it. Returns
   * the message telling the provider, `failing` (the job that failed its audit) included.
   */
  forfeit(provider: string, failing: { jobId: string; reason: string }): BatchMessage | null {
    const batch = this._take(provider);
    if (!batch) return null;
    const ids = batch.jobs.map((j) => j.jobId);
    for (const job of batch.jobs) {
      job.reservation?.release();
      job.spent(0n);
    }
    this._init.log.warn({ event: 'network-batch-forfeited', provider, batch: batch.id, jobs: ids.length + 1 });
    const reason = `Batch ${batch.id} was forfeited: job ${failing.jobId} failed its audit (${failing.reason})`;
    const named = `${reason}. Forfeited jobs: ${[failing.jobId, ...ids].join(', ')}.`;
    return {
      t: 'batch',
      batch: batch.id,
      receipts: [],
      withheld: [failing.jobId, ...ids].map((jobId) => ({
        t: 'withheld' as const,
        jobId,
        reason: named.slice(0, 500),
        audited: true,
      })),
    };
  }

  /** Releases every open batch on the settle stream (the node stops), or only this provider's. */
  async flush(provider?: string): Promise<void> {
    const providers = provider ? [provider] : [...this._open.keys()];
    await Promise.allSettled(
      providers.map(async (p) => {
        if (!this._open.has(p)) return;
        const message = await this._release(p);
        await this._init.send(p, message).catch((error: unknown) =>
          // The receipts are in our ledger either way; the provider voids them after its wait.
          this._init.log.warn({ event: 'network-batch-undelivered', provider: p, reason: (error as Error).message }),
        );
      }),
    );
  }

  private _take(provider: string): OpenBatch | undefined {
    const batch = this._open.get(provider);
    if (!batch) return undefined;
    this._open.delete(provider);
    clearTimeout(batch.timer);
    return batch;
  }

  /** Records every held receipt (ledger, paid history), with cheques in order, and ends reservations. */
  private async _release(provider: string): Promise<BatchMessage> {
    const batch = this._take(provider)!;
    const settler = this._init.settler;
    const receipts: ReceiptMessage[] = [];
    for (const job of batch.jobs) {
      try {
        await settler.release(provider, job.receipt, { held: true });
        const { receipt, signature } = job.receipt;
        const cheque = job.reservation ? await job.reservation.cheque(receipt.provider, receipt.price) : undefined;
        receipts.push({
          t: 'receipt',
          receipt: receiptToJson(receipt),
          signature,
          binding: settler.binding,
          ...(cheque ? { cheque } : {}),
        });
        job.spent(receipt.price);
      } catch (error) {
        this._init.log.warn({
          event: 'network-batch-receipt-failed',
          jobId: job.jobId,
          reason: (error as Error).message,
        });
        job.spent(0n);
      } finally {
        job.reservation?.release();
      }
    }
    return { t: 'batch', batch: batch.id, receipts, withheld: [] };
  }
}
