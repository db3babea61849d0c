import type { Message } from '@libp2p/gossipsub';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import type { HearthLibp2p } from '../node/create-node';
import { decodeAnnouncement, type CapacityAnnouncement } from '../protocol/capacity';
import { CAPACITY_TOPIC } from '../protocol/ids';
import type { ProviderCandidate } from './provider-ranker';

/** The DHT key under which providers of a model are recorded: a raw CIDv1 of its sha256. */
export function modelCid(sha256: string): CID {
  return CID.createV1(0x55, Digest.create(0x12, Buffer.from(sha256, 'hex')));
}

export interface ProviderDirectoryInit {
  /** Announcements older than this are forgotten. Default 60 s. */
  ttlMs?: number;
}

/**
 * What this node knows about providers: capacity announcements heard over gossipsub, and DHT
 * provider records looked up on demand when gossip has nobody for a model.
 */
export class ProviderDirectory {
  private readonly _announcements = new Map<string, { announcement: CapacityAnnouncement; seenAt: number }>();
  private readonly _ttlMs: number;
  private readonly _onMessage = (event: CustomEvent<Message>) => this._hear(event.detail);

  constructor(
    private readonly _node: HearthLibp2p,
    init: ProviderDirectoryInit = {},
  ) {
    this._ttlMs = init.ttlMs ?? 60_000;
  }

  start(): void {
    this._node.services.pubsub.subscribe(CAPACITY_TOPIC);
    this._node.services.pubsub.addEventListener('message', this._onMessage);
  }

  stop(): void {
    this._node.services.pubsub.removeEventListener('message', this._onMessage);
  }

  /** Every live provider known from gossip, for any model. */
  all(): Array<{ peerId: string; announcement: CapacityAnnouncement; seenAt: number }> {
    this._expire();
    return [...this._announcements].map(([peerId, entry]) => ({ peerId, ...entry }));
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
      }));
  }

  /** Providers of a model according to the DHT's provider records. */
  async fromDht(model: string, signal: AbortSignal): Promise<ProviderCandidate[]> {
    const found: ProviderCandidate[] = [];
    const self = this._node.peerId.toString();
    try {
      for await (const provider of this._node.contentRouting.findProviders(modelCid(model), { signal })) {
        if (provider.id.toString() === self) continue;
        found.push({
          peerId: provider.id.toString(),
          addrs: provider.multiaddrs.map((a) => a.toString()),
          price: 0,
          freeSlots: 1,
          source: 'dht',
          seenAt: Date.now(),
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
    this._announcements.set(message.from.toString(), { announcement, seenAt: Date.now() });
  }

  private _expire(): void {
    const oldest = Date.now() - this._ttlMs;
    for (const [peer, entry] of this._announcements) if (entry.seenAt < oldest) this._announcements.delete(peer);
  }
}
