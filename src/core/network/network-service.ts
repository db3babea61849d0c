import { appendFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type * as v from 'valibot';
import type { Contract } from '../../shared/contract';
import type { ServiceOf } from '../../shared/contract/define';
import type { NetworkStartSchema, NetworkStatus } from '../../shared/contract/network';
import type { Settings } from '../../shared/settings';
import { DisposedError } from '../disposable';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import { modelsDir } from '../paths';
import type { DamagedSecretError, SecretStore } from '../secrets';
import type { OnStateDamage } from '../state';
import { createChainPayments, type ChainPayments } from '../chain/chain-payments';
import { loadOrCreateWallet } from './receipts/wallet';
import { HearthNetwork } from './hearth-network';
import { LedgerCorruptError } from './ledger';
import { sessionIdentity, type loadOrCreateIdentity } from './node/identity';
import { KnownPeers } from './node/known-peers';
import { ListenPorts } from './node/listen-ports';
import { ContributionGate } from './contribution-gate';
import type { ContributionVerdict, PowerState } from './provider/contribution-policy';
import type { OfferedModel } from './provider/offered-model';
import { describeModel } from './provider/offered-model';
import type { ProviderRanker } from './requester/provider-ranker';
import { reputationRanker } from './requester/reputation-ranker';
import { NodeRewards } from './rewards/node-rewards';
import { gpuShareFrom } from './worker/gpu-share';
import type { WorkerLauncher } from '../workers/worker-launcher';
import { UserActivity } from '../activity/user-activity';

export interface NetworkServiceInit {
  dataDir: string;
  settings: { get(): Settings };
  secrets: SecretStore;
  events: EventBus;
  log: Logger;
  /** Default: the built network-worker.js next to the bundle. */
  workerEntry?: string;
  /** Starts network workers. Default: forkWorker; the desktop app passes its utility-process launcher. */
  workerLauncher?: WorkerLauncher;
  /** Default: the reputation ranker over this node's reputation book (good providers first, banned ones never). */
  ranker?: ProviderRanker;
  /**
   * Start and stop the node as settings.network.contribute changes, from the start. The desktop
   * app does; one-shot CLI commands do not, and `hearth serve --network` starts it explicitly.
   * Default false.
   */
  followSettings?: boolean;
  /** What the user is doing: contribution pauses at every use of Hearth. Default: its own, over `events`. */
  activity?: UserActivity;
  /** Where a key problem that stops the node is shown to the user. Default: only the log and the error. */
  notices?: { post(level: 'error', message: string): unknown };
  /** Told about damaged network state files (reputation.json) after they were set aside. */
  onDamage?: OnStateDamage;
}


type StartOptions = v.InferOutput<typeof NetworkStartSchema>;

/**
 * The `network` namespace: owns the node's lifetime (from settings or an explicit start), the
 * contribution policy inputs (power state, local use) and the requester entry point.
 */
export class NetworkService {
  private _network: HearthNetwork | null = null;
  private _rewards: NodeRewards | null = null;
  private _payments: ChainPayments | null = null;
  private _starting: Promise<HearthNetwork> | null = null;
  private _offered: OfferedModel[] = [];
  /** The start options and offered file names of the running node, to restart it with a new offer. */
  /** The running restart that applies changed node settings, awaited by dispose. */
  private _restarted: Promise<void> = Promise.resolve();
  private readonly _gate: ContributionGate;
  private _contributeOverride = false;
  private _explicit = false;
  private _emitTimer: NodeJS.Timeout | undefined;
  private readonly _jobs = new Map<string, AbortController>();
  private readonly _tick: NodeJS.Timeout;
  private readonly _unsubscribe: () => void;
  private readonly _stopFollowingUse: () => void;
  private _disposed = false;
  /** What the running node was started with, to restart it the same way when its settings change. */
  private _startOptions: StartOptions = {};
  private _startedWith = '';
  private _restarting = false;
  /** Why this start is on new ports although earlier ones were remembered; null when it is not. */
  private _portsNote: string | null = null;

  constructor(private readonly _init: NetworkServiceInit) {
    this._gate = new ContributionGate({
      settings: () => _init.settings.get().network,
      contributeOverride: () => this._contributeOverride,
      // Serving records every job in the ledger; a damaged ledger pauses serving until the user decides.
      pausedBecause: () => (this._rewards?.ledger.damage ? LEDGER_DAMAGED : null),
      onChange: (verdict) => {
        // Running jobs stop the moment contribution is no longer allowed.
        if (verdict.state !== 'ready') this._network?.provider?.pauseRunning(verdict.reason || 'Contribution paused.');
        this._network?.announce();
        this._emitStatus();
      },
    });
    const activity = _init.activity ?? new UserActivity(_init.events);
    const stopFollowing = activity.onUse(() => this.markLocalUse());
    this._stopFollowingUse = _init.activity ? stopFollowing : () => activity.dispose();
    this._unsubscribe = _init.events.onAny((name) => {
      if (name === 'settings.changed') {
        if (_init.followSettings) void this._followSettings();
        else this._reassess();
        this._applyNodeSettings();
      }
    });
    // Idleness, schedules and the quiet period change with time alone.
    this._tick = setInterval(() => this._reassess(), 5_000);
    this._tick.unref();
    if (_init.followSettings && _init.settings.get().network.contribute) void this._followSettings();
  }

  /** The user chats, asks or indexes: pause contribution now and for LOCAL_QUIET_MS after. */
  markLocalUse(): void {
    this._gate.markLocalUse();
  }

  verdict(): ContributionVerdict {
    return this._gate.verdict();
  }

  /** "Not now": contribution waits this long, whatever the idle time says. */
  snooze(minutes: number): ContributionVerdict {
    return this._gate.snooze(minutes);
  }

  async start(options: StartOptions = {}): Promise<HearthNetwork> {
    if (this._disposed) throw new DisposedError('The network service');
    this._explicit = true;
    if (options.contribute) this._contributeOverride = true;
    return this._ensureRunning(options);
  }

  async stop(): Promise<void> {
    this._explicit = false;
    this._contributeOverride = false;
    // A start that failed has already reported its error to whoever started it; nothing to stop.
    const network = this._network ?? (await this._starting?.catch(() => null));
    this._network = null;
    this._starting = null;
    for (const job of this._jobs.values()) job.abort(new Error('The network stopped.'));
    await network?.stop();
    const rewards = this._rewards;
    this._rewards = null;
    await rewards?.dispose();
    this._payments?.dispose();
    this._payments = null;
    this._emitStatus();
  }

  get network(): HearthNetwork | null {
    return this._network;
  }

  /** Wallet, ledger, audits and reputation of the running node; null while stopped. */
  get rewards(): NodeRewards | null {
    return this._rewards;
  }

  status(): NetworkStatus {
    const verdict = this.verdict();
    const network = this._network;
    if (!network) {
      return {
        running: false,
        peerId: null,
        addresses: [],
        peers: 0,
        reachability: 'offline',
        relays: [],
        contribution: verdict,
        offeredModels: [],
        providersKnown: 0,
        jobsRunning: 0,
        jobsServed: 0,
        jobsRefused: 0,
        tokensGenerated: 0,
        secondsContributed: 0,
      };
    }
    const s = network.status();
    return {
      running: true,
      peerId: s.peerId,
      addresses: s.addresses,
      peers: s.peers,
      reachability: s.reachability,
      relays: s.relays,
      contribution: verdict,
      offeredModels: this._offered.map(({ name, sha256 }) => ({ name, sha256 })),
      providersKnown: s.providersKnown,
      jobsRunning: s.stats.jobsRunning,
      jobsServed: s.stats.jobsServed,
      jobsRefused: s.stats.jobsRefused,
      tokensGenerated: s.stats.tokensGenerated,
      secondsContributed: Math.round(s.stats.msContributed / 1000),
      ...(this._portsNote ? { portsNote: this._portsNote } : {}),
    };
  }

  reportPowerState(power: PowerState): ContributionVerdict {
    return this._gate.reportPowerState(power);
  }

  /** The contract face of this service. */
  api(): ServiceOf<Contract['network']> {
    return {
      status: async () => this.status(),
      start: async (options) => {
        await this.start(options);
        return this.status();
      },
      stop: async () => {
        await this.stop();
        return this.status();
      },
      reportPowerState: async (power) => this.reportPowerState(power),
      snooze: async ({ minutes }) => {
        this.snooze(minutes);
        return this.status();
      },
      providers: async ({ model }) =>
        (this._network?.directory.all() ?? [])
          .filter((p) => !model || p.announcement.models.some((m) => m.sha256 === model))
          .map((p) => ({
            peerId: p.peerId,
            models: p.announcement.models,
            freeSlots: p.announcement.freeSlots,
            price: p.announcement.price,
            latencyMs: p.latencyMs ?? null,
            pingFailed: p.pingFailed,
            seenAt: p.seenAt,
          })),
      generate: async (input) => {
        const network = await this._ensureRunning({});
        // Paying for a job that the ledger cannot record would spend credits off the books.
        const damage = this._rewards?.ledger.damage;
        if (damage) throw new LedgerCorruptError(this._rewards!.ledger.file, damage.problems);
        const controller = new AbortController();
        this._jobs.set(input.jobId, controller);
        let attempt = 0;
        try {
          const result = await network.requester.generate(
            {
              model: input.model,
              prompt: input.prompt,
              maxTokens: input.maxTokens,
              temperature: input.temperature,
              seed: input.seed,
              maxPrice: this._init.settings.get().network.maxPricePer1kTokens ?? undefined,
            },
            {
              signal: controller.signal,
              onAttempt: (a) => (attempt = a.attempt),
              onToken: (text) => this._init.events.emit('network.token', { jobId: input.jobId, text, attempt }),
            },
          );
          return {
            jobId: input.jobId,
            text: result.text,
            peerId: result.peerId,
            attempts: result.attempts,
            promptTokens: result.summary.promptTokens,
            completionTokens: result.summary.completionTokens,
            totalMs: result.totalMs,
            stopReason: result.summary.stopReason,
            audit: (await result.settlement).audit,
          };
        } finally {
          this._jobs.delete(input.jobId);
        }
      },
      cancel: async ({ jobId }) => {
        const job = this._jobs.get(jobId);
        job?.abort(new Error('Cancelled.'));
        return { cancelled: job !== undefined };
      },
    };
  }

  get disposed(): boolean {
    return this._disposed;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    clearInterval(this._tick);
    this._gate.dispose();
    clearTimeout(this._emitTimer);
    this._unsubscribe();
    this._stopFollowingUse();
    await this._restarted;
    await this.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private async _followSettings(): Promise<void> {
    if (this._disposed) return;
    const wanted = this._init.settings.get().network.contribute;
    try {
      if (wanted && !this._network && !this._starting) await this._ensureRunning({});
      else if (!wanted && !this._explicit && this._network) await this.stop();
    } catch (error) {
      this._init.log.warn({ event: 'network-start-failed', reason: (error as Error).message });
    }
    this._reassess();
  }

  private _ensureRunning(options: StartOptions): Promise<HearthNetwork> {
    if (this._network) return Promise.resolve(this._network);
    this._starting ??= this._startNetwork(options).then(
      (network) => {
        this._network = network;
        this._emitStatus();
        return network;
      },
      (error: unknown) => {
        this._starting = null;
        if ((error as Error).name === 'DamagedSecretError') {
          // The user has to act (restore or delete the key file); a log line alone would go unseen.
          this._init.log.error(
            { event: 'network-key-damaged', file: (error as DamagedSecretError).file },
            (error as Error).message,
          );
          this._init.notices?.post('error', (error as Error).message);
        }
        throw error;
      },
    );
    return this._starting;
  }

  /**
   * Settings the node reads only when it starts (addresses, discovery, identity, offered models,
   * threads, job slots) apply by restarting it, once no job runs here (re-checked every tick).
   */
  private _applyNodeSettings(): void {
    if (!this._network || this._restarting || this._disposed) return;
    if (nodeSettingsKey(this._init.settings.get()) === this._startedWith) return;
    if (this._jobs.size > 0 || this._network.status().stats.jobsRunning > 0) return;
    this._restarting = true;
    this._restarted = this._restart().finally(() => (this._restarting = false));
  }

  private async _restart(): Promise<void> {
    const { _explicit: explicit, _contributeOverride: override, _startOptions: options } = this;
    this._init.log.info({ event: 'network-restart', reason: 'settings changed' });
    try {
      await this.stop();
      this._explicit = explicit;
      this._contributeOverride = override;
      // The remembered ports (network/listen-ports.json) keep the node's address the same.
      await this._ensureRunning(options);
    } catch (error) {
      this._init.log.warn({ event: 'network-restart-failed', reason: (error as Error).message });
      this._init.notices?.post(
        'error',
        `The node stopped to apply your network settings and could not start again: ${(error as Error).message}`,
      );
    }
  }

  private async _startNetwork(options: StartOptions): Promise<HearthNetwork> {
    const settings = this._init.settings.get().network;
    this._startOptions = options;
    this._startedWith = nodeSettingsKey(this._init.settings.get());
    const modelNames = options.models ?? settings.offeredModels;
    this._offered = await Promise.all(
      modelNames.map((name) => describeModel(isAbsolute(name) ? name : join(modelsDir(this._init.dataDir), name))),
    );
    const bootstrap = [...settings.bootstrap, ...(options.bootstrap ?? [])];
    const listen = options.listen ?? (settings.listen.length > 0 ? settings.listen : DEFAULT_LISTEN);
    const privateKey = await sessionIdentity(this._init.secrets, settings.freshPeerId);
    const rewards = await NodeRewards.open({
      dataDir: this._init.dataDir,
      modelsDir: modelsDir(this._init.dataDir),
      secrets: this._init.secrets,
      privateKey,
      // Read at every job, so a change on the Contribute page applies without a restart.
      auditShare: () => this._init.settings.get().network.auditShare,
      offered: () => this._offered,
      onEntry: (entry) => this._init.events.emit('rewards.changed', { seq: entry.seq }),
      log: this._init.log,
      onDamage: this._init.onDamage,
    });
    this._rewards = rewards;
    const payments = await this._chainPayments();
    const start = (on: string[]) => this._startNode(privateKey, rewards, options, on, bootstrap, payments);
    return this._startOnRememberedPorts(listen, start, !options.listen && settings.listen.length === 0).catch(
      async (error: unknown) => {
        this._rewards = null;
        await rewards.dispose();
        throw error;
      },
    );
  }

  /**
   * Starts on the ports of the last start when the user set no addresses of their own, so the address
   * they gave a friend keeps working; when another program took them, starts on new ones and says so.
   */
  private async _startOnRememberedPorts(
    listen: string[],
    start: (listen: string[]) => Promise<HearthNetwork>,
    remember: boolean,
  ): Promise<HearthNetwork> {
    this._portsNote = null;
    if (!remember) return start(listen);
    const ports = await ListenPorts.load(join(this._init.dataDir, 'network', 'listen-ports.json'), this._init.onDamage);
    const remembered = ports.listen();
    const network = remembered
      ? await start(remembered).catch((error: unknown) => {
          const was = ports.ports!;
          this._init.log.warn({
            event: 'network-ports-taken',
            tcp: was.tcp,
            ws: was.ws,
            reason: (error as Error).message,
          });
          this._portsNote = `This node could not listen on its usual ports (${was.tcp} and ${was.ws}), probably because another program uses them, so it took new ones: its address changed. Give your friends the new address below.`;
          return start(listen);
        })
      : await start(listen);
    await ports.remember(network.status().addresses);
    return network;
  }

  private async _startNode(
    privateKey: Awaited<ReturnType<typeof loadOrCreateIdentity>>,
    rewards: NodeRewards,
    options: StartOptions,
    listen: string[],
    bootstrap: string[],
    payments: ChainPayments | undefined,
  ): Promise<HearthNetwork> {
    const settings = this._init.settings.get().network;
    return HearthNetwork.start({
      privateKey,
      listen,
      bootstrap,
      mdns: settings.mdns,
      relayServer: options.relay ?? false,
      dhtServer: options.dhtServer,
      lan: [...bootstrap, ...listen].some((a) => /\/ip4\/(127\.|10\.|192\.168\.|0\.0\.0\.0)|\/ip6\/::1/.test(a)),
      provider:
        this._offered.length > 0
          ? {
              models: this._offered,
              threads: settings.maxThreads > 0 ? settings.maxThreads : Math.max(1, Math.floor(cpus().length / 2)),
              gpu: () => gpuShareFrom(this._init.settings.get().network),
              maxConcurrentJobs: settings.maxConcurrentJobs,
              verdict: () => this.verdict(),
              price: () => this._init.settings.get().network.pricePer1kTokens,
              workerEntry: this._init.workerEntry,
              workerLauncher: this._init.workerLauncher,
            }
          : undefined,
      knownPeers: await KnownPeers.load(join(this._init.dataDir, 'network', 'known-peers.json'), this._init.onDamage),
      ranker: this._init.ranker ?? reputationRanker(rewards.reputation),
      rewards: {
        settler: rewards.settler,
        receipts: rewards.receipts,
        unpaid: rewards.unpaid,
        unpaidAudits: rewards.unpaidAudits,
        remoteAuditors: rewards.remoteAuditors,
        auditorFor: (sha256) => rewards.auditorFor(sha256),
      },
      payments,
      recordSent: sentBytesRecorder(),
      log: this._init.log,
      onChange: () => this._emitStatus(),
    });
  }

  /** Applies changed node settings and re-evaluates the contribution verdict. */
  private _reassess(): void {
    this._applyNodeSettings();
    this._gate.reassess();
  }

  /** On-chain escrow payments when the chain section of settings is filled in; else undefined and no chain request. */
  private async _chainPayments(): Promise<ChainPayments | undefined> {
    const payments = await createChainPayments({
      settings: this._init.settings.get().chain,
      wallet: () => loadOrCreateWallet(this._init.secrets),
      dataDir: this._init.dataDir,
      log: this._init.log,
    });
    this._payments?.dispose();
    this._payments = payments ?? null;
    payments?.startAutoRedeem(() => {
      const chain = this._init.settings.get().chain;
      return {
        enabled: chain.autoRedeem,
        gasMultiple: chain.autoRedeemGasMultiple,
        tokensPerNativeCoin: chain.tokensPerNativeCoin,
        everyHours: chain.autoRedeemEveryHours,
      };
    }, this._init.log);
    return payments;
  }

  /** Status events at most every 250 ms: token counters change with every job. */
  private _emitStatus(): void {
    if (this._emitTimer || this._disposed) return;
    this._emitTimer = setTimeout(() => {
      this._emitTimer = undefined;
      if (!this._disposed) this._init.events.emit('network.status', this.status());
    }, 250);
  }
}

/** The settings a running node reads only at start, as one comparable value. */
function nodeSettingsKey({ network: n }: Settings): string {
  return JSON.stringify([
    n.listen,
    n.bootstrap,
    n.mdns,
    n.freshPeerId,
    n.offeredModels,
    n.maxThreads,
    n.maxConcurrentJobs,
  ]);
}

const LEDGER_DAMAGED =
  'The earnings ledger is damaged, so this node serves no jobs. Open Contribute > Earnings to see what is wrong, then keep the damaged file aside and start a new ledger.';

/** HEARTH_NETWORK_RECORD_SENT=<file> appends every plaintext byte the node sends to that file. */
function sentBytesRecorder(): ((bytes: Uint8Array) => void) | undefined {
  const file = process.env.HEARTH_NETWORK_RECORD_SENT;
  if (!file) return undefined;
  return (bytes) => appendFileSync(file, bytes);
}

const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/0', '/ip4/0.0.0.0/tcp/0/ws', '/p2p-circuit'];
