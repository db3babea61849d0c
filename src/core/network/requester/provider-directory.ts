import type { Message } from '@libp2p/gossipsub';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import type { HearthLibp2p } from '../node/create-node';
import { decodeAnnouncement, type CapacityAnnouncement } from '../protocol/capacity';
import { CAPACITY_TOPIC } from '../protocol/ids';
import { LatencyProber, type LatencyProberInit } from './latency-prober';
import type { ProviderCandidate } from './provider-ranker';

/** The DHT key under which providers of a model are recorded: a raw CIDv1 of its sha256. */
export function modelCid(sha256: string): CID {
  return CID.createV1(0x55, Digest.create(0x12, Buffer.from(sha256, 'hex')));
}

export interface ProviderDirectoryInit {
  /** Announcements older than this are forgotten. Default 60 s. */
  ttlMs?: number;
  /** How providers' round trips are measured (see LatencyProber). */
  latency?: LatencyProberInit;
}

/** A provider as the directory knows it. */
export interface KnownProvider {
  peerId: string;
  announcement: CapacityAnnouncement;
  seenAt: number;
  /** Fastest of the last probe's ping round trips, ms; absent until measured or when it did not answer. */
  latencyMs?: number;
  /** The last probe got no answer to any ping. */
  pingFailed: boolean;
}

/** What the directory needs of the libp2p node: gossip, ping, the DHT and the peer store. */
export type ProviderDirectoryComponents = Pick<HearthLibp2p, 'peerId' | 'contentRouting'> & {
  peerStore: Pick<HearthLibp2p['peerStore'], 'merge'>;
  services: Pick<HearthLibp2p['services'], 'pubsub' | 'ping'>;
};

/**
 * What this node knows about providers: capacity announcements heard over gossipsub, and DHT
 * provider records looked up on demand when gossip has nobody for a model, each with its
 * round trip measured by libp2p ping.
 */

export class ProviderDirectory {
  private readonly _announcements = new Map<string, { announcement: CapacityAnnouncement; seenAt: number }>();
  private readonly _ttlMs: number;
  private readonly _prober: LatencyProber;
  private readonly _onMessage = (event: CustomEvent<Message>) => this._hear(event.detail);

  constructor(
    private readonly _node: ProviderDirectoryComponents,
    init: ProviderDirectoryInit = {},
  ) {
    this._ttlMs = init.ttlMs ?? 60_000;
    this._prober = new LatencyProber((peerId, signal) => this._ping(peerId, signal), init.latency);
  }

  start(): void {
    this._node.services.pubsub.subscribe(CAPACITY_TOPIC);
    this._node.services.pubsub.addEventListener('message', this._onMessage);
  }

  stop(): void {
    this._node.services.pubsub.removeEventListener('message', this._onMessage);
    this._prober.stop();
  }

  /** Every live provider known from gossip, for any model. */
  all(): KnownProvider[] {
    this._expire();
    return [...this._announcements].map(([peerId, entry]) => ({ peerId, ...entry, ...this._latencyOf(peerId) }));
  }

  /** Candidates for a model from gossip; falls back to the DHT when gossip knows nobody. */
  async find(model: string, options: { signal?: AbortSignal; waitMs?: number } = {}): Promise<ProviderCandidate[]> {
    const deadline = Date.now() + (options.waitMs ?? 5_000);
    for (;;) {
      const fromGossip = this._fromGossip(model);
      if (fromGossip.length > 0) return fromGossip;
      const fromDht = await this.fromDht(model, AbortSignal.timeout(Math.max(500, Math.min(2_000, deadline - Date.now()))));
      if (fromDht.length > 0) return fromDht;
      if (Date.now() >= deadline || options.signal?.aborted) return [];
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private _fromGossip(model: string): ProviderCandidate[] {
    this._expire();
    return [...this._announcements]
      .filter(([, { announcement }]) => announcement.models.some((m) => m.sha256 === model))
      .map(([peerId, { announcement, seenAt }]) => ({
        peerId,
        addrs: announcement.addrs,
        price: announcement.price,
        freeSlots: announcement.freeSlots,
        source: 'gossip' as const,
        seenAt,
        ...this._latencyOf(peerId),
      }));
  }

  private _latencyOf(peerId: string): { latencyMs?: number; pingFailed: boolean } {
    const latency = this._prober.latency(peerId);
    if (latency.state === 'measured') return { latencyMs: latency.ms, pingFailed: false };
    return { pingFailed: latency.state === 'no-answer' };
  }

  /** One ping, dialling the addresses the provider announced when there is no connection yet. */
  private async _ping(peerId: string, signal: AbortSignal): Promise<void> {
    const id = peerIdFromString(peerId);
    const addrs = parseAddrs(this._announcements.get(peerId)?.announcement.addrs ?? []);
    if (addrs.length > 0) await this._node.peerStore.merge(id, { multiaddrs: addrs });
    await this._node.services.ping.ping(id, { signal });
  }

  /** Providers of a model according to the DHT's provider records. */
  async fromDht(model: string, signal: AbortSignal): Promise<ProviderCandidate[]> {
    const found: ProviderCandidate[] = [];
    const self = this._node.peerId.toString();
    try {
      for await (const provider of this._node.contentRouting.findProviders(modelCid(model), { signal })) {
        if (provider.id.toString() === self) continue;
        // A DHT record names no price; the provider's announcement, once heard, does.
        if (provider.multiaddrs.length > 0) await this._node.peerStore.merge(provider.id, { multiaddrs: provider.multiaddrs });
        this._prober.observe(provider.id.toString());
        found.push({
          peerId: provider.id.toString(),
          addrs: provider.multiaddrs.map((a) => a.toString()),
          price: 0,
          freeSlots: 1,
          source: 'dht',
          seenAt: Date.now(),
          ...this._latencyOf(provider.id.toString()),
        });
        if (found.length >= 8) break;
      }
    } catch {
      // No DHT peers yet, or the lookup timed out: gossip may still answer.
    }
    return found;
  }

  private _hear(message: Message): void {
    if (message.topic !== CAPACITY_TOPIC || message.type !== 'signed') return;
    const announcement = decodeAnnouncement(message.data);
    if (!announcement) return;
    const peerId = message.from.toString();
    this._announcements.set(peerId, { announcement, seenAt: Date.now() });
    // Announcements come every few seconds; the prober re-pings only once a measurement is stale.
    this._prober.observe(peerId);
  }

  private _expire(): void {
    const oldest = Date.now() - this._ttlMs;
    for (const [peer, entry] of this._announcements) {
      if (entry.seenAt >= oldest) continue;
      this._announcements.delete(peer);
      this._prober.forget(peer);
    }
  }
}

function parseAddrs(addrs: readonly string[]): Multiaddr[] {
  return addrs.flatMap((a) => {
    try {
      return [multiaddr(a)];
    } catch {
      return [];
    }
  });
}
