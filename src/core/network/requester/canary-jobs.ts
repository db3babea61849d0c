import { randomInt } from 'node:crypto';
import type { Logger } from '../../log';
import type { CanaryReference } from '../audit';
import type { JobSettler } from '../rewards/job-settler';
import type { Settlement } from '../rewards/settlement';
import { randomSeed } from './job-stream';
import { DEFAULT_MAX_PRICE, type GenerateOptions, type NetworkJob } from './network-job';
import type { ProviderDirectory } from './provider-directory';
import type { ProviderCandidate, ProviderRanker } from './provider-ranker';

/** Sends one job to one provider and pays it as any other (the Requester's own attempt). */
export type SendAttempt = (
  candidate: ProviderCandidate,
  job: NetworkJob,
  options: GenerateOptions,
  spent: (amount: bigint) => void,
  canary: CanaryReference,
) => Promise<{ settlement: Promise<Settlement> }>;

export interface CanaryJobsInit {
  settler: Pick<JobSettler, 'nextCanary' | 'reserve'>;
  directory: Pick<ProviderDirectory, 'find'>;
  ranker: ProviderRanker;
  send: SendAttempt;
  /** True while the user has a job of their own: no canary is sent then. */
  userBusy: () => boolean;
  /** A canary goes out at a random time between these after the job that drew it. */
  minMs: number;
  maxMs: number;
  log: Logger;
}

/**
 * Canaries: greedy jobs whose answer the requester already knows, on fresh prompts like the
 * user's, sent now and then to a random provider of the model that has a free slot, never while
 * the user has a job of their own. Their outcome feeds reputation like an audit's.
 */
export class CanaryJobs {
  private readonly _inFlight = new Map<Promise<unknown>, AbortController>();
  private readonly _timers = new Set<NodeJS.Timeout>();

  constructor(private readonly _init: CanaryJobsInit) {}

  /** After a settled job: schedules a canary for its model when the settler draws one. */
  maybeSend(model: string): void {
    const canary = this._init.settler.nextCanary();
    if (!canary) return;
    const { minMs: min, maxMs: max } = this._init;
    const timer = setTimeout(
      () => {
        this._timers.delete(timer);
        void this._send(model, canary).catch((error: unknown) =>
          this._init.log.debug({ event: 'network-canary-not-sent', reason: (error as Error).message }),
        );
      },
      min + randomInt(Math.max(1, max - min)),
    );
    timer.unref();
    this._timers.add(timer);
  }

  /**
   * Cancels canaries in flight and waits (briefly) until their providers are told, so a canary
   * never holds the slot the user's own job needs.
   */
  async yieldToUser(): Promise<void> {
    if (this._inFlight.size === 0) return;
    for (const controller of this._inFlight.values()) controller.abort(new Error('The user needs the slot.'));
    await Promise.race([
      Promise.allSettled([...this._inFlight.keys()]),
      new Promise((resolve) => setTimeout(resolve, 5_000).unref()),
    ]);
  }

  /** Drops canaries not sent yet and waits for those in flight (before the node stops). */
  async idle(): Promise<void> {
    for (const timer of this._timers) clearTimeout(timer);
    this._timers.clear();
    await Promise.allSettled([...this._inFlight.keys()]);
  }

  private async _send(model: string, canary: CanaryReference): Promise<void> {
    if (this._init.userBusy()) return;
    const found = await this._init.directory.find(model, { waitMs: 0 });
    const ranked = (await this._init.ranker.rank(found, model)).filter(
      (c) => c.freeSlots > 0 && c.price <= DEFAULT_MAX_PRICE,
    );
    const candidate = ranked[randomInt(Math.max(1, ranked.length))];
    if (!candidate || this._init.userBusy()) return;
    let release: (spent: bigint) => void;
    try {
      release = this._init.settler.reserve(candidate.price, canary.maxTokens);
    } catch {
      return; // Canaries never take the requester past its spending limit.
    }
    const controller = new AbortController();
    const run = this._init
      .send(
        candidate,
        { model, prompt: canary.prompt, maxTokens: canary.maxTokens, temperature: 0, topP: 1, seed: randomSeed() },
        { signal: controller.signal },
        release,
        canary,
      )
      .then((result) => result.settlement)
      .catch(() => release(0n))
      .finally(() => this._inFlight.delete(run));
    this._inFlight.set(run, controller);
    await run;
  }
}
