import { randomInt } from 'node:crypto';

export interface AuditSamplerOptions {
  /** Share of a proven provider's jobs re-scored, read at every job so a change applies at once. Default 0.1. */
  share?: number | (() => number);
  /** A provider's first jobs are all audited: a newcomer has no record to protect. Default 5. */
  newProviderJobs?: number;
  /**
   * Jobs over which a provider's audit share falls from 1 to `share` after its first ones
   * (probation: a fresh identity is watched closely, and trust comes slowly). Default 100.
   */
  probationJobs?: number;
  /** Random source in [0, 1). Default: crypto, so a provider cannot predict which jobs are checked. */
  random?: () => number;
}

/**
 * Decides which jobs to audit. The decision is made after the answer arrives and never sent to
 * the provider, so an honest-when-watched provider has nothing to react to. A provider new to
 * this requester is on probation: its first jobs are all audited, then the share falls linearly
 * to the configured one over `probationJobs`, so a fresh identity cannot cheat cheaply.
 */
export class AuditSampler {
  private readonly _jobsSeen = new Map<string, number>();
  private readonly _share: () => number;
  private readonly _newProviderJobs: number;
  private readonly _probationJobs: number;
  private readonly _random: () => number;

  constructor({
    share = 0.1,
    newProviderJobs = 5,
    probationJobs = 100,
    random = () => randomInt(2 ** 32) / 2 ** 32,
  }: AuditSamplerOptions = {}) {
    const read = typeof share === 'number' ? () => share : share;
    if (!validShare(read())) throw new RangeError('The audit share must be between 0 and 1.');
    this._share = () => {
      const value = read();
      return validShare(value) ? value : 1;
    };
    this._newProviderJobs = newProviderJobs;
    this._probationJobs = probationJobs;
    this._random = random;
  }

  /** The configured share for proven providers, as it is now. */
  get share(): number {
    return this._share();
  }

  /** The share of this provider's next job that will be audited (probation included). */
  shareFor(provider: string): number {
    return this._shareAt((this._jobsSeen.get(provider) ?? 0) + 1);
  }

  /**
   * True while this provider's next job is still on probation (its first `newProviderJobs +
   * probationJobs` jobs with this requester): such jobs are settled one by one, never batched.
   */
  onProbation(provider: string): boolean {
    return (this._jobsSeen.get(provider) ?? 0) < this._newProviderJobs + this._probationJobs;
  }

  /** Jobs seen per provider, kept across restarts so a restart does not reopen probation. */
  toJSON(): Record<string, number> {
    return Object.fromEntries(this._jobsSeen);
  }

  load(saved: Record<string, number>): void {
    for (const [provider, seen] of Object.entries(saved)) {
      if (Number.isSafeInteger(seen) && seen >= 0) this._jobsSeen.set(provider, seen);
    }
  }

  shouldAudit(provider: string): boolean {
    const seen = (this._jobsSeen.get(provider) ?? 0) + 1;
    this._jobsSeen.set(provider, seen);
    return this._random() < this._shareAt(seen);
  }

  private _shareAt(seen: number): number {
    const share = this._share();
    if (seen <= this._newProviderJobs) return 1;
    const probation = 1 - (seen - this._newProviderJobs) / Math.max(1, this._probationJobs);
    return Math.max(share, probation);
  }
}

function validShare(share: number): boolean {
  return share >= 0 && share <= 1;
}
