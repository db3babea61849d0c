import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import type { Logger } from '../../log';
import { AuditSampler, CanaryPool, ReplayGuard } from '../audit';
import { Ledger, ledgerFile, type LedgerEntry } from '../ledger';
import { bindWallet, loadOrCreateWallet } from '../receipts';
import type { SecretStore } from '../../secrets';
import { readJsonState, type OnStateDamage } from '../../state';
import * as v from 'valibot';
import { ReputationBook } from '../reputation';
import { JobSettler } from './job-settler';
import { ModelAuditors, type ModelCopy } from './model-auditors';
import { ReceiptCollector } from './receipt-collector';
import { RemoteAuditors } from './remote-auditors';
import { SpendingLimit } from './spending-limit';
import type { UnpaidAuditsJson, UnpaidJobsJson } from './batch-rules';

/** Credits a requester may spend beyond what it earned, so a new user can try the network. */
export const DEFAULT_CREDIT_ALLOWANCE = 100;

export interface NodeRewardsInit {
  dataDir: string;
  modelsDir: string;
  secrets: SecretStore;
  privateKey: PrivateKey;
  /** Share of sent jobs audited (settings.network.auditShare), read at every job. */
  auditShare: number | (() => number);
  /** Share of jobs followed by a canary. Default 0.02. */
  canaryShare?: number;
  /** How far below zero this requester's balance may go, in credits. Default 100. */
  creditAllowance?: number;
  /** Jobs of a proven provider settled together; default derived from the audit share (batch-rules.ts). */
  batchJobs?: number;
  offered: () => readonly ModelCopy[];
  onEntry: (entry: LedgerEntry) => void;
  log: Logger;
  /** Told when reputation.json was damaged and set aside. */
  onDamage?: OnStateDamage;
}

const ReputationFileSchema = v.record(
  v.string(),
  v.partial(
    v.object({
      jobs: v.number(),
      completed: v.number(),
      audits: v.number(),
      auditsPassed: v.number(),
      tokens: v.number(),
      busyMs: v.number(),
      consecutiveDrops: v.number(),
      timeoutUntil: v.number(),
      banned: v.boolean(),
    }),
  ),
);

const Counts = v.record(v.pipe(v.string(), v.maxLength(200)), v.pipe(v.number(), v.integer(), v.minValue(0)));
const ProbationFileSchema = v.object({ seen: Counts, paid: Counts });
const UnpaidFileSchema = v.record(
  v.pipe(v.string(), v.maxLength(200)),
  v.object({
    unpaid: v.pipe(v.number(), v.integer(), v.minValue(0)),
    paid: v.pipe(v.number(), v.integer(), v.minValue(0)),
    paidSinceForgiven: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  }),
);

/** Jobs seen (probation) and receipts released per provider, as a requester. */
export function probationFile(dataDir: string): string {
  return join(dataDir, 'network', 'probation.json');
}

/** Unpaid and paid jobs per requester, as a provider (the free-loader limit). */
export function unpaidFile(dataDir: string): string {
  return join(dataDir, 'network', 'unpaid.json');
}

/** Audits served and not yet paid per requester, as an auditor (its 3-unpaid-audits limit). */
export function unpaidAuditsFile(dataDir: string): string {
  return join(dataDir, 'network', 'unpaid-audits.json');
}

/** Where a data folder keeps what this node has learnt about providers. */
export function reputationFile(dataDir: string): string {
  return join(dataDir, 'network', 'reputation.json');
}

/**
 * Everything rewards needs while a node runs: the wallet and its binding to the peer id, the
 * ledger (opened for writing, so one process at a time), the reputation book (kept across runs),
 * the auditors, and the two sides built from them.
 */
export class NodeRewards {
  private _saving: Promise<void> = Promise.resolve();
  private readonly _queued = new Map<string, () => unknown>();
  /** Unpaid counts per requester from the last run, and where the provider reports changes. */
  readonly unpaid: { saved: UnpaidJobsJson; onChange: (state: UnpaidJobsJson) => void };
  /** The same for audits this node served as a third party (`network/unpaid-audits.json`). */
  readonly unpaidAudits: { saved: UnpaidAuditsJson; onChange: (state: UnpaidAuditsJson) => void };

  private constructor(
    readonly settler: JobSettler,
    readonly receipts: ReceiptCollector | undefined,
    readonly reputation: ReputationBook,
    private readonly _ledger: Ledger,
    private readonly _auditors: ModelAuditors,
    /** Third parties that audit this node's jobs when it has no copy of the model (attached by the network). */
    readonly remoteAuditors: RemoteAuditors,
    private readonly _dataDir: string,
    saved: { unpaid: UnpaidJobsJson; unpaidAudits: UnpaidAuditsJson },
    private readonly _log: Logger,
  ) {
    this.unpaid = {
      saved: saved.unpaid,
      onChange: (state) => this._save(unpaidFile(_dataDir), () => state),
    };
    this.unpaidAudits = {
      saved: saved.unpaidAudits,
      onChange: (state) => this._save(unpaidAuditsFile(_dataDir), () => state),
    };
  }

  /** This node's auditor for a model it holds, or null; what it serves third-party audits with. */
  auditorFor(sha256: string): ReturnType<ModelAuditors['auditorFor']> {
    return this._auditors.auditorFor(sha256);
  }

  static async open(init: NodeRewardsInit): Promise<NodeRewards> {
    const file = ledgerFile(init.dataDir);
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const wallet = await loadOrCreateWallet(init.secrets);
    const binding = await bindWallet(wallet, init.privateKey, peerIdFromPrivateKey(init.privateKey).toString());
    // A ledger that cannot be opened stops the node (no serving without a ledger); a damaged one
    // opens in its damaged state, which pauses serving until the user sets it aside.
    const { ledger, recovered, migrated } = await Ledger.open(file, { signer: wallet });
    if (recovered) init.log.warn({ event: 'ledger-torn-tail', setAside: recovered.setAside });
    if (migrated) init.log.warn({ event: 'ledger-unsigned-kept', file: migrated });
    if (ledger.damage) {
      init.log.error(
        { event: 'ledger-damaged', problems: ledger.damage.problems.length },
        ledger.damage.problems[0]?.reason,
      );
    }
    const reputation = await loadReputation(init.dataDir, init.onDamage);
    const auditors = new ModelAuditors(init.offered, init.modelsDir);
    const saver = { save: () => undefined as void, probation: () => undefined as void };
    // One limit for jobs and the audits bought for them.
    const spending = new SpendingLimit({
      balance: () => (ledger ? BigInt(ledger.balances().balance) : null),
      allowance: BigInt(Math.round((init.creditAllowance ?? DEFAULT_CREDIT_ALLOWANCE) * 1e6)),
    });
    const remoteAuditors = new RemoteAuditors({
      wallet,
      binding,
      ledger,
      onEntry: init.onEntry,
      spending,
      reputation,
      log: init.log,
    });
    const settler = new JobSettler({
      wallet,
      binding,
      ledger,
      sampler: new AuditSampler({ share: init.auditShare }),
      spending,
      reputation,
      replayGuard: new ReplayGuard({ scope: 'all' }),
      auditorFor: (hash) => auditors.auditorFor(hash),
      remoteAuditors,
      canaries: new CanaryPool({ share: init.canaryShare }),
      onEntry: init.onEntry,
      onReputation: () => saver.save(),
      onProbation: () => saver.probation(),
      batchJobs: init.batchJobs,
      log: init.log,
    });
    const receipts = new ReceiptCollector({ wallet, binding, ledger, onEntry: init.onEntry, log: init.log });
    const probation = await readJsonState(probationFile(init.dataDir), ProbationFileSchema, {
      onDamage: init.onDamage,
      consequence: 'providers this node knew start on probation again (their jobs are audited more for a while).',
    });
    if (probation.kind === 'value') settler.loadProbationState(probation.value);
    const unpaid = await readJsonState(unpaidFile(init.dataDir), UnpaidFileSchema, {
      onDamage: init.onDamage,
      consequence: 'requesters this node served are treated as strangers again (3 unpaid jobs each).',
    });
    const unpaidAudits = await readJsonState(unpaidAuditsFile(init.dataDir), Counts, {
      onDamage: init.onDamage,
      consequence: 'requesters this node audited for are treated as strangers again (3 unpaid audits each).',
    });
    const rewards = new NodeRewards(
      settler,
      receipts,
      reputation,
      ledger,
      auditors,
      remoteAuditors,
      init.dataDir,
      {
        unpaid: unpaid.kind === 'value' ? unpaid.value : {},
        unpaidAudits: unpaidAudits.kind === 'value' ? unpaidAudits.value : {},
      },
      init.log,
    );
    saver.save = () => rewards._save(reputationFile(init.dataDir), () => reputation.toJSON());
    saver.probation = () => rewards._save(probationFile(init.dataDir), () => settler.probationState());
    return rewards;
  }

  /** The node's ledger; `ledger.damage` is set while it is damaged and the node must not serve. */
  get ledger(): Ledger {
    return this._ledger;
  }

  /**
   * Writes one state file (reputation, probation, unpaid jobs and audits) atomically, coalescing bursts of
   * changes into one write per file: the latest value wins.
   */
  private _save(file: string, value: () => unknown): void {
    const queued = this._queued.has(file);
    this._queued.set(file, value);
    if (queued) return;
    this._saving = this._saving
      .then(async () => {
        const latest = this._queued.get(file)!;
        this._queued.delete(file);
        await writeFile(`${file}.new`, JSON.stringify(latest()), { mode: 0o600 });
        await rename(`${file}.new`, file);
      })
      // A failed write (a full disk) loses only this update of a state file that is rebuilt as the node works.
      .catch((error: unknown) =>
        this._log.warn({ event: 'network-state-not-saved', file, reason: (error as Error).message }),
      );
  }

  async dispose(): Promise<void> {
    await this._saving;
    await this._auditors.dispose();
    await this._ledger.dispose();
  }
}

async function loadReputation(dataDir: string, onDamage?: OnStateDamage): Promise<ReputationBook> {
  const state = await readJsonState(reputationFile(dataDir), ReputationFileSchema, {
    onDamage,
    consequence:
      'this node starts without what it had learnt about providers (their standing is learnt again from new jobs).',
  });
  return state.kind === 'value' ? ReputationBook.fromJSON(state.value) : new ReputationBook();
}
