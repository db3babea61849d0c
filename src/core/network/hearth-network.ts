import { peerIdFromString } from '@libp2p/peer-id';
import { isLoopback, isPrivate } from '@libp2p/utils';
import { multiaddr } from '@multiformats/multiaddr';
import type { Logger } from '../log';
import { createHearthNode, type HearthLibp2p, type HearthNodeInit } from './node/create-node';
import type { KnownPeers } from './node/known-peers';
import { keepWorthRedialing, PeerRedialer, type PeerRedialerInit } from './node/peer-redialer';
import { encodeAnnouncement } from './protocol/capacity';
import { CAPACITY_TOPIC, INFER_PROTOCOL } from './protocol/ids';
import { InferenceProvider, type InferenceProviderInit, type ProviderStats } from './provider/inference-provider';
import { modelCid, ProviderDirectory } from './requester/provider-directory';
import type { ProviderRanker } from './requester/provider-ranker';
import { Requester, type RequesterTimeouts } from './requester/requester';
import type { JobPayments } from '../chain/job-payments';
import type { TokenAuditor } from './audit';
import { AuditServer, type AuditServerInit } from './provider/audit-server';
import type { JobSettler } from './rewards/job-settler';
import type { RemoteAuditors } from './rewards/remote-auditors';
import type { ReceiptCollector } from './rewards/receipt-collector';

/** The node's own options (see HearthNodeInit), minus the block list the network keeps itself. */
export interface HearthNetworkInit extends Omit<HearthNodeInit, 'isBlocked'> {
  /**
   * Present when this node offers models; absent for a pure requester, relay or bootstrap. The
   * network supplies the rest (log, strikes, change reports, receipts); `price` is also announced.
   */
  provider?: Omit<InferenceProviderInit, 'onStrike' | 'onChange' | 'log' | 'receipts' | 'payments' | 'unpaid'>;
  ranker?: ProviderRanker;
  /**
   * Audits and receipts. `settler`: this node audits and pays for the jobs it sends;
   * `receipts`: this node asks to be paid for the jobs it serves. Absent: neither.
   */
  rewards?: {
    settler?: JobSettler;
    receipts?: ReceiptCollector;
    /** Unpaid-job counts kept across restarts (NodeRewards.unpaid). */
    unpaid?: InferenceProviderInit['unpaid'];
    /** Unpaid-audit counts kept across restarts (NodeRewards.unpaidAudits). */
    unpaidAudits?: AuditServerInit['unpaid'];
    /** Third-party audits of the jobs this node sends (NodeRewards.remoteAuditors). */
    remoteAuditors?: RemoteAuditors;
    /** With a provider: this node serves audits of the models it offers with these auditors. */
    auditorFor?: (sha256: string) => Promise<TokenAuditor | null>;
  };
  /** Escrow payments on chain (src/core/chain); absent when no chain is configured. */
  payments?: JobPayments;
  requesterTimeouts?: Partial<RequesterTimeouts>;
  /** Providers and bootstrap nodes reached before, sought at start and kept up to date. */
  knownPeers?: KnownPeers;
  /** Backoff for finding lost providers and bootstrap nodes again (see PeerRedialer). */
  redial?: Omit<PeerRedialerInit, 'keep'>;
  /** How often a provider announces its capacity. Default 5 s. */
  announceIntervalMs?: number;
  log: Logger;
  /** Something in the status changed. */
  onChange: () => void;
}

export interface HearthNetworkStatus {
  peerId: string;
  addresses: string[];
  peers: number;
  reachability: 'public' | 'private' | 'relayed';
  relays: string[];
  providersKnown: number;
  stats: ProviderStats;
}

/** After this many protocol violations a peer's connections are refused. */
const STRIKES_TO_BLOCK = 3;

/**
 * One running Hearth node: libp2p plus the job provider, the provider directory and the
 * requester. Created by the network service from settings; tests and the CLI make their own.
 */
export class HearthNetwork {
  readonly directory: ProviderDirectory;
  readonly requester: Requester;
  readonly provider: InferenceProvider | null;
  /** Serves `/hearth/audit` for the offered models; null without a provider or auditors. */
  readonly auditServer: AuditServer | null;
  private readonly _strikes = new Map<string, number>();
  private _announceTimer: NodeJS.Timeout | undefined;
  private _soonTimer: NodeJS.Timeout | undefined;
  private _providing = false;
  private _nextProvideAt = 0;
  private _stopped = false;
  private readonly _redialer: PeerRedialer;

  private constructor(
    readonly node: HearthLibp2p,
    private readonly _init: HearthNetworkInit,
    private readonly _blocked: Set<string>,
  ) {
    this.directory = new ProviderDirectory(node);
    this._redialer = new PeerRedialer(node, { ..._init.redial, keep: keepWorthRedialing(node, _init.bootstrap) });
    this.requester = new Requester(node, {
      directory: this.directory,
      ranker: _init.ranker,
      timeouts: _init.requesterTimeouts,
      settler: _init.rewards?.settler,
      payments: _init.payments,
      log: _init.log,
    });
    this.provider = _init.provider
      ? new InferenceProvider(node, {
          ..._init.provider,
          receipts: _init.rewards?.receipts,
          unpaid: _init.rewards?.unpaid,
          payments: _init.payments,
          log: _init.log,
          onStrike: (peer) => this._strike(peer),
          onChange: () => _init.onChange(),
        })
      : null;
    const provider = _init.provider;
    const auditorFor = _init.rewards?.auditorFor;
    this.auditServer =
      provider && auditorFor
        ? new AuditServer(node, {
            models: () => provider.models,
            auditorFor,
            verdict: provider.verdict,
            price: provider.price,
            receipts: _init.rewards?.receipts,
            unpaid: _init.rewards?.unpaidAudits,
            onStrike: (peer) => this._strike(peer),
            log: _init.log,
          })
        : null;
  }

  static async start(init: HearthNetworkInit): Promise<HearthNetwork> {
    const blocked = new Set<string>();
    const node = await createHearthNode({ ...init, isBlocked: (peer) => blocked.has(peer) });
    const network = new HearthNetwork(node, init, blocked);
    network.directory.start();
    network._redialer.start();
    await network._followKnownPeers();
    await network.provider?.start();
    await network.auditServer?.start();
    init.rewards?.remoteAuditors?.attach(node, network.directory);
    for (const name of ['peer:connect', 'peer:disconnect', 'self:peer:update'] as const) {
      node.addEventListener(name, () => init.onChange());
    }
    if (network.provider && network.provider.models.length > 0) {
      network.announce();
      network._announceTimer = setInterval(() => network.announce(), init.announceIntervalMs ?? 5_000);
      // A peer that just joined the topic hears us at once instead of at the next tick.
      node.services.pubsub.addEventListener('subscription-change', () => network._announceSoon());
    }
    init.log.info({ event: 'network-start', peerId: node.peerId.toString() });
    return network;
  }

  /** Seeks the peers known from earlier runs, and remembers each provider or bootstrap node identified. */
  private async _followKnownPeers(): Promise<void> {
    const known = this._init.knownPeers;
    if (!known) return;
    const keep = keepWorthRedialing(this.node, this._init.bootstrap);
    this.node.addEventListener('peer:identify', (event) => {
      const { peerId, listenAddrs, protocols } = event.detail;
      const remember = () =>
        known.remember(
          peerId.toString(),
          listenAddrs.map((a) => a.toString()),
        );
      if (protocols.includes(INFER_PROTOCOL)) remember();
      else void keep(peerId).then((worth) => worth && remember());
    });
    for (const peer of known.list()) {
      try {
        const id = peerIdFromString(peer.peerId);
        if (id.equals(this.node.peerId)) continue;
        await this.node.peerStore.merge(id, { multiaddrs: peer.addrs.map((a) => multiaddr(a)) });
        this._redialer.seek(id);
      } catch (error) {
        this._init.log.debug({
          event: 'network-known-peer-skipped',
          peer: peer.peerId,
          reason: (error as Error).message,
        });
      }
    }
  }

  /** Publishes this provider's models and free slots now (also runs on a timer). */
  announce(): void {
    const provider = this.provider;
    if (!provider || this._stopped) return;
    // A paused node stays quiet: nobody should plan on it until it is ready again.
    const verdict = this._init.provider?.verdict();
    if (verdict?.state !== 'ready') return;
    const data = encodeAnnouncement({
      v: 1,
      models: provider.models.map(({ sha256, name }) => ({ sha256, name })),
      freeSlots: provider.freeSlots,
      price: this._init.provider?.price?.() ?? 0,
      addrs: this.node.getMultiaddrs().map((a) => a.toString()),
    });
    // No subscribers yet (a lone node) is not an error: the next announcement goes out in seconds.
    this.node.services.pubsub.publish(CAPACITY_TOPIC, data).catch(() => undefined);
    if (this.node.getPeers().length > 0) this._provideOnDht();
  }

  private _announceSoon(): void {
    if (this._soonTimer) return;
    this._soonTimer = setTimeout(() => {
      this._soonTimer = undefined;
      this.announce();
    }, 300);
  }

  status(): HearthNetworkStatus {
    const multiaddrs = this.node.getMultiaddrs();
    const addresses = multiaddrs.map((a) => a.toString());
    const relayed = addresses.filter((a) => a.includes('/p2p-circuit'));
    const direct = multiaddrs.filter((a) => !a.toString().includes('/p2p-circuit'));
    const relays = [...new Set(relayed.map((a) => /\/p2p\/([^/]+)\/p2p-circuit/.exec(a)?.[1] ?? ''))].filter(Boolean);
    const isPublic = direct.some((a) => !isLoopback(a) && !isPrivate(a));
    return {
      peerId: this.node.peerId.toString(),
      addresses,
      peers: this.node.getPeers().length,
      reachability: isPublic ? 'public' : direct.length === 0 && relayed.length > 0 ? 'relayed' : 'private',
      relays,
      providersKnown: this.directory.all().length,
      stats: this.provider
        ? { ...this.provider.stats }
        : { jobsRunning: 0, jobsServed: 0, jobsRefused: 0, tokensGenerated: 0, msContributed: 0 },
    };
  }

  async stop(): Promise<void> {
    if (this._stopped) return;
    this._stopped = true;
    clearInterval(this._announceTimer);
    clearTimeout(this._soonTimer);
    // Held receipts go to their providers before the node goes (bounded: a provider may be gone).
    await Promise.race([this.requester.settleBatches(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    this.directory.stop();
    this._redialer.stop();
    this._init.rewards?.remoteAuditors?.detach();
    await this.auditServer?.stop();
    await this.provider?.stop();
    await this.node.stop();
    await this._init.knownPeers?.flush();
    this._init.log.info({ event: 'network-stop' });
  }

  /**
   * Records this provider under each model's key in the DHT. Until a record lands (there may be
   * no DHT peers yet) it retries with every announcement; afterwards every 10 minutes.
   */
  private _provideOnDht(): void {
    if (this._providing || this._stopped || Date.now() < this._nextProvideAt) return;
    this._providing = true;
    const models = this.provider?.models ?? [];
    Promise.all(
      models.map((m) => this.node.contentRouting.provide(modelCid(m.sha256), { signal: AbortSignal.timeout(30_000) })),
    )
      .then(() => (this._nextProvideAt = Date.now() + 600_000))
      // No DHT peers yet: providing is tried again at the next announcement.
      .catch(() => undefined)
      .finally(() => (this._providing = false));
  }

  private _strike(peer: string): void {
    const strikes = (this._strikes.get(peer) ?? 0) + 1;
    this._strikes.set(peer, strikes);
    if (strikes < STRIKES_TO_BLOCK) return;
    this._blocked.add(peer);
    this._init.log.warn({ event: 'network-peer-blocked', peer });
    for (const connection of this.node.getConnections()) {
      // Closing a connection that is already closing is fine; the peer stays blocked either way.
      if (connection.remotePeer.toString() === peer) void connection.close().catch(() => undefined);
    }
  }
}
