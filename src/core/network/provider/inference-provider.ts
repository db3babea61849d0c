import type { JobPayments } from '../../chain/job-payments';
import type { Logger } from '../../log';
import type { HearthLibp2p } from '../node/create-node';
import { INFER_PROTOCOL, SETTLE_PROTOCOL } from '../protocol/ids';
import type { MessageStream } from '../protocol/message-stream';
import { ProtocolError, RequesterMessageSchema, type JobRequest, type RequesterMessage } from '../protocol/messages';
import type { ReceiptCollector } from '../rewards/receipt-collector';
import type { GpuShare } from '../worker/gpu-share';
import type { WorkerLauncher } from '../../workers/worker-launcher';
import type { ContributionVerdict } from './contribution-policy';
import { inboundHandler, REQUEST_DEADLINE_MS, type ServeInbound } from './inbound-handler';
import { admitJob, type JobAdmissionComponents, type Refusal } from './job-admission';
import { JobEarnings } from './job-earnings';
import { JobRunner } from './job-runner';
import { ModelWorkers } from './model-workers';
import type { OfferedModel } from './offered-model';
import type { ProviderStats } from './provider-stats';
import type { UnpaidJobsJson } from './unpaid-jobs';

export type { ProviderStats } from './provider-stats';

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
 * Serves `/hearth/infer/1.0.0` (and `/hearth/settle/1.0.0` when it is paid): takes requests,
 * decides on each (job-admission.ts), runs accepted jobs in an isolated worker process per model
 * (JobRunner, ModelWorkers) and collects what they earn (JobEarnings). Anything that breaks the
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
  private readonly _timeouts: ProviderTimeouts;
  private readonly _workers: ModelWorkers;
  private readonly _runner: JobRunner;
  private readonly _earnings: JobEarnings;
  private readonly _admission: JobAdmissionComponents;
  private _started = false;

  constructor(
    private readonly _node: InferenceProviderComponents,
    private readonly _init: InferenceProviderInit,
  ) {
    const timeouts = (this._timeouts = { ...DEFAULT_TIMEOUTS, ..._init.timeouts });
    const { receipts, payments, log } = _init;
    this._workers = new ModelWorkers({
      threads: _init.threads,
      gpu: _init.gpu,
      sequences: _init.maxConcurrentJobs,
      workerEntry: _init.workerEntry,
      workerArgs: _init.workerArgs,
      workerLauncher: _init.workerLauncher,
    });
    this._earnings = new JobEarnings({
      receipts,
      payments,
      maxUnpaidJobs: _init.maxUnpaidJobs,
      unpaid: _init.unpaid,
      receiptMs: timeouts.receiptMs,
      heldMs: timeouts.heldMs,
      log,
    });
    this._runner = new JobRunner({
      workers: this._workers,
      stats: this.stats,
      onChange: _init.onChange,
      onStrike: _init.onStrike,
      binding: () => receipts?.binding,
      writeMs: timeouts.writeMs,
      jobMs: timeouts.jobMs,
      receiptMs: timeouts.receiptMs,
      log,
    });
    this._admission = {
      models: _init.models,
      verdict: _init.verdict,
      price: _init.price,
      unpaidRefusal: (requester) => this._earnings.unpaidRefusal(requester),
      freeSlots: () => this.freeSlots,
      payments,
    };
  }

  /** How many unpaid jobs this requester may have with this provider (grows with what it paid). */
  unpaidAllowance(requester: string): number {
    return this._earnings.allowance(requester);
  }

  /** Jobs this requester has not paid for (running and awaiting receipts included). */
  unpaidJobs(requester: string): number {
    return this._earnings.owed(requester);
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
    await this._node.handle(
      INFER_PROTOCOL,
      this._inbound(INFER_PROTOCOL, maxInfer, (r, m, p) => this._serve(r, m, p)),
      {
        maxInboundStreams: maxInfer,
        maxOutboundStreams: 1,
      },
    );
    if (this._earnings.collecting) {
      const settle: ServeInbound<typeof RequesterMessageSchema> = (r, m, p) =>
        this._earnings.serveSettleStream(r, m, p);
      await this._node.handle(SETTLE_PROTOCOL, this._inbound(SETTLE_PROTOCOL, 4, settle), {
        maxInboundStreams: 4,
        maxOutboundStreams: 1,
      });
    }
    this._workers.warm(this._init.models);
  }

  async stop(): Promise<void> {
    if (!this._started) return;
    this._started = false;
    this.pauseRunning('The provider stopped.');
    // A node that is stopping may have dropped the handlers already.
    await this._node.unhandle(INFER_PROTOCOL).catch(() => undefined);
    await this._node.unhandle(SETTLE_PROTOCOL).catch(() => undefined);
    await this._earnings.stop();
    await this._workers.dispose();
  }

  /** Ends every running job at once (the user came back); requesters retry elsewhere. */
  pauseRunning(reason: string): void {
    this._runner.abortAll(reason);
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

  /** One `/hearth/infer` stream: refuse, or run the job and then collect its receipt. */
  private async _serve(first: RequesterMessage, messages: RequesterStream, peer: string): Promise<void> {
    if (first.t !== 'request') throw new ProtocolError('The first message must be a request.');
    const admission = await admitJob(this._admission, first, peer);
    if ('reason' in admission) return this._refuse(messages, first, admission);
    const owed = this._earnings.open(peer);
    const finished = await this._runner.run(messages, first, admission.model, peer, owed);
    if (finished && owed)
      await this._earnings
        .collect(messages, { served: finished.served, owed }, finished.settlement, finished.listening)
        .catch(() => owed.unpaid());
    else if (finished) {
      finished.listening.abort();
      await messages.close();
    }
  }

  private async _refuse(messages: RequesterStream, request: JobRequest, { reason, message }: Refusal): Promise<void> {
    this.stats.jobsRefused++;
    this._init.onChange();
    await messages
      .write({ t: 'refuse', jobId: request.jobId, reason, message }, this._timeouts.writeMs)
      // A requester that left does not need the refusal; the stream closes next.
      .catch(() => undefined);
    await messages.close();
  }
}
