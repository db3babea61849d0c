import type { Libp2pEvents, PeerId, TypedEventTarget } from '@libp2p/interface';
import { INFER_PROTOCOL } from '../protocol/ids';

export interface PeerRedialerInit {
  /** First wait after a peer is lost. Default 1 s. */
  minDelayMs?: number;
  /** Longest wait between attempts (the wait doubles up to this). Default 60 s. */
  maxDelayMs?: number;
  /** Attempts before a peer is forgotten. Default 60 (about an hour at the longest wait). */
  maxAttempts?: number;
  /** Whether a lost peer is worth finding again (a provider, a bootstrap node). */
  keep: (peer: PeerId) => boolean | Promise<boolean>;
}

/** Exactly what the redialer needs from libp2p. */
export interface PeerRedialerComponents extends Pick<
  TypedEventTarget<Libp2pEvents>,
  'addEventListener' | 'removeEventListener'
> {
  /** Dials the peer at the addresses the peer store remembers for it. */
  dial(peer: PeerId, options: { signal: AbortSignal }): Promise<unknown>;
  /** Live connections to the peer (none: it is still lost). */
  getConnections(peer: PeerId): readonly unknown[];
}

/**
 * Finds known peers again after they go away: when a provider or bootstrap node restarts, the
 * connection drops and nothing in libp2p dials it again (bootstrap dials once, at start), so a
 * requester whose only provider restarted would stay alone. Each lost peer worth keeping is
 * redialed with exponential backoff and jitter until it answers or the attempts run out.
 */
export class PeerRedialer {
  private readonly _timers = new Map<string, NodeJS.Timeout>();
  private readonly _attempts = new Map<string, number>();
  private _stopped = true;
  private readonly _onDisconnect = (event: CustomEvent<PeerId>) => void this._lost(event.detail);
  private readonly _onConnect = (event: CustomEvent<PeerId>) => this._found(event.detail);

  constructor(
    private readonly _components: PeerRedialerComponents,
    private readonly _init: PeerRedialerInit,
  ) {}

  start(): void {
    this._stopped = false;
    this._components.addEventListener('peer:disconnect', this._onDisconnect);
    this._components.addEventListener('peer:connect', this._onConnect);
  }

  stop(): void {
    this._stopped = true;
    this._components.removeEventListener('peer:disconnect', this._onDisconnect);
    this._components.removeEventListener('peer:connect', this._onConnect);
    for (const timer of this._timers.values()) clearTimeout(timer);
    this._timers.clear();
    this._attempts.clear();
  }

  /** Looks for a peer this node knew before it started (its addresses are in the peer store). */
  seek(peer: PeerId): void {
    if (!this._stopped && !this._timers.has(peer.toString())) this._schedule(peer);
  }

  /** Peers currently being looked for (for status and tests). */
  get pending(): number {
    return this._timers.size;
  }

  private async _lost(peer: PeerId): Promise<void> {
    if (this._stopped || this._timers.has(peer.toString())) return;
    if (!(await this._init.keep(peer))) return;
    this._schedule(peer);
  }

  private _found(peer: PeerId): void {
    const key = peer.toString();
    clearTimeout(this._timers.get(key));
    this._timers.delete(key);
    this._attempts.delete(key);
  }

  private _schedule(peer: PeerId): void {
    const key = peer.toString();
    const attempt = this._attempts.get(key) ?? 0;
    if (this._stopped || attempt >= (this._init.maxAttempts ?? 60)) {
      this._attempts.delete(key);
      return;
    }
    const min = this._init.minDelayMs ?? 1_000;
    const wait = Math.min(this._init.maxDelayMs ?? 60_000, min * 2 ** attempt);
    const timer = setTimeout(() => void this._dial(peer), wait / 2 + Math.random() * (wait / 2));
    timer.unref();
    this._timers.set(key, timer);
  }

  private async _dial(peer: PeerId): Promise<void> {
    const key = peer.toString();
    this._timers.delete(key);
    if (this._stopped || this._components.getConnections(peer).length > 0) return;
    this._attempts.set(key, (this._attempts.get(key) ?? 0) + 1);
    try {
      await this._components.dial(peer, { signal: AbortSignal.timeout(10_000) });
      this._found(peer);
    } catch {
      // Still away (or refusing): the next attempt waits twice as long.
      this._schedule(peer);
    }
  }
}

/** Providers (they serve the job protocol) and the bootstrap nodes this node was told to join through. */
export function keepWorthRedialing(
  node: { peerStore: { get(peer: PeerId): Promise<{ protocols: string[] }> } },
  bootstrap: readonly string[],
): (peer: PeerId) => Promise<boolean> {
  const bootstrapIds = new Set(bootstrap.map((addr) => /\/p2p\/([^/]+)$/.exec(addr)?.[1]).filter(Boolean));
  return async (peer) => {
    if (bootstrapIds.has(peer.toString())) return true;
    // A peer the store never identified (NotFoundError) serves nothing worth finding again.
    const known = await node.peerStore.get(peer).catch(() => null);
    return known?.protocols.includes(INFER_PROTOCOL) ?? false;
  };
}
