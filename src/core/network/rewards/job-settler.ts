import { randomBytes } from 'node:crypto';
import type { LocalAccount } from 'viem';
import type { Logger } from '../../log';
import {
  AuditorLimitError,
  auditAnswer,
  checkCanary,
  type AuditSampler,
  type CanaryPool,
  type CanaryReference,
  type ReplayGuard,
  type TokenAuditor,
} from '../audit';
import type { Ledger, LedgerEntry } from '../ledger';
import type { JobRequest, JobSummary } from '../protocol/messages';
import { signReceipt, verifyWalletBinding, type Receipt, type SignedReceipt, type WalletBinding } from '../receipts';
import type { ReputationBook } from '../reputation';
import { batchJobsFor } from './batch-rules';
import { claimFailures, paidTokens } from './claim-checks';
import { jobPrice } from './price';
import type { RemoteAuditors } from './remote-auditors';
import type { Settlement } from './settlement';
import type { SpendingLimit } from './spending-limit';
import { thirdPartyAudit } from './third-party-audit';

export interface JobSettlerInit {
  wallet: LocalAccount;
  /** This node's own binding, sent with every receipt. */
  binding: WalletBinding;
  /** Where `spent` receipts go; null runs without a ledger (receipts are still signed and sent). */
  ledger: Ledger | null;
  sampler: AuditSampler;
  reputation: ReputationBook;
  replayGuard: ReplayGuard;
  /** An auditor holding the model with this sha256, or null when this node has no copy. */
  auditorFor: (modelHash: string) => Promise<TokenAuditor | null>;
  /** Third parties that re-score a sampled job when `auditorFor` has no local copy; absent: such jobs are `unavailable`. */
  remoteAuditors?: RemoteAuditors;
  /** Greedy prompts with known answers, mixed into the traffic; absent: no canaries. */
  canaries?: CanaryPool;
  /** Largest number of canaries kept. Default 20. */
  maxCanaries?: number;
  onEntry: (entry: LedgerEntry) => void;
  /** What this requester may still spend; absent: no limit. */
  spending?: SpendingLimit;
  /** Reputation changed (worth saving). */
  onReputation?: () => void;
  /**
   * Jobs of a provider past probation settled together (batch-rules.ts); 1 settles every job at
   * once. Default: derived from the audit share, read at every job.
   */
  batchJobs?: number;
  /** Probation counts or paid counts changed (worth saving). */
  onProbation?: () => void;
  log: Logger;
}

/** A finished job as the requester received it over `/hearth/infer`. */
export interface FinishedNetworkJob {
  provider: string;
  /** The provider's binding from its `accept`; no receipt can be made without one. */
  providerBinding: WalletBinding | undefined;
  request: JobRequest;
  text: string;
  summary: JobSummary;
  /** Set when the job was a canary. */
  canary?: CanaryReference;
  /** The requester cancelled the job before it ended. */
  cancelled?: boolean;
}

/**
 * The requester's side of rewards: after every finished job it decides (unseen by the provider)
 * whether to audit it, audits or checks the canary, feeds the outcome to the reputation book,
 * and signs an EIP-712 receipt for work that passed or was not sampled.
 */
export class JobSettler {
  /** Receipts released to each provider (one by one or in a batch): its paid history with us. */
  private readonly _paid = new Map<string, number>();

  constructor(private readonly _init: JobSettlerInit) {}

  /** How many jobs of a proven provider go into one batch now. */
  get batchJobs(): number {
    return this._init.batchJobs ?? batchJobsFor(this._init.sampler.share);
  }

  /** True when this provider's next settled job is held in a batch rather than paid at once. */
  batches(provider: string): boolean {
    return this.batchJobs > 1 && !this._init.sampler.onProbation(provider);
  }

  /** Receipts this requester released to the provider (what its unpaid allowance grows with). */
  paidJobs(provider: string): number {
    return this._paid.get(provider) ?? 0;
  }

  /**
   * Records a receipt released to its provider: into the ledger when it was held (`settle` with
   * `hold` left it out), and into the provider's paid history.
   */
  async release(provider: string, signed: SignedReceipt, { held }: { held: boolean }): Promise<void> {
    if (held && this._init.ledger) this._init.onEntry(await this._init.ledger.appendReceipt('spent', signed));
    this._paid.set(provider, this.paidJobs(provider) + 1);
    this._init.onProbation?.();
  }

  /** Probation and paid counts per provider, kept across restarts (`<data>/network/probation.json`). */
  probationState(): { seen: Record<string, number>; paid: Record<string, number> } {
    return { seen: this._init.sampler.toJSON(), paid: Object.fromEntries(this._paid) };
  }

  loadProbationState(state: { seen?: Record<string, number>; paid?: Record<string, number> }): void {
    this._init.sampler.load(state.seen ?? {});
    for (const [provider, paid] of Object.entries(state.paid ?? {})) {
      if (Number.isSafeInteger(paid) && paid >= 0) this._paid.set(provider, paid);
    }
  }

  get reputation(): ReputationBook {
    return this._init.reputation;
  }

  get binding(): WalletBinding {
    return this._init.binding;
  }

  /** Canaries ready to send. */
  get canaryCount(): number {
    return this._init.canaries?.size ?? 0;
  }

  /** A canary to send now, or null. */
  nextCanary(): CanaryReference | null {
    return this._init.canaries?.next() ?? null;
  }

  /**
   * Reserves the most a job can cost (its price for maxTokens) against the spending limit, or
   * throws SpendLimitError. Call the returned function with what was paid once it is settled.
   */
  reserve(pricePer1000Tokens: number, maxTokens: number): (spent: bigint) => void {
    return this._init.spending?.reserve(jobPrice(pricePer1000Tokens, maxTokens)) ?? (() => undefined);
  }

  recordDropped(provider: string): void {
    this._init.reputation.recordDropped(provider);
    this._init.onReputation?.();
  }

  /**
   * Audits (maybe) and signs a receipt for a finished job. With `hold` the receipt is signed but
   * not yet in the ledger: it waits in a batch, and `release` records it (a forfeited batch never
   * reaches the ledger). Without, the receipt is recorded now; call `release` once it was sent.
   */
  async settle(
    job: FinishedNetworkJob,
    { signal, hold = false }: { signal?: AbortSignal; hold?: boolean } = {},
  ): Promise<Settlement> {
    const { provider, request, summary } = job;
    const reputation = this._init.reputation;
    reputation.recordCompleted(provider, { tokens: summary.tokens.length, ms: summary.generationMs });
    const checked = await this._check(job, signal);
    const { audit, failures } = checked;
    // Unaudited answers are remembered too, so a later replay of them is recognised.
    if (audit !== 'passed' && audit !== 'failed') {
      this._init.replayGuard.isReplay(provider, request.prompt, job.text, summary.tokens.length);
    }
    // A failure only one third party reported is a timeout, not a step toward a ban (third-party-audit.ts).
    if (checked.unconfirmed) reputation.recordDropped(provider);
    else if (audit === 'passed' || audit === 'failed') reputation.recordAudit(provider, audit === 'passed');
    this._init.onReputation?.();
    this._init.onProbation?.();
    const base = {
      audit,
      canary: job.canary !== undefined,
      failures,
      ...(checked.note ? { note: checked.note } : {}),
      ...(checked.auditors ? { auditors: checked.auditors } : {}),
      ...(checked.unconfirmed ? { unconfirmed: true } : {}),
    };
    if (audit === 'failed') {
      this._init.log.warn({ event: 'network-audit-failed', provider, rules: failures.map((f) => f.rule) });
      return { ...base, receipt: null, withheld: `The audit failed: ${failures.map((f) => f.detail).join(' ')}` };
    }
    const binding = job.providerBinding;
    if (!binding || binding.peerId !== provider || !(await verifyWalletBinding(binding))) {
      return { ...base, receipt: null, withheld: 'The provider sent no valid wallet binding.' };
    }
    const receipt: Receipt = {
      jobId: request.jobId,
      provider: binding.wallet,
      requester: this._init.wallet.address,
      modelHash: `0x${request.model}`,
      promptTokens: summary.promptTokens,
      outputTokens: paidTokens(request, summary),
      price: jobPrice(request.price, paidTokens(request, summary)),
      audited: audit === 'passed',
      nonce: BigInt(`0x${randomBytes(16).toString('hex')}`),
      time: BigInt(Math.floor(Date.now() / 1000)),
    };
    const signed = await signReceipt(this._init.wallet, receipt);
    if (this._init.ledger && !hold) this._init.onEntry(await this._init.ledger.appendReceipt('spent', signed));
    return { ...base, receipt: signed, withheld: null };
  }

  /**
   * Judges one finished job. Checks that need no model run on every job; then a canary is
   * compared with its known answer, and a sampled job is audited when this node holds the model.
   * Errors from the provider's data fail the job; the auditor's own limits leave it unaudited
   * (paid, the provider's record unchanged), so an honest long job never fails for its length.
   */
  private async _check(
    job: FinishedNetworkJob,
    signal: AbortSignal | undefined,
  ): Promise<Pick<Settlement, 'audit' | 'failures' | 'note' | 'auditors'> & { unconfirmed?: boolean }> {
    const { provider, request, summary } = job;
    const claims = claimFailures(request, summary, job.text);
    if (summary.stopReason === 'cancelled' && !job.cancelled) {
      claims.push({ rule: 'early-stop', detail: 'Claimed the job was cancelled; it was not.' });
    }
    if (claims.length > 0) return { audit: 'failed', failures: claims };
    // A canary cut short (the user needed the slot) has no answer to compare.
    if (job.canary && job.cancelled) return { audit: 'not-sampled', failures: [] };
    if (job.canary) {
      const check = checkCanary(job.canary, summary.tokens);
      return { audit: check.passed ? 'passed' : 'failed', failures: check.passed ? [] : [{ rule: 'canary', detail: check.detail }] };
    }
    // An answer already returned for another prompt is audited whatever the draw: the audit
    // decides whether repeating it by chance was plausible.
    const suspect = this._init.replayGuard.wouldBeReplay(provider, request.prompt, job.text, summary.tokens.length);
    if (!this._init.sampler.shouldAudit(provider) && !suspect) return { audit: 'not-sampled', failures: [] };
    // A model that cannot be loaded to audit is this node's limit, reported as `unavailable` below.
    const auditor = await this._init.auditorFor(request.model).catch(() => null);
    if (!auditor) {
      const { remoteAuditors: remote, replayGuard, reputation, log } = this._init;
      if (!remote) return { audit: 'unavailable', failures: [], note: 'This node has no copy of the model to audit with.' };
      return thirdPartyAudit({ remote, replayGuard, reputation, log }, { ...job, providerWallet: job.providerBinding?.wallet }, signal);
    }
    try {
      const report = await auditAnswer(
        auditor,
        this._init.replayGuard,
        {
          provider,
          prompt: request.prompt,
          sampling: request,
          text: job.text,
          tokens: summary.tokens,
          claim: {
            requestedModel: request.model,
            declaredModel: summary.model,
            stopReason: summary.stopReason,
            maxTokens: request.maxTokens,
            promptTokens: summary.promptTokens,
            outputTokens: summary.completionTokens,
          },
        },
        { signal },
      );
      if (report.passed && request.temperature === 0 && !report.scored.window) this._learnCanary(auditor, request);
      return { audit: report.passed ? 'passed' : 'failed', failures: report.failures };
    } catch (error) {
      // Only the auditor's own trouble reaches here (its model, its context, the settle
      // deadline): the provider's data was checked before scoring.
      const reason = error instanceof AuditorLimitError ? error.message : `The audit could not run: ${(error as Error).message}`;
      this._init.log.warn({ event: 'network-audit-not-run', provider, reason });
      return { audit: 'unavailable', failures: [], note: reason };
    }
  }

  /**
   * Makes a canary from a passing greedy job: a new prompt like the ones this requester really
   * sends, with its known answer. Runs in the background on the auditor.
   */
  private _learnCanary(auditor: TokenAuditor, request: JobRequest): void {
    const pool = this._init.canaries;
    if (!pool || pool.size >= (this._init.maxCanaries ?? 20)) return;
    // A fresh prompt in the style of this one: a provider that remembers prompts cannot tell
    // the canary by a repeat.
    auditor
      .variant(request.prompt)
      .then((prompt) => auditor.reference(prompt, request.maxTokens))
      .then((reference) => pool.add(reference))
      // A canary is an extra; failing to make one (the auditor closed) changes nothing for the job.
      .catch(() => undefined);
  }

}
