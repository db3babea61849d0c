import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { pino } from 'pino';
import type { HearthLibp2p } from '../node/create-node';
import type { Logger } from '../../log';
import type { JobSummary } from '../protocol/messages';
import type { CanaryReference } from '../audit';
import type { JobPayments } from '../../chain/job-payments';
import type { JobSettler } from '../rewards/job-settler';
import type { Settlement } from '../rewards/settlement';
import { SpendLimitError } from '../rewards/spending-limit';
import { AttemptFailed } from './attempt-failed';
import { CanaryJobs } from './canary-jobs';
import { JobPayment } from './job-payment';
import { streamJob, type JobStreamInit } from './job-stream';
import { DEFAULT_MAX_PRICE, type GenerateOptions, type NetworkJob } from './network-job';
import { NoProviderError } from './no-provider-error';
import type { ProviderDirectory } from './provider-directory';
import { defaultProviderRanker, type ProviderCandidate, type ProviderRanker } from './provider-ranker';

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

/**
 * Sends jobs to providers: finds candidates, ranks them, streams the answer (job-stream.ts) and
 * moves to the next provider when one refuses, fails or disappears mid-job. Paying for a job is
 * JobPayment's; canaries are CanaryJobs'.
 */
export class Requester {
  /** The user's jobs in flight: canaries wait for none and give way to every one. */
  private _userJobs = 0;
  private readonly _payment: JobPayment;
  /** Absent without a settler: canaries are judged by it. */
  private readonly _canaries: CanaryJobs | undefined;

  private readonly _stream: JobStreamInit;
  private readonly _directory: ProviderDirectory;
  private readonly _ranker: ProviderRanker;

  constructor(
    private readonly _node: RequesterComponents,
    { directory, ranker = defaultProviderRanker, timeouts = {}, settler, payments, log = silentLog }: RequesterInit,
  ) {
    this._directory = directory;
    this._ranker = ranker;
    // A long job's provider may fall silent while its context shifts (seconds on a busy CPU).
    const all: RequesterTimeouts = {
      dialMs: 10_000,
      answerMs: 15_000,
      idleMs: 60_000,
      settleMs: 120_000,
      canaryMinMs: 5_000,
      canaryMaxMs: 120_000,
      batchMaxAgeMs: 600_000,
      ...timeouts,
    };
    const { dialMs, answerMs, idleMs, settleMs, batchMaxAgeMs, canaryMinMs, canaryMaxMs } = all;
    // A provider that accepted and then failed or vanished before `done` counts against its reputation.
    this._stream = { dialMs, answerMs, idleMs, onDropped: (provider) => settler?.recordDropped(provider) };
    this._payment = new JobPayment(_node, { settler, payments, dialMs, answerMs, settleMs, batchMaxAgeMs, log });
    this._canaries = settler
      ? new CanaryJobs({
          settler,
          directory,
          ranker,
          send: (candidate, job, options, spent, canary) => this._attempt(candidate, job, options, spent, canary),
          userBusy: () => this._userJobs > 0,
          minMs: canaryMinMs,
          maxMs: canaryMaxMs,
          log,
        })
      : undefined;
  }

  /** Releases every open batch to its provider on the settle stream (before the node stops). */
  async settleBatches(): Promise<void> {
    await this._payment.releaseBatches();
  }

  /** Drops canaries not sent yet and waits for those in flight (before the node stops). */
  async idle(): Promise<void> {
    await this._canaries?.idle();
  }

  async generate(job: NetworkJob, options: GenerateOptions = {}): Promise<GenerateResult> {
    this._userJobs++;
    try {
      await this._canaries?.yieldToUser();
      return await this._generate(job, options);
    } finally {
      this._userJobs--;
    }
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
        release = this._payment.reserveSpending(candidate.price, job.maxTokens);
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
        void settlement.then(() => this._canaries?.maybeSend(job.model)).catch(() => undefined);
        return { text, summary, settlement, peerId: candidate.peerId, attempts: attempt, totalMs };
      } catch (error) {
        release(0n);
        if (options.signal?.aborted) throw options.signal.reason;
        // Refused for receipts this requester holds itself: release them, then ask once more.
        if (
          error instanceof AttemptFailed &&
          error.refusal === 'unpaid' &&
          this._payment.holdsBatch(candidate.peerId)
        ) {
          await this._payment.releaseBatches(candidate.peerId);
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

  /** One job to one provider: its bill opened, the job streamed, then settled in the background. */
  private async _attempt(
    candidate: ProviderCandidate,
    job: NetworkJob,
    options: GenerateOptions,
    spent: (amount: bigint) => void,
    canary?: CanaryReference,
  ): Promise<{ text: string; summary: JobSummary; settlement: Promise<Settlement> }> {
    const peerId = peerIdFromString(candidate.peerId);
    const addrs = candidate.addrs.flatMap((a) => {
      try {
        return [multiaddr(a)];
      } catch {
        return [];
      }
    });
    if (addrs.length > 0) await this._node.peerStore.merge(peerId, { multiaddrs: addrs });
    const bill = await this._payment.open(candidate.peerId, candidate.price, job.maxTokens, spent);
    try {
      const streamed = await streamJob(this._node, this._stream, peerId, candidate, job, options, bill.payer);
      const { messages, request, text, summary, binding, cancelled } = streamed;
      const settlement = bill.settle(messages, {
        provider: candidate.peerId,
        providerBinding: binding,
        request,
        text,
        summary,
        canary,
        cancelled,
      });
      return { text, summary, settlement };
    } catch (error) {
      bill.cancel();
      throw error;
    }
  }
}

const silentLog: Logger = pino({ level: 'silent' });
