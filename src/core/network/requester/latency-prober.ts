/** What the prober knows of one provider's round trip. */
export type Latency =
  | { state: 'pending' }
  | { state: 'measured'; ms: number; measuredAt: number }
  /** No ping answered at the last probe; the provider is ranked last, not dropped. */
  | { state: 'no-answer'; measuredAt: number; failures: number };

/** The seam to libp2p's ping service: resolves once the peer echoed one ping. */
export type PingPeer = (peerId: string, signal: AbortSignal) => Promise<unknown>;

export interface LatencyProberInit {
  /** Pings per probe; the fastest counts (the first may include dialling). Default 3. */
  pings?: number;
  /** Longest wait for one ping. Default 5 s. */
  timeoutMs?: number;
  /** A measurement older than this is redone when the provider is seen again. Default 30 s. */
  refreshMs?: number;
  /**
   * A provider that did not answer is probed again after this, doubled per further silence up to
   * refreshMs: one just discovered may not be reachable yet (its relay reservation, say). Default 5 s.
   */
  retryMs?: number;
  /** Probes running at once. Default 2. */
  concurrency?: number;
  /** Most providers tracked at once; others stay pending until a slot frees. Default 64. */
  maxTracked?: number;
  now?: () => number;
}

interface Entry {
  latency: Latency;
  /** When the provider was last observed. */
  seenAt: number;
  /** Queued or running. */
  busy: boolean;
}

/**
 * Measures providers' round-trip times with libp2p ping. Probes are triggered by seeing a
 * provider (an announcement, a DHT record) and redone only when stale, run a few at a time
 * with a timeout per ping, so a flood of announcements can never become a flood of pings.
 */
export class LatencyProber {
  private readonly _entries = new Map<string, Entry>();
  private readonly _queue: string[] = [];
  private readonly _stopped = new AbortController();
  private _running = 0;
  private readonly _options: Required<Omit<LatencyProberInit, 'now'>>;
  private readonly _now: () => number;

  constructor(
    private readonly _ping: PingPeer,
    init: LatencyProberInit = {},
  ) {
    this._options = {
      pings: init.pings ?? 3,
      timeoutMs: init.timeoutMs ?? 5_000,
      refreshMs: init.refreshMs ?? 30_000,
      retryMs: init.retryMs ?? 5_000,
      concurrency: init.concurrency ?? 2,
      maxTracked: init.maxTracked ?? 64,
    };
    this._now = init.now ?? Date.now;
  }

  /** The provider was seen: probe it if it has never been measured or its measurement is stale. */
  observe(peerId: string): void {
    if (this._stopped.signal.aborted) return;
    let entry = this._entries.get(peerId);
    if (!entry) {
      if (this._entries.size >= this._options.maxTracked && !this._evictOne()) return;
      this._entries.set(peerId, (entry = { latency: { state: 'pending' }, seenAt: this._now(), busy: false }));
    }
    entry.seenAt = this._now();
    if (entry.busy) return;
    if (!this._stale(entry.latency)) return;
    entry.busy = true;
    this._queue.push(peerId);
    this._drain();
  }

  private _stale(latency: Latency): boolean {
    if (latency.state === 'pending') return true;
    const { refreshMs, retryMs } = this._options;
    const wait = latency.state === 'measured' ? refreshMs : Math.min(refreshMs, retryMs * 2 ** (latency.failures - 1));
    return this._now() - latency.measuredAt >= wait;
  }

  latency(peerId: string): Latency {
    return this._entries.get(peerId)?.latency ?? { state: 'pending' };
  }

  /** The provider is no longer known; its slot goes to others. */
  forget(peerId: string): void {
    const entry = this._entries.get(peerId);
    if (entry && !entry.busy) this._entries.delete(peerId);
  }

  /** Frees the slot of a provider not seen for ten refresh periods (one found once in the DHT). */
  private _evictOne(): boolean {
    const before = this._now() - 10 * this._options.refreshMs;
    for (const [peerId, entry] of this._entries) {
      if (!entry.busy && entry.seenAt < before) return this._entries.delete(peerId);
    }
    return false;
  }

  stop(): void {
    this._stopped.abort();
    this._queue.length = 0;
  }

  private _drain(): void {
    while (this._running < this._options.concurrency && this._queue.length > 0) {
      const peerId = this._queue.shift()!;
      this._running++;
      void this._probe(peerId).finally(() => {
        this._running--;
        const entry = this._entries.get(peerId);
        if (entry) entry.busy = false;
        this._drain();
      });
    }
  }

  private async _probe(peerId: string): Promise<void> {
    let best = Infinity;
    for (let i = 0; i < this._options.pings && !this._stopped.signal.aborted; i++) {
      const signal = AbortSignal.any([this._stopped.signal, AbortSignal.timeout(this._options.timeoutMs)]);
      // Timed here rather than taken from libp2p, whose whole-millisecond clock reads 0 on loopback.
      const started = performance.now();
      try {
        await this._ping(peerId, signal);
      } catch {
        // A peer that cannot be reached will not answer the next ping either.
        break;
      }
      best = Math.min(best, performance.now() - started);
    }
    const entry = this._entries.get(peerId);
    if (!entry || this._stopped.signal.aborted) return;
    const measuredAt = this._now();
    const failures = entry.latency.state === 'no-answer' ? entry.latency.failures + 1 : 1;
    entry.latency = Number.isFinite(best) ? { state: 'measured', ms: best, measuredAt } : { state: 'no-answer', measuredAt, failures };
  }
}
