import type { Address } from 'viem';
import type { SignedChequeJson } from '../../chain/cheque';
import type { JobPayments } from '../../chain/job-payments';
import type { Logger } from '../../log';
import type { HearthLibp2p } from '../node/create-node';
import { INFER_PROTOCOL, SETTLE_PROTOCOL } from '../protocol/ids';
import type { MessageStream } from '../protocol/message-stream';
import {
  ProtocolError,
  RequesterMessageSchema,
  type BatchMessage,
  type JobRequest,
  type RefuseReason,
  type RequesterMessage,
} from '../protocol/messages';
import { jobPrice } from '../rewards/price';
import type { ReceiptCollector, ServedJob, SettleMessage } from '../rewards/receipt-collector';
import { InferenceWorkerProcess } from '../worker/inference-worker-process';
import type { ContributionVerdict } from './contribution-policy';
import { HeldJobs, type HeldJob } from './held-jobs';
import { inboundHandler, REQUEST_DEADLINE_MS, type ServeInbound } from './inbound-handler';
import { UnpaidJobs, type UnpaidJobsJson } from './unpaid-jobs';
import { DEFAULT_MAX_UNPAID_JOBS } from '../rewards/batch-rules';
import type { GpuShare } from '../worker/gpu-share';
import type { WorkerLauncher } from '../../workers/worker-launcher';

/** A model this machine offers, named on the network by the sha256 of its file. */
export interface OfferedModel {
  sha256: string;
  name: string;
  path: string;
}

export interface ProviderTimeouts {
  /** A requester must send its request this soon after opening a stream. Default 5 s. */
  requestMs: number;
  /** One message must be accepted by the requester's side within this. Default 10 s. */
  writeMs: number;
  /** Longest job. Default 10 min. */
  jobMs: number;
  /** How long after `done` the requester has to send its receipt (it may audit first). Default 2 min. */
  receiptMs: number;
  /** How long a job whose receipt the requester holds in a batch stays pending. Default 15 min. */
  heldMs: number;
}

export interface InferenceProviderInit {
  models: OfferedModel[];
  threads: number;
  /** GPU the workers may use, read when a model's worker starts; absent: CPU only. */
  gpu?: () => GpuShare;
  maxConcurrentJobs: number;
  /** Asked for every request: may this machine contribute right now? */
  verdict: () => ContributionVerdict;
  /** Credits per 1000 tokens this provider asks; a request offering less is refused. Default 0. */
  price?: () => number;
  /** Called for a peer that sent hostile input; the node gates it out after a few strikes. */
  onStrike: (peer: string) => void;
  /** Called whenever the counters below change. */
  onChange: () => void;
  log: Logger;
  workerEntry?: string;
  /** Arguments for the worker entry (tests host fixture workers). */
  workerArgs?: string[];
  /** Starts worker processes. Default: forkWorker; the app passes Electron's utility process. */
  workerLauncher?: WorkerLauncher;
  /** Takes receipts for served jobs; absent: the provider serves without asking to be paid. */
  receipts?: ReceiptCollector;
  /** Credit check and escrow cheques (src/core/chain); absent: no chain is configured. */
  payments?: JobPayments;
  /**
   * With receipts: how many jobs one requester may have unpaid (running, awaiting its receipt,
   * or never paid) before it is refused. Read at every request. Default 3.
   */
  maxUnpaidJobs?: () => number;
  /** Unpaid counts per requester saved by an earlier run (`<data>/network/unpaid.json`). */
  unpaid?: { saved: UnpaidJobsJson; onChange: (state: UnpaidJobsJson) => void };
  timeouts?: Partial<ProviderTimeouts>;
}

export interface ProviderStats {
  jobsRunning: number;
  jobsServed: number;
  jobsRefused: number;
  tokensGenerated: number;
  msContributed: number;
}

export { DEFAULT_MAX_UNPAID_JOBS } from '../rewards/batch-rules';

type RequesterStream = MessageStream<typeof RequesterMessageSchema>;

const DEFAULT_TIMEOUTS: ProviderTimeouts = {
  requestMs: REQUEST_DEADLINE_MS,
  writeMs: 10_000,
  jobMs: 600_000,
  receiptMs: 120_000,
  heldMs: 900_000,
};

/** What the provider needs of the libp2p node: to handle and unhandle its protocol. */
export type InferenceProviderComponents = Pick<HearthLibp2p, 'handle' | 'unhandle'>;

/**
 * Serves `/hearth/infer/1.0.0`: takes requests, asks the contribution policy, runs accepted jobs
 * in an isolated worker process per model and streams the tokens back. Anything that breaks the
 * protocol closes that one stream; the node carries on.
 */

export class InferenceProvider {
  readonly stats: ProviderStats = {
    jobsRunning: 0,
    jobsServed: 0,
    jobsRefused: 0,
    tokensGenerated: 0,
    msContributed: 0,
  };
  private readonly _workers = new Map<string, Promise<InferenceWorkerProcess>>();
  private readonly _running = new Set<AbortController>();
  private readonly _timeouts: ProviderTimeouts;
  private readonly _unpaid: UnpaidJobs;
  private readonly _held: HeldJobs;
  private _started = false;

  constructor(
    private readonly _node: InferenceProviderComponents,
    private readonly _init: InferenceProviderInit,
  ) {
    this._timeouts = { ...DEFAULT_TIMEOUTS, ..._init.timeouts };
    const saving = _init.unpaid;
    this._unpaid = new UnpaidJobs(_init.maxUnpaidJobs ?? (() => DEFAULT_MAX_UNPAID_JOBS), 10, () =>
      saving?.onChange(this._unpaid.toJSON()),
    );
    if (saving) this._unpaid.load(saving.saved);
    this._held = new HeldJobs(this._timeouts.heldMs, (job) => void this._expire(job, 'waited too long'));
  }

  /** How many unpaid jobs this requester may have with this provider (grows with what it paid). */
  unpaidAllowance(requester: string): number {
    return this._unpaid.allowance(requester);
  }

  private async _expire(job: HeldJob, why: string): Promise<void> {
    job.owed.unpaid();
    await this._init.receipts
      ?.expire(job.served, `The requester held this job's receipt in batch ${job.batch} and never sent it (${why}).`)
      // The ledger logs its own write failures; the job is counted unpaid either way.
      .catch(() => undefined);
  }

  /** Jobs this requester has not paid for (running and awaiting receipts included). */
  unpaidJobs(requester: string): number {
    return this._unpaid.owed(requester);
  }

  get models(): readonly OfferedModel[] {
    return this._init.models;
  }

  get freeSlots(): number {
    return Math.max(0, this._init.maxConcurrentJobs - this.stats.jobsRunning);
  }

  async start(): Promise<void> {
    if (this._started) return;
    this._started = true;
    const maxInfer = this._init.maxConcurrentJobs + 8;
    // Refusals need streams too, so allow a few more than the jobs we run.
    await this._node.handle(INFER_PROTOCOL, this._inbound(INFER_PROTOCOL, maxInfer, (r, m, p) => this._serve(r, m, p)), {
      maxInboundStreams: maxInfer,
      maxOutboundStreams: 1,
    });
    if (this._init.receipts) {
      await this._node.handle(SETTLE_PROTOCOL, this._inbound(SETTLE_PROTOCOL, 4, (r, m, p) => this._settleStream(r, m, p)), {
        maxInboundStreams: 4,
        maxOutboundStreams: 1,
      });
    }
    // Warm the workers so the first job does not pay for loading the model.
    // Warming only: a worker that fails to load fails the first job with the reason instead.
    for (const model of this._init.models) void this._worker(model).catch(() => undefined);
  }

  async stop(): Promise<void> {
    if (!this._started) return;
    this._started = false;
    this.pauseRunning('The provider stopped.');
    // A node that is stopping may have dropped the handlers already.
    await this._node.unhandle(INFER_PROTOCOL).catch(() => undefined);
    await this._node.unhandle(SETTLE_PROTOCOL).catch(() => undefined);
    await Promise.all(this._held.drain().map((job) => this._expire(job, 'this provider stopped first')));
    const workers = [...this._workers.values()];
    this._workers.clear();
    // A worker that never started has nothing to dispose (its job already got the error).
    await Promise.all(workers.map(async (w) => (await w.catch(() => null))?.dispose()));
  }

  /** Ends every running job at once (the user came back); requesters retry elsewhere. */
  pauseRunning(reason: string): void {
    for (const job of this._running) job.abort(new Error(reason));
  }

  private _worker(model: OfferedModel): Promise<InferenceWorkerProcess> {
    let worker = this._workers.get(model.sha256);
    if (!worker) {
      worker = InferenceWorkerProcess.start({
        modelPath: model.path,
        threads: this._init.threads,
        gpu: this._init.gpu?.() ?? null,
        sequences: this._init.maxConcurrentJobs,
        entry: this._init.workerEntry,
        args: this._init.workerArgs,
        launch: this._init.workerLauncher,
      });
      worker.catch(() => this._workers.delete(model.sha256));
      this._workers.set(model.sha256, worker);
    }
    return worker.then(async (w) => {
      if (w.alive) return w;
      this._workers.delete(model.sha256);
      return this._worker(model);
    });
  }

  private _inbound(protocol: string, maxStreamsPerPeer: number, serve: ServeInbound<typeof RequesterMessageSchema>) {
    return inboundHandler(
      protocol,
      {
        schema: RequesterMessageSchema,
        maxStreamsPerPeer,
        requestMs: this._timeouts.requestMs,
        onBadRequest: (peer, reason) => {
          this._init.log.warn({ event: 'network-bad-request', peer, reason });
          this._init.onStrike(peer);
        },
        log: this._init.log,
      },
      serve,
    );
  }

  private async _serve(first: RequesterMessage, messages: RequesterStream, peer: string): Promise<void> {
    if (first.t !== 'request') throw new ProtocolError('The first message must be a request.');
    const request = first;
    const refuse = async (reason: RefuseReason, message: string) => {
      this.stats.jobsRefused++;
      this._init.onChange();
      await messages
        .write({ t: 'refuse', jobId: request.jobId, reason, message }, this._timeouts.writeMs)
        // A requester that left does not need the refusal; the stream closes next.
        .catch(() => undefined);
      await messages.close();
    };
    if (request.requester !== peer) return refuse('invalid-request', 'The requester id does not match the connection.');
    const verdict = this._init.verdict();
    if (verdict.state !== 'ready') return refuse('not-now', verdict.reason);
    const model = this._init.models.find((m) => m.sha256 === request.model);
    if (!model) return refuse('unknown-model', 'This provider does not serve that model.');
    const asking = this._init.price?.() ?? 0;
    if (request.price < asking) {
      return refuse(
        'price-too-low',
        `This provider asks ${asking} credits per 1000 tokens; the request offered ${request.price}.`,
      );
    }
    if (this._init.receipts && !this._unpaid.mayServe(peer)) {
      return refuse(
        'unpaid',
        `This provider served you ${this._unpaid.owed(peer)} jobs that are not paid yet (it allows you ${this._unpaid.allowance(peer)}); it serves you again once their receipts arrive.`,
      );
    }
    if (this.freeSlots === 0) return refuse('at-capacity', 'This provider is busy with other jobs.');
    const payments = this._init.payments;
    if (payments && request.price > 0) {
      if (!request.payer)
        return refuse(
          'no-credit',
          'This provider is paid through an escrow on chain: the requester needs the chain section of its settings filled in and a deposit (`hearth wallet deposit`).',
        );
      const credit = await payments
        .credit(request.payer as Address, jobPrice(request.price, request.maxTokens))
        .catch((error: unknown) => ({
          ok: false as const,
          reason: `This provider could not check the requester's deposit on chain: ${(error as Error).message}`.slice(
            0,
            500,
          ),
        }));
      if (!credit.ok) return refuse('no-credit', credit.reason.slice(0, 500));
    }
    await this._run(messages, request, model, peer);
  }

  private async _run(
    messages: RequesterStream,
    request: JobRequest,
    model: OfferedModel,
    peer: string,
  ) {
    const job = new AbortController();
    const owed = this._init.receipts ? this._unpaid.open(peer) : null;
    const listening = new AbortController();
    const phase = { settling: false };
    let settle!: (message: SettleMessage | null) => void;
    const settlement = new Promise<SettleMessage | null>((resolve) => (settle = resolve));
    const deadline = setTimeout(() => job.abort(new Error('The job took too long.')), this._timeouts.jobMs);
    this._running.add(job);
    this.stats.jobsRunning++;
    this._init.onChange();
    const started = performance.now();
    let served: ServedJob | null = null;
    // Tokens produced while a write is in flight are joined into the next message: the worker
    // never waits for the network, and a slow reader gets fewer, larger messages.
    let pending = '';
    let streamed = false;
    let writing: Promise<void> | null = null;
    const flush = (): Promise<void> => {
      if (writing) return writing;
      if (!pending) return Promise.resolve();
      const text = pending;
      pending = '';
      streamed = true;
      writing = messages
        .write({ t: 'token', text }, this._timeouts.writeMs)
        .catch((error: unknown) => job.abort(error))
        .finally(() => {
          writing = null;
        })
        .then(flush);
      return writing;
    };
    try {
      const binding = this._init.receipts?.binding;
      await messages.write(
        { t: 'accept', jobId: request.jobId, ...(binding ? { binding } : {}) },
        this._timeouts.writeMs,
      );
      void this._listen(messages, job, peer, listening.signal, phase, settle);
      const worker = await this._worker(model);
      const queueMs = Math.round(performance.now() - started);
      const result = await worker.run(
        {
          id: request.jobId,
          prompt: request.prompt,
          maxTokens: request.maxTokens,
          temperature: request.temperature,
          topP: request.topP,
          seed: request.seed,
        },
        (text) => {
          pending += text;
          void flush();
        },
        job.signal,
      );
      await flush();
      if (job.signal.aborted && !this._cancelledByRequester.has(job)) throw job.signal.reason;
      // From here a receipt may arrive: the requester can answer `done` faster than we return.
      phase.settling = true;
      await messages.write({ t: 'done', ...result, model: model.sha256, queueMs }, this._timeouts.writeMs);
      this.stats.jobsServed++;
      this.stats.tokensGenerated += result.completionTokens;
      served = {
        jobId: request.jobId,
        requester: peer,
        model: model.sha256,
        price: request.price,
        outputTokens: result.tokens.length,
      };
    } catch (error) {
      const message = job.signal.aborted
        ? (job.signal.reason as Error).message
        : error instanceof Error
          ? error.message
          : 'The job failed.';
      this._init.log.info({ event: 'network-job-failed', reason: message });
      // Best effort: the failure is logged above and the stream is aborted next.
      await messages.write({ t: 'error', message: message.slice(0, 500) }, 2_000).catch(() => undefined);
      messages.abort(message);
      listening.abort();
      // A requester that walks away mid-answer still took the text it was sent; a job this
      // provider ended itself (its owner came back, a crash) is not the requester's debt.
      if (streamed && this._cancelledByRequester.has(job)) owed?.unpaid();
      else owed?.cancel();
    } finally {
      clearTimeout(deadline);
      job.abort(new Error('The job ended.'));
      this._running.delete(job);
      this.stats.jobsRunning--;
      this.stats.msContributed += Math.round(performance.now() - started);
      this._init.onChange();
    }
    if (served && owed)
      await this._collect(messages, { served, owed }, settlement, listening).catch(() => owed.unpaid());
    else if (served) {
      listening.abort();
      await messages.close();
    }
  }

  /**
   * After `done`: waits for the requester's receipt (the job slot is already free) and records
   * it; or keeps the job pending when the requester holds its receipt in a batch; or settles the
   * whole batch this job closed.
   */
  private async _collect(
    messages: RequesterStream,
    job: { served: ServedJob; owed: HeldJob['owed'] },
    settlement: Promise<SettleMessage | null>,
    listening: AbortController,
  ): Promise<void> {
    const receipts = this._init.receipts!;
    const timer = setTimeout(() => listening.abort(), this._timeouts.receiptMs);
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

  private async _settleOne(
    job: { served: ServedJob; owed: HeldJob['owed'] },
    message: Parameters<ReceiptCollector['settle']>[1],
  ): Promise<void> {
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
  private async _settleBatch(
    requester: string,
    batch: BatchMessage,
    current?: { served: ServedJob; owed: HeldJob['owed'] },
  ): Promise<void> {
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

  /** `/hearth/settle/1.0.0`: one batch message from a requester that stops or whose batch grew old. */
  private async _settleStream(first: RequesterMessage, _messages: RequesterStream, peer: string): Promise<void> {
    if (first.t !== 'batch') throw new ProtocolError('The settle stream carries one batch.');
    // The inbound handler closes the stream after this: its end is the requester's acknowledgement.
    await this._settleBatch(peer, first);
  }

  private readonly _cancelledByRequester = new WeakSet<AbortController>();

  /**
   * Reads what the requester sends after its request: `cancel` while the job runs, then one
   * receipt or `withheld` once `done` is out. Closing the stream mid-job also cancels.
   */
  private async _listen(
    messages: RequesterStream,
    job: AbortController,
    peer: string,
    signal: AbortSignal,
    phase: { settling: boolean },
    settle: (message: SettleMessage | null) => void,
  ): Promise<void> {
    const stopJob = (reason: string) => {
      if (phase.settling || job.signal.aborted) return;
      this._cancelledByRequester.add(job);
      job.abort(new Error(reason));
    };
    for (;;) {
      let next;
      try {
        next = await messages.read(this._timeouts.jobMs + this._timeouts.receiptMs, signal);
      } catch (error) {
        if (!signal.aborted) {
          if (error instanceof ProtocolError) this._init.onStrike(peer);
          stopJob('The requester went away.');
        }
        settle(null);
        return;
      }
      if (next.t === 'cancel') {
        stopJob('Cancelled by the requester.');
        continue;
      }
      if (
        (next.t === 'receipt' || next.t === 'withheld' || next.t === 'held' || next.t === 'batch') &&
        phase.settling
      ) {
        settle(next);
        return;
      }
      this._init.onStrike(peer);
      stopJob('The requester broke the protocol.');
      settle(null);
      return;
    }
  }

}
