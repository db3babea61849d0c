import { peerIdFromString } from '@libp2p/peer-id';
import type { JobPaymentReservation, JobPayments } from '../../chain/job-payments';
import type { Logger } from '../../log';
import type { HearthLibp2p } from '../node/create-node';
import { SETTLE_PROTOCOL } from '../protocol/ids';
import { MessageStream } from '../protocol/message-stream';
import { ProviderMessageSchema, type BatchMessage, type RequesterMessage } from '../protocol/messages';
import { receiptToJson } from '../receipts';
import type { FinishedNetworkJob, JobSettler } from '../rewards/job-settler';
import { jobPrice } from '../rewards/price';
import { UNSETTLED, type Settlement } from '../rewards/settlement';
import type { ProviderStream } from './job-stream';
import { SettleBatches } from './settle-batches';

/** What paying needs of the node: dialling a provider's settle stream. */
export type JobPaymentComponents = Pick<HearthLibp2p, 'dialProtocol'>;

export interface JobPaymentInit {
  /** Audits, receipts and reputation; absent: jobs are neither audited nor paid. */
  settler?: JobSettler;
  /** Escrow cheques with each receipt (src/core/chain); absent: no chain is configured. */
  payments?: JobPayments;
  dialMs: number;
  /** How long the provider has to acknowledge a batch on the settle stream. */
  answerMs: number;
  /** Longest the audit and signing of one finished job may take. */
  settleMs: number;
  /** An open batch of held receipts older than this is released on the settle stream. */
  batchMaxAgeMs: number;
  log: Logger;
}

/** The payment side of one job sent to one provider, from before it is sent until it is settled. */
export interface JobBill {
  /** The escrow payer named in the request, when a cheque will pay this job. */
  payer: string | undefined;
  /** Audits (maybe) and pays (maybe) the finished job on its own stream, then closes it. */
  settle(messages: ProviderStream, job: FinishedNetworkJob): Promise<Settlement>;
  /** The job failed before `done`: nothing is owed and the reservations end. */
  cancel(): void;
}

/**
 * How the requester pays for jobs: its spending limit, the escrow reservation and cheque (with a
 * chain), the receipt on the job's own stream, or the receipt held in a proven provider's open
 * batch (SettleBatches) and released on `/hearth/settle/1.0.0`. Whether a job is paid at all is
 * the JobSettler's audit to decide.
 */
export class JobPayment {
  /** Held receipts of proven providers (absent without a settler). */
  private readonly _batches: SettleBatches | undefined;

  constructor(
    private readonly _node: JobPaymentComponents,
    private readonly _init: JobPaymentInit,
  ) {
    const { settler } = _init;
    this._batches = settler
      ? new SettleBatches({
          settler,
          send: (provider, message) => this._sendSettle(provider, message),
          maxAgeMs: _init.batchMaxAgeMs,
          log: _init.log,
        })
      : undefined;
  }

  /**
   * Reserves a job's most cost against the spending limit; throws SpendLimitError when it does
   * not fit. Call the returned function with what was paid once the job ends.
   */
  reserveSpending(pricePer1000Tokens: number, maxTokens: number): (spent: bigint) => void {
    return this._init.settler?.reserve(pricePer1000Tokens, maxTokens) ?? (() => undefined);
  }

  /** True when this requester holds receipts for the provider in an open batch. */
  holdsBatch(provider: string): boolean {
    return this._batches?.has(provider) ?? false;
  }

  /** Releases the open batch of one provider, or of every provider (before the node stops). */
  async releaseBatches(provider?: string): Promise<void> {
    await this._batches?.flush(provider);
  }

  /**
   * Opens the bill of a job about to be sent: with a chain, the most it can cost is set aside
   * from the deposit first; the job counts as running with the provider until it is settled.
   */
  async open(
    provider: string,
    pricePer1000Tokens: number,
    maxTokens: number,
    spent: (amount: bigint) => void,
  ): Promise<JobBill> {
    const payments = this._init.payments;
    const reservation =
      pricePer1000Tokens > 0 ? await payments?.reserve(jobPrice(pricePer1000Tokens, maxTokens)) : undefined;
    const ended = this._batches?.started(provider) ?? (() => undefined);
    return {
      payer: reservation && payments ? payments.payer : undefined,
      settle: (messages, job) => {
        const settlement = this._settle(messages, job, reservation, spent);
        // Settlement errors reach the caller through `settlement`; this only ends the batch slot.
        void settlement.finally(ended).catch(() => undefined);
        return settlement;
      },
      cancel: () => {
        ended();
        reservation?.release();
      },
    };
  }

  /**
   * A proven provider's passing job is held in its open batch (`held`, or the whole batch when
   * this job fills it); a failed audit forfeits that batch. Jobs on probation are paid one by one.
   */
  private async _settle(
    messages: ProviderStream,
    job: FinishedNetworkJob,
    reservation: JobPaymentReservation | undefined,
    spent: (amount: bigint) => void,
  ): Promise<Settlement> {
    const settler = this._init.settler;
    const batches = this._batches;
    let handedOver = false;
    try {
      if (!settler || !batches) {
        spent(0n);
        return UNSETTLED;
      }
      const { provider } = job;
      const hold = settler.batches(provider);
      const settlement = await settler.settle(job, { signal: AbortSignal.timeout(this._init.settleMs), hold });
      const jobId = job.request.jobId;
      let message: RequesterMessage;
      if (settlement.receipt && hold) {
        handedOver = true;
        message = await batches.hold(provider, { jobId, receipt: settlement.receipt, reservation, spent });
        if (message.t === 'held') settlement.held = message.batch;
      } else if (settlement.receipt) {
        // The cheque goes with the receipt and only then: a failed audit means no cheque.
        const { receipt } = settlement.receipt;
        const cheque = reservation ? await reservation.cheque(receipt.provider, receipt.price) : undefined;
        await settler.release(provider, settlement.receipt, { held: false });
        spent(receipt.price);
        message = {
          t: 'receipt',
          receipt: receiptToJson(receipt),
          signature: settlement.receipt.signature,
          binding: settler.binding,
          ...(cheque ? { cheque } : {}),
        };
      } else {
        spent(0n);
        const reason = (settlement.withheld ?? '').slice(0, 500);
        const audited = settlement.audit === 'failed';
        // A failure one third party alone reported withholds this job only: a lying auditor must not cost a whole batch.
        const forfeits = audited && !settlement.unconfirmed;
        message = (forfeits ? batches.forfeit(provider, { jobId, reason: reason.slice(0, 200) }) : null) ?? {
          t: 'withheld',
          jobId,
          reason,
          audited,
        };
      }
      // The provider may already be gone; the receipt stays valid in our ledger either way.
      await messages.write(message, this._init.dialMs).catch(() => undefined);
      return settlement;
    } catch (error) {
      spent(0n);
      throw error;
    } finally {
      if (!handedOver) reservation?.release();
      await messages.close();
    }
  }

  /** Delivers a batch outside any job: one message on `/hearth/settle/1.0.0`, then close. */
  private async _sendSettle(provider: string, message: BatchMessage): Promise<void> {
    const stream = await this._node.dialProtocol(peerIdFromString(provider), SETTLE_PROTOCOL, {
      signal: AbortSignal.timeout(this._init.dialMs),
    });
    const messages = new MessageStream(stream, ProviderMessageSchema);
    try {
      await messages.write(message, this._init.dialMs);
      await stream.close({ signal: AbortSignal.timeout(this._init.dialMs) });
      // The provider closes its side once the batch is recorded: the end of the stream is the
      // acknowledgement, so a job sent next is counted against the settled balance.
      await messages.read(this._init.answerMs).catch(() => undefined);
    } finally {
      await messages.close();
    }
  }
}
