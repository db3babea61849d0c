import type { Logger } from '../../log';
import type { MessageStream } from '../protocol/message-stream';
import type { JobRequest, RequesterMessageSchema } from '../protocol/messages';
import type { WalletBinding } from '../receipts';
import type { ServedJob, SettleMessage } from '../rewards/receipt-collector';
import type { OwedSlot } from './job-earnings';
import type { ModelWorkers } from './model-workers';
import type { OfferedModel } from './offered-model';
import type { ProviderStats } from './provider-stats';
import { listenToRequester } from './requester-listener';
import { TokenWriter } from './token-writer';

export interface JobRunnerInit {
  workers: Pick<ModelWorkers, 'get'>;
  /** Counters this runner keeps up to date (running, served, tokens, time). */
  stats: ProviderStats;
  /** Called whenever the counters change. */
  onChange: () => void;
  onStrike: (peer: string) => void;
  /** The wallet binding sent with `accept`, so the requester can make out a receipt; absent: unpaid. */
  binding: () => WalletBinding | undefined;
  /** One message must be accepted by the requester's side within this. */
  writeMs: number;
  /** Longest job. */
  jobMs: number;
  /** How long after `done` the requester has to send its receipt. */
  receiptMs: number;
  log: Logger;
}

/** A job that ran to `done`: its stream stays open for the requester's settle message. */
export interface FinishedJob {
  served: ServedJob;
  /** The requester's receipt, `withheld`, `held` or `batch`; null when none came. */
  settlement: Promise<SettleMessage | null>;
  /** Aborting it stops waiting for the settlement. */
  listening: AbortController;
}

/**
 * Runs accepted jobs: `accept`, the job in the model's worker with its tokens streamed back,
 * then `done` (or `error`). A job ends at its deadline, on the requester's cancel, or when the
 * provider pauses; only a requester that cancels after taking text owes it.
 */
export class JobRunner {
  private readonly _running = new Set<AbortController>();

  constructor(private readonly _init: JobRunnerInit) {}

  /** Ends every running job at once (the user came back); requesters retry elsewhere. */
  abortAll(reason: string): void {
    for (const job of this._running) job.abort(new Error(reason));
  }

  /** Runs one admitted job; `owed` is its place in the requester's unpaid count, closed here on failure. */
  async run(
    messages: MessageStream<typeof RequesterMessageSchema>,
    request: JobRequest,
    model: OfferedModel,
    peer: string,
    owed: OwedSlot | null,
  ): Promise<FinishedJob | null> {
    const { stats, writeMs, jobMs, receiptMs } = this._init;
    const job = new AbortController();
    const listening = new AbortController();
    let settling = false;
    let cancelledByRequester = false;
    let settle!: (message: SettleMessage | null) => void;
    const settlement = new Promise<SettleMessage | null>((resolve) => (settle = resolve));
    const deadline = setTimeout(() => job.abort(new Error('The job took too long.')), jobMs);
    this._running.add(job);
    stats.jobsRunning++;
    this._init.onChange();
    const started = performance.now();
    let served: ServedJob | null = null;
    const tokens = new TokenWriter(messages, writeMs, (error) => job.abort(error));
    try {
      const binding = this._init.binding();
      await messages.write({ t: 'accept', jobId: request.jobId, ...(binding ? { binding } : {}) }, writeMs);
      void listenToRequester(messages, {
        job,
        peer,
        signal: listening.signal,
        readMs: jobMs + receiptMs,
        settling: () => settling,
        onStopped: () => (cancelledByRequester = true),
        settle,
        onStrike: this._init.onStrike,
      });
      const worker = await this._init.workers.get(model);
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
        (text) => tokens.push(text),
        job.signal,
      );
      await tokens.flush();
      if (job.signal.aborted && !cancelledByRequester) throw job.signal.reason;
      // From here a receipt may arrive: the requester can answer `done` faster than we return.
      settling = true;
      await messages.write({ t: 'done', ...result, model: model.sha256, queueMs }, writeMs);
      stats.jobsServed++;
      stats.tokensGenerated += result.completionTokens;
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
      if (tokens.streamed && cancelledByRequester) owed?.unpaid();
      else owed?.cancel();
    } finally {
      clearTimeout(deadline);
      job.abort(new Error('The job ended.'));
      this._running.delete(job);
      stats.jobsRunning--;
      stats.msContributed += Math.round(performance.now() - started);
      this._init.onChange();
    }
    return served ? { served, settlement, listening } : null;
  }
}
