import { randomInt } from 'node:crypto';

export interface AuditSamplerOptions {
  /** Share of ordinary jobs re-scored. Default 0.1 (10%). */
  share?: number;
  /** A provider's first jobs are all audited: a newcomer has no record to protect. Default 5. */
  newProviderJobs?: number;
  /** Random source in [0, 1). Default: crypto, so a provider cannot predict which jobs are checked. */
  random?: () => number;
}

/**
 * Decides which jobs to audit. The decision is made after the answer arrives and never sent to
 * the provider, so an honest-when-watched provider has nothing to react to.
 */
export class AuditSampler {
  private readonly _jobsSeen = new Map<string, number>();
  readonly share: number;
  private readonly _newProviderJobs: number;
  private readonly _random: () => number;

  constructor({
    share = 0.1,
    newProviderJobs = 5,
    random = () => randomInt(2 ** 32) / 2 ** 32,
  }: AuditSamplerOptions = {}) {
    if (!(share >= 0 && share <= 1)) throw new RangeError('The audit share must be between 0 and 1.');
    this.share = share;
    this._newProviderJobs = newProviderJobs;
    this._random = random;
  }

  shouldAudit(provider: string): boolean {
    const seen = (this._jobsSeen.get(provider) ?? 0) + 1;
    this._jobsSeen.set(provider, seen);
    return seen <= this._newProviderJobs || this._random() < this.share;
  }
}
