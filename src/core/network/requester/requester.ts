import { randomBytes, randomInt } from 'node:crypto';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { pino } from 'pino';
import type { HearthLibp2p } from '../node/create-node';
import type { Logger } from '../../log';
import { INFER_PROTOCOL, SETTLE_PROTOCOL } from '../protocol/ids';
import { MessageStream } from '../protocol/message-stream';
import {
  ProviderMessageSchema,
  type BatchMessage,
  type JobRequest,
  type JobSummary,
  type RefuseReason,
  type RequesterMessage,
} from '../protocol/messages';
import { receiptToJson, type WalletBinding } from '../receipts';
import type { CanaryReference } from '../audit';
import type { JobPaymentReservation, JobPayments } from '../../chain/job-payments';
import type { JobSettler } from '../rewards/job-settler';
import { jobPrice } from '../rewards/price';
import { UNSETTLED, type Settlement } from '../rewards/settlement';
import { SpendLimitError } from '../rewards/spending-limit';
import type { ProviderDirectory } from './provider-directory';
import { SettleBatches } from './settle-batches';
import { defaultProviderRanker, type ProviderCandidate, type ProviderRanker } from './provider-ranker';

export interface NetworkJob {
  /** sha256 of the model file. */
  model: string;
  prompt: string;
  maxTokens: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  /**
   * Most credits per 1000 tokens this job may cost; providers asking more are never tried.
   * Default DEFAULT_MAX_PRICE. The request offers the chosen provider's announced price.
   */
  maxPrice?: number;
}

/**
 * The price limit when the user set none, in credits per 1000 tokens: far above what honest
 * providers ask today (0 by default), far below a price that could empty a balance in one job.
 */
export const DEFAULT_MAX_PRICE = 10;

export interface GenerateOptions {
  signal?: AbortSignal;
  /** A piece of the answer from the provider currently serving the job. */
  onToken?: (text: string) => void;
  /** A provider was chosen; `attempt` counts from 1. Text streamed before a retry is void. */
  onAttempt?: (attempt: { peerId: string; attempt: number }) => void;
  /** Most providers to try. Default 4. */
  maxAttempts?: number;
  /** How long to wait for any provider of the model to be known. Default 15 s. */
  discoveryMs?: number;
  /** Only these peers may run the job (a user pinning a provider; tests aiming at one). */
  onlyProviders?: readonly string[];
}

export interface GenerateResult {
  text: string;
  peerId: string;
  attempts: number;
  summary: JobSummary;
  /** Milliseconds from calling generate to the last message. */
  totalMs: number;
  /**
   * Resolves once the job is settled: audited or not, and the receipt sent or withheld. The
   * answer is usable before; a failed audit means the provider did not run the declared model.
   */
  settlement: Promise<Settlement>;
}

export interface RequesterTimeouts {
  dialMs: number;
  /** Longest wait for accept or refuse. */
  answerMs: number;
  /** Longest silence while tokens stream. */
  idleMs: number;
  /** Longest the audit and signing of one finished job may take. */
  settleMs: number;
  /** An open batch of held receipts older than this is released on the settle stream. */
  batchMaxAgeMs: number;
  /** A canary goes out at a random time between these after the job that drew it. */
  canaryMinMs: number;
  canaryMaxMs: number;
}

/** What the requester needs of the libp2p node: its id, the peer store and dialling (js-libp2p's components style). */
export type RequesterComponents = Pick<HearthLibp2p, 'peerId' | 'dialProtocol'> & {
  peerStore: Pick<HearthLibp2p['peerStore'], 'merge'>;
};

export interface RequesterInit {
  directory: ProviderDirectory;
  /** Default: the plain ranker (free slots, then expected cost). */
  ranker?: ProviderRanker;
  timeouts?: Partial<RequesterTimeouts>;
  /** Audits, receipts and reputation; absent: jobs are neither audited nor paid. */
  settler?: JobSettler;
  /** Escrow cheques with each receipt (src/core/chain); absent: no chain is configured. */
  payments?: JobPayments;
  /** Default: silent. */
  log?: Logger;
}

/** Every provider tried refused or failed; `reasons` says why, per provider. */
export class NoProviderError extends Error {
  override readonly name = 'NoProviderError';
  constructor(
    readonly model: string,
    readonly reasons: string[],
  ) {
    super(
      reasons.length === 0
        ? 'No provider on the network serves this model right now. Try again later.'
        : `No provider could run the job: ${reasons.join('; ')}.`,
    );
  }
}

class AttemptFailed extends Error {
  override readonly name = 'AttemptFailed';
  constructor(
    message: string,
    readonly refusal?: RefuseReason,
  ) {
    super(message);
  }
}

/**
 * Sends jobs to providers: finds candidates, ranks them, streams the answer and moves to the
 * next provider when one refuses, fails or disappears mid-job.
 */
export class Requester {
  private readonly _timeouts: RequesterTimeouts;

  private readonly _canaries = new Map<Promise<unknown>, AbortController>();
  private readonly _canaryTimers = new Set<NodeJS.Timeout>();
  /** The user's jobs in flight: canaries wait for none and give way to every one. */
  private _userJobs = 0;
  /** Held receipts of proven providers (absent without a settler). */
  private readonly _batches: SettleBatches | undefined;

  private readonly _directory: ProviderDirectory;
  private readonly _ranker: ProviderRanker;
  private readonly _settler?: JobSettler;
  private readonly _payments?: JobPayments;
  private readonly _log: Logger;

  constructor(
    private readonly _node: RequesterComponents,
    { directory, ranker = defaultProviderRanker, timeouts = {}, settler, payments, log }: RequesterInit,
  ) {
    this._directory = directory;
    this._ranker = ranker;
    this._settler = settler;
    this._payments = payments;
    this._log = log ?? silentLog;
    // A long job's provider may fall silent while its context shifts (seconds on a busy CPU).
    this._timeouts = {
      dialMs: 10_000,
      answerMs: 15_000,
      idleMs: 60_000,
      settleMs: 120_000,
      canaryMinMs: 5_000,
      canaryMaxMs: 120_000,
      batchMaxAgeMs: 600_000,
      ...timeouts,
    };
    this._batches = settler
      ? new SettleBatches({
          settler,
          send: (provider, message) => this._sendSettle(provider, message),
          maxAgeMs: this._timeouts.batchMaxAgeMs,
          log: this._log,
        })
      : undefined;
  }

  /** Releases every open batch to its provider on the settle stream (before the node stops). */
  async settleBatches(): Promise<void> {
    await this._batches?.flush();
  }

  /** Delivers a batch outside any job: one message on `/hearth/settle/1.0.0`, then close. */
  private async _sendSettle(provider: string, message: BatchMessage): Promise<void> {
    const stream = await this._node.dialProtocol(peerIdFromString(provider), SETTLE_PROTOCOL, {
      signal: AbortSignal.timeout(this._timeouts.dialMs),
    });
    const messages = new MessageStream(stream, ProviderMessageSchema);
    try {
      await messages.write(message, this._timeouts.dialMs);
      await stream.close({ signal: AbortSignal.timeout(this._timeouts.dialMs) });
      // The provider closes its side once the batch is recorded: the end of the stream is the
      // acknowledgement, so a job sent next is counted against the settled balance.
      await messages.read(this._timeouts.answerMs).catch(() => undefined);
    } finally {
      await messages.close();
    }
  }

  /** Drops canaries not sent yet and waits for those in flight (before the node stops). */
  async idle(): Promise<void> {
    for (const timer of this._canaryTimers) clearTimeout(timer);
    this._canaryTimers.clear();
    await Promise.allSettled([...this._canaries.keys()]);
  }

  async generate(job: NetworkJob, options: GenerateOptions = {}): Promise<GenerateResult> {
    this._userJobs++;
    try {
      await this._yieldCanaries();
      return await this._generate(job, options);
    } finally {
      this._userJobs--;
    }
  }

  /**
   * Cancels canaries in flight and waits (briefly) until their providers are told, so a canary
   * never holds the slot the user's own job needs.
   */
  private async _yieldCanaries(): Promise<void> {
    if (this._canaries.size === 0) return;
    for (const controller of this._canaries.values()) controller.abort(new Error('The user needs the slot.'));
    await Promise.race([
      Promise.allSettled([...this._canaries.keys()]),
      new Promise((resolve) => setTimeout(resolve, 5_000).unref()),
    ]);
  }

  private async _generate(job: NetworkJob, options: GenerateOptions): Promise<GenerateResult> {
    const started = performance.now();
    const tried = new Set<string>();
    const reasons: string[] = [];
    const maxAttempts = options.maxAttempts ?? 4;
    const maxPrice = job.maxPrice ?? DEFAULT_MAX_PRICE;
    let overBudget: SpendLimitError | null = null;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      options.signal?.throwIfAborted();
      const found = await this._directory.find(job.model, {
        signal: options.signal,
        waitMs: options.discoveryMs ?? 15_000,
      });
      const allowed = (c: ProviderCandidate) => !options.onlyProviders || options.onlyProviders.includes(c.peerId);
      const eligible = found.filter((c) => !tried.has(c.peerId) && allowed(c));
      const affordable = eligible.filter((c) => c.price <= maxPrice);
      const ranked = await this._ranker.rank(affordable, job.model);
      const candidate = ranked[0];
      if (!candidate) {
        const tooDear = eligible.length - affordable.length;
        if (tooDear > 0)
          reasons.push(`${tooDear} provider(s) ask more than your limit of ${maxPrice} credits per 1000 tokens`);
        break;
      }
      tried.add(candidate.peerId);
      let release: (spent: bigint) => void;
      try {
        release = this._settler?.reserve(candidate.price, job.maxTokens) ?? (() => undefined);
      } catch (error) {
        // A cheaper provider may still fit what is left to spend.
        if (!(error instanceof SpendLimitError)) throw error;
        overBudget = error;
        continue;
      }
      options.onAttempt?.({ peerId: candidate.peerId, attempt });
      try {
        // The settlement ends the reservation (for a held receipt, once its batch is released).
        const { text, summary, settlement } = await this._attempt(candidate, job, options, release);
        const totalMs = Math.round(performance.now() - started);
        // Settlement errors reach the caller through `settlement`; the canary is an extra.
        void settlement.then(() => this._maybeCanary(job.model)).catch(() => undefined);
        return { text, summary, settlement, peerId: candidate.peerId, attempts: attempt, totalMs };
      } catch (error) {
        release(0n);
        if (options.signal?.aborted) throw options.signal.reason;
        // Refused for receipts this requester holds itself: release them, then ask once more.
        if (error instanceof AttemptFailed && error.refusal === 'unpaid' && this._batches?.has(candidate.peerId)) {
          await this._batches.flush(candidate.peerId);
          tried.delete(candidate.peerId);
        }
        // No provider can be paid past the deposit: trying the next one would not help.
        if ((error as Error).name === 'DepositExhaustedError') throw error;
        reasons.push(`${candidate.peerId.slice(-8)}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (overBudget && reasons.length === 0) throw overBudget;
    throw new NoProviderError(job.model, overBudget ? [...reasons, overBudget.message] : reasons);
  }

  /**
   * Now and then schedules a canary: a greedy job whose answer is already known, on a fresh
   * prompt like the user's, sent at a random time to a random provider of the model that has a
   * free slot, never while the user has a job of their own. Its outcome feeds reputation.
   */
  private _maybeCanary(model: string): void {
    const canary = this._settler?.nextCanary();
    if (!canary) return;
    const { canaryMinMs: min, canaryMaxMs: max } = this._timeouts;
    const timer = setTimeout(
      () => {
        this._canaryTimers.delete(timer);
        void this._sendCanary(model, canary).catch((error: unknown) =>
          this._log.debug({ event: 'network-canary-not-sent', reason: (error as Error).message }),
        );
      },
      min + randomInt(Math.max(1, max - min)),
    );
    timer.unref();
    this._canaryTimers.add(timer);
  }

  private async _sendCanary(model: string, canary: CanaryReference): Promise<void> {
    if (this._userJobs > 0 || !this._settler) return;
    const found = await this._directory.find(model, { waitMs: 0 });
    const ranked = (await this._ranker.rank(found, model)).filter(
      (c) => c.freeSlots > 0 && c.price <= DEFAULT_MAX_PRICE,
    );
    const candidate = ranked[randomInt(Math.max(1, ranked.length))];
    if (!candidate || this._userJobs > 0) return;
    let release: (spent: bigint) => void;
    try {
      release = this._settler.reserve(candidate.price, canary.maxTokens);
    } catch {
      return; // Canaries never take the requester past its spending limit.
    }
    const controller = new AbortController();
    const run = this._attempt(
      candidate,
      { model, prompt: canary.prompt, maxTokens: canary.maxTokens, temperature: 0, topP: 1, seed: randomSeed() },
      { signal: controller.signal },
      release,
      canary,
    )
      .then((result) => result.settlement)
      .catch(() => release(0n))
      .finally(() => this._canaries.delete(run));
    this._canaries.set(run, controller);
    await run;
  }

  private async _attempt(
    candidate: ProviderCandidate,
    job: NetworkJob,
    options: GenerateOptions,
    spent: (amount: bigint) => void,
    canary?: CanaryReference,
  ) {
    const peerId = peerIdFromString(candidate.peerId);
    const addrs = candidate.addrs.flatMap((a) => {
      try {
        return [multiaddr(a)];
      } catch {
        return [];
      }
    });
    if (addrs.length > 0) await this._node.peerStore.merge(peerId, { multiaddrs: addrs });
    // With a chain, the most this job can cost is set aside from the deposit before it is sent.
    const reservation =
      candidate.price > 0 ? await this._payments?.reserve(jobPrice(candidate.price, job.maxTokens)) : undefined;
    const ended = this._batches?.started(candidate.peerId) ?? (() => undefined);
    try {
      const result = await this._exchange(peerId, candidate, job, options, canary, reservation, spent);
      // Settlement errors reach the caller through `result.settlement`; this only ends the batch slot.
      void result.settlement.finally(ended).catch(() => undefined);
      return result;
    } catch (error) {
      ended();
      reservation?.release();
      throw error;
    }
  }

  /** One job on one stream: request, answer, tokens, then settlement in the background. */
  private async _exchange(
    peerId: ReturnType<typeof peerIdFromString>,
    candidate: ProviderCandidate,
    job: NetworkJob,
    options: GenerateOptions,
    canary: CanaryReference | undefined,
    reservation: JobPaymentReservation | undefined,
    spent: (amount: bigint) => void,
  ) {
    const stream = await this._node.dialProtocol(peerId, INFER_PROTOCOL, {
      signal: AbortSignal.timeout(this._timeouts.dialMs),
    });
    const messages = new MessageStream(stream, ProviderMessageSchema);
    const request: JobRequest = {
      t: 'request',
      jobId: randomBytes(12).toString('base64url'),
      model: job.model,
      prompt: job.prompt,
      maxTokens: job.maxTokens,
      temperature: job.temperature ?? 0,
      topP: job.topP ?? 1,
      seed: job.seed ?? randomSeed(),
      // The provider's announced price, which the caller's maxPrice already accepted.
      price: candidate.price,
      requester: this._node.peerId.toString(),
      ...(reservation && this._payments ? { payer: this._payments.payer } : {}),
    };
    const onAbort = () => void messages.write({ t: 'cancel' }, 2_000).catch(() => messages.abort('cancelled'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let binding: WalletBinding | undefined;
    let accepted = false;
    try {
      await messages.write(request, this._timeouts.dialMs);
      const answer = await messages.read(this._timeouts.answerMs);
      if (answer.t === 'refuse')
        throw new AttemptFailed(`refused (${answer.reason}): ${answer.message}`, answer.reason);
      if (answer.t === 'error') throw new AttemptFailed(answer.message);
      if (answer.t !== 'accept') throw new AttemptFailed('the provider broke the protocol');
      accepted = true;
      // The schema checked the shape; verifyWalletBinding checks the signatures before any use.
      binding = answer.binding as WalletBinding | undefined;
      let text = '';
      for (;;) {
        const message = await messages.read(this._timeouts.idleMs);
        if (message.t === 'token') {
          text += message.text;
          options.onToken?.(message.text);
        } else if (message.t === 'done') {
          const { t: _t, ...summary } = message;
          const cancelled = options.signal?.aborted ?? false;
          const settlement = this._settle(
            messages,
            {
              provider: candidate.peerId,
              providerBinding: binding,
              request,
              text,
              summary,
              canary,
              cancelled,
            },
            reservation,
            spent,
          );
          return { text, summary, settlement };
        } else if (message.t === 'error') throw new AttemptFailed(message.message);
        else throw new AttemptFailed('the provider broke the protocol');
      }
    } catch (error) {
      messages.abort('attempt failed');
      if (accepted && !options.signal?.aborted) this._settler?.recordDropped(candidate.peerId);
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Audits (maybe) and pays (maybe) on the job's own stream, then closes it. A proven provider's
   * passing job is held in its open batch (`held`, or the whole batch when this job fills it); a
   * failed audit forfeits that batch. Jobs on probation are paid one by one.
   */
  private async _settle(
    messages: MessageStream<typeof ProviderMessageSchema>,
    job: Parameters<JobSettler['settle']>[0],
    reservation: JobPaymentReservation | undefined,
    spent: (amount: bigint) => void,
  ): Promise<Settlement> {
    const settler = this._settler;
    const batches = this._batches;
    let handedOver = false;
    try {
      if (!settler || !batches) {
        spent(0n);
        return UNSETTLED;
      }
      const { provider } = job;
      const hold = settler.batches(provider);
      const settlement = await settler.settle(job, { signal: AbortSignal.timeout(this._timeouts.settleMs), hold });
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
      await messages.write(message, this._timeouts.dialMs).catch(() => undefined);
      return settlement;
    } catch (error) {
      spent(0n);
      throw error;
    } finally {
      if (!handedOver) reservation?.release();
      await messages.close();
    }
  }
}

const silentLog: Logger = pino({ level: 'silent' });

function randomSeed(): number {
  return randomBytes(4).readUInt32LE();
}
