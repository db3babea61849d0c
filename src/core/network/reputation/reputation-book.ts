export type ReputationTier = 'new' | 'gold' | 'silver' | 'bronze' | 'probation' | 'banned';

export interface ReputationOptions {
  /** Timeout after a provider's first failed audit, doubled for each further one. Default 1 h. */
  auditTimeoutMs?: number;
  /** Timeout after a dropped job (disconnect, error, no answer), doubled per consecutive drop. Default 1 min. */
  dropTimeoutMs?: number;
  /** No timeout is longer than this. Default 7 days. */
  maxTimeoutMs?: number;
  /** Failed audits that ban a provider for good. Default 3. */
  banAfterAuditFailures?: number;
  /** Jobs before a provider leaves the `new` tier. Default 20. */
  newJobs?: number;
  now?: () => number;
}

interface Record {
  jobs: number;
  completed: number;
  audits: number;
  auditsPassed: number;
  tokens: number;
  busyMs: number;
  consecutiveDrops: number;
  timeoutUntil: number;
  banned: boolean;
}

export interface ProviderStanding {
  provider: string;
  jobs: number;
  completed: number;
  audits: number;
  auditsPassed: number;
  tokens: number;
  /** Passed / audited; 1 before the first audit. */
  auditPassRate: number;
  /** Completed / started; 1 before the first job. */
  completionRate: number;
  tokensPerSecond: number;
  tier: ReputationTier;
  /** Epoch ms until which the provider gets no jobs; null when it may get jobs now. */
  timeoutUntil: number | null;
  banned: boolean;
  /** 0..1; higher is preferred: estimated audit pass rate times estimated completion rate. */
  score: number;
}

const EMPTY: Record = {
  jobs: 0,
  completed: 0,
  audits: 0,
  auditsPassed: 0,
  tokens: 0,
  busyMs: 0,
  consecutiveDrops: 0,
  timeoutUntil: 0,
  banned: false,
};

/**
 * What a requester knows about each provider it has used: audit pass rate, completion rate and
 * throughput, with timeouts that double on repeated failure and a ban after repeated failed
 * audits. `rank` is how requesters prefer good providers. Keyed by peer id; see docs/NETWORK.md
 * for what this does and does not stop (a banned peer can return under a new id).
 */
export class ReputationBook {
  private readonly _records = new Map<string, Record>();
  private readonly _options: Required<Omit<ReputationOptions, 'now'>>;
  private readonly _now: () => number;

  constructor(options: ReputationOptions = {}) {
    this._options = {
      auditTimeoutMs: options.auditTimeoutMs ?? 3_600_000,
      dropTimeoutMs: options.dropTimeoutMs ?? 60_000,
      maxTimeoutMs: options.maxTimeoutMs ?? 7 * 86_400_000,
      banAfterAuditFailures: options.banAfterAuditFailures ?? 3,
      newJobs: options.newJobs ?? 20,
    };
    this._now = options.now ?? Date.now;
  }

  private _record(provider: string): Record {
    let record = this._records.get(provider);
    if (!record) this._records.set(provider, (record = { ...EMPTY }));
    return record;
  }

  recordCompleted(provider: string, { tokens, ms }: { tokens: number; ms: number }): void {
    const record = this._record(provider);
    record.jobs++;
    record.completed++;
    record.tokens += tokens;
    record.busyMs += ms;
    record.consecutiveDrops = 0;
  }

  /** The provider accepted a job and did not finish it. */
  recordDropped(provider: string): void {
    const record = this._record(provider);
    record.jobs++;
    record.consecutiveDrops++;
    this._timeout(record, this._options.dropTimeoutMs * 2 ** (record.consecutiveDrops - 1));
  }

  recordAudit(provider: string, passed: boolean): void {
    const record = this._record(provider);
    record.audits++;
    if (passed) {
      record.auditsPassed++;
      return;
    }
    const failures = record.audits - record.auditsPassed;
    if (failures >= this._options.banAfterAuditFailures) record.banned = true;
    else this._timeout(record, this._options.auditTimeoutMs * 2 ** (failures - 1));
  }

  private _timeout(record: Record, ms: number): void {
    record.timeoutUntil = Math.max(record.timeoutUntil, this._now() + Math.min(ms, this._options.maxTimeoutMs));
  }

  /** True when the provider may be offered a job now. */
  isAvailable(provider: string): boolean {
    const record = this._records.get(provider);
    return !record || (!record.banned && record.timeoutUntil <= this._now());
  }

  standing(provider: string): ProviderStanding {
    const record = this._records.get(provider) ?? EMPTY;
    const auditPassRate = record.audits ? record.auditsPassed / record.audits : 1;
    const completionRate = record.jobs ? record.completed / record.jobs : 1;
    const tokensPerSecond = record.busyMs ? (record.tokens * 1000) / record.busyMs : 0;
    const timedOut = record.timeoutUntil > this._now();
    return {
      provider,
      jobs: record.jobs,
      completed: record.completed,
      audits: record.audits,
      auditsPassed: record.auditsPassed,
      tokens: record.tokens,
      auditPassRate,
      completionRate,
      tokensPerSecond,
      tier: tierOf(record, completionRate, auditPassRate, this._options.newJobs),
      timeoutUntil: timedOut ? record.timeoutUntil : null,
      banned: record.banned,
      score: record.banned ? 0 : estimate(record.auditsPassed, record.audits) * estimate(record.completed, record.jobs),
    };
  }

  /**
   * The providers that may get a job now, best first: by score, then throughput. Unknown
   * providers score as a short clean record, so newcomers get some work and can build one.
   */
  rank(providers: readonly string[]): ProviderStanding[] {
    return providers
      .filter((provider) => this.isAvailable(provider))
      .map((provider) => this.standing(provider))
      .sort((a, b) => b.score - a.score || b.tokensPerSecond - a.tokensPerSecond);
  }

  toJSON(): { [provider: string]: Record } {
    return Object.fromEntries(this._records);
  }

  static fromJSON(json: { [provider: string]: Partial<Record> }, options?: ReputationOptions): ReputationBook {
    const book = new ReputationBook(options);
    for (const [provider, record] of Object.entries(json)) book._records.set(provider, { ...EMPTY, ...record });
    return book;
  }
}

/** Inference.net's completion bands (x1.0 above 99.5%, x0.9 from 98%, x0.8 from 96%), plus audits. */
function tierOf(record: Record, completionRate: number, auditPassRate: number, newJobs: number): ReputationTier {
  if (record.banned) return 'banned';
  if (record.jobs < newJobs) return 'new';
  const rate = Math.min(completionRate, auditPassRate);
  if (rate >= 0.995) return 'gold';
  if (rate >= 0.98) return 'silver';
  if (rate >= 0.96) return 'bronze';
  return 'probation';
}

/**
 * Estimated success rate with a prior of nine successes in ten: a newcomer starts at 0.9, above
 * a provider that has shown itself unreliable and below one that has shown itself good.
 */
function estimate(successes: number, trials: number): number {
  return (successes + 9) / (trials + 10);
}
