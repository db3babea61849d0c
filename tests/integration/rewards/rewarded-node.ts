/**
 * Real Hearth nodes on 127.0.0.1 with rewards switched on, for the loopback rewards test and
 * `npm run bench:audit`: each has its own data folder (secrets, ledger, reputation) and, for a
 * provider, a worker process, which may be the cheating fixture worker.
 */
import { symlink, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { pino } from 'pino';
import type { JobPayments } from '../../../src/core/chain/job-payments';
import { HearthNetwork } from '../../../src/core/network';
import type { RequesterTimeouts } from '../../../src/core/network/requester/requester';
import type { LedgerEntry } from '../../../src/core/network/ledger';
import type { ContributionVerdict } from '../../../src/core/network/provider/contribution-policy';
import { NodeRewards } from '../../../src/core/network/rewards/node-rewards';
import type { TokenAuditor } from '../../../src/core/network/audit';
import { reputationRanker } from '../../../src/core/network/requester/reputation-ranker';
import { createSecretStore } from '../../../src/core/secrets';
import { STORIES, TINY_RANDOM, type ProviderKind } from './cheating-providers';

export const CHEATING_WORKER = fileURLToPath(new URL('./cheating-worker.mjs', import.meta.url));

export interface RewardedNode {
  network: HearthNetwork;
  rewards: NodeRewards;
  dataDir: string;
  /** Every ledger entry this node appended, in order (what `rewards.changed` reports). */
  entries: LedgerEntry[];
  peerId: string;
  address: string;
  stop(): Promise<void>;
}

export interface RewardedNodeOptions {
  dataDir: string;
  /**
   * Serve stories260K through this worker kind (see cheating-worker.mjs); absent: a pure
   * requester. 'honest' uses the built worker, 'honest-fixture' the fixture worker's honest mode.
   */
  provider?: ProviderKind | 'honest-fixture' | (string & {});
  /** Credits per 1000 tokens the provider asks. Default 0. */
  price?: number;
  /**
   * How this node settles the jobs it sends: 'pay' (default, audits and receipts), 'never' (a
   * free-loader: no settler, no receipts), 'lie' (claims every job failed its audit).
   */
  settle?: 'pay' | 'never' | 'lie';
  /** Credits this requester may spend beyond its balance. Default: NodeRewards' default. */
  creditAllowance?: number;
  /** Share of jobs followed by a canary, and when it goes out. Default: the requester's defaults. */
  canaries?: { share: number; minMs: number; maxMs: number };
  /** A requester audits this share of its jobs. Default 1. */
  auditShare?: number;
  /** Give the requester a copy of stories260K in its models folder, so it can audit. Default true. */
  hasModel?: boolean;
  bootstrap?: string[];
  /**
   * 'reputation' (default) skips providers in a timeout, as a real requester does; 'plain' keeps
   * sending to them, so a bench can measure the catch rate over many jobs.
   */
  ranking?: 'reputation' | 'plain';
  /** Serve third-party audits that fail every job, honest or not (a lying auditor). Default false. */
  auditLies?: boolean;
  /** The provider's contribution verdict, read at every job and audit. Default: always ready. */
  verdict?: () => ContributionVerdict;
  /** On-chain escrow payments (tests/integration/chain). Default: none, as without a chain. */
  payments?: JobPayments;
  /** Jobs of a proven provider settled together. Default: derived from the audit share. */
  batchJobs?: number;
  /** The node's key (a test that seeds state files for a known peer id). Default: a fresh one. */
  privateKey?: Awaited<ReturnType<typeof generateKeyPair>>;
  /** Unpaid jobs a provider allows a stranger. Default 3. */
  maxUnpaidJobs?: number;
  /** Requester timeouts (batch age, settle time). */
  requesterTimeouts?: Partial<RequesterTimeouts>;
}

export async function startRewardedNode(options: RewardedNodeOptions): Promise<RewardedNode> {
  const { dataDir, provider } = options;
  const modelsDir = join(dataDir, 'models');
  await mkdir(modelsDir, { recursive: true });
  if (options.hasModel ?? true) {
    await symlink(STORIES.path, join(modelsDir, 'stories260K.gguf')).catch((error: NodeJS.ErrnoException) => {
      // A node restarted from its data folder already has the link.
      if (error.code !== 'EEXIST') throw error;
    });
  }
  const privateKey = options.privateKey ?? (await generateKeyPair('Ed25519'));
  const log = pino({ level: 'silent' });
  const entries: LedgerEntry[] = [];
  const offered = provider ? [{ sha256: STORIES.sha256, name: 'stories260K.gguf', path: STORIES.path }] : [];
  const rewards = await NodeRewards.open({
    dataDir,
    modelsDir,
    secrets: createSecretStore({ dir: join(dataDir, 'secrets') }),
    privateKey,
    auditShare: options.auditShare ?? 1,
    creditAllowance: options.creditAllowance,
    batchJobs: options.batchJobs,
    canaryShare: options.canaries?.share,
    offered: () => offered,
    onEntry: (entry) => entries.push(entry),
    log,
  });
  const fixture = provider && provider !== 'honest';
  if (options.settle === 'lie') {
    rewards.settler.settle = async (job) => ({
      audit: 'failed',
      canary: false,
      failures: [],
      receipt: null,
      withheld: `The audit failed (a lie) for ${job.request.jobId}.`,
    });
  }
  const network = await HearthNetwork.start({
    privateKey,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: options.bootstrap ?? [],
    mdns: false,
    relayServer: false,
    dhtServer: true,
    lan: true,
    announceIntervalMs: 1_000,
    provider: provider
      ? {
          models: offered,
          threads: 1,
          maxConcurrentJobs: 1,
          verdict: options.verdict ?? (() => ({ state: 'ready', reason: '' })),
          price: () => options.price ?? 0,
          ...(options.maxUnpaidJobs !== undefined ? { maxUnpaidJobs: () => options.maxUnpaidJobs! } : {}),
          workerEntry: fixture ? CHEATING_WORKER : undefined,
          workerArgs: fixture ? [provider === 'honest-fixture' ? 'honest' : provider, TINY_RANDOM.path] : undefined,
        }
      : undefined,
    ranker: options.ranking === 'plain' ? undefined : reputationRanker(rewards.reputation),
    requesterTimeouts: {
      ...(options.canaries ? { canaryMinMs: options.canaries.minMs, canaryMaxMs: options.canaries.maxMs } : {}),
      ...options.requesterTimeouts,
    },
    rewards: {
      settler: options.settle === 'never' ? undefined : rewards.settler,
      receipts: rewards.receipts,
      unpaid: rewards.unpaid,
      unpaidAudits: rewards.unpaidAudits,
      remoteAuditors: rewards.remoteAuditors,
      auditorFor: options.auditLies
        ? async (sha256) => lyingAuditor(await rewards.auditorFor(sha256))
        : (sha256) => rewards.auditorFor(sha256),
    },
    payments: options.payments,
    log,
    onChange: () => undefined,
  });
  return {
    network,
    rewards,
    dataDir,
    entries,
    peerId: network.node.peerId.toString(),
    address: network.node.getMultiaddrs()[0]!.toString(),
    stop: async () => {
      await network.stop();
      await rewards.dispose();
    },
  };
}

/** The same auditor, except that every report it gives says the job failed. */
function lyingAuditor(auditor: TokenAuditor | null): TokenAuditor | null {
  if (!auditor) return null;
  return new Proxy(auditor, {
    get(target, key) {
      if (key === 'audit') {
        return async (...args: Parameters<TokenAuditor['audit']>) => ({
          ...(await target.audit(...args)),
          passed: false,
          failures: [{ rule: 'atypical' as const, detail: 'A lie: the job was honest.' }],
        });
      }
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
