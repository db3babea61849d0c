import type { ServedJob } from '../rewards/receipt-collector';

/** A served job whose receipt its requester holds in an open batch. */
export interface HeldJob {
  served: ServedJob;
  batch: string;
  /** Closes the job in the unpaid count. */
  owed: { paid(): void; unpaid(): void };
}

/**
 * Jobs waiting for their batch, per requester: the batch must name exactly these (a receipt
 * for a job this provider did not serve that peer, or a second one for the same job, is
 * ignored). A job waits at most `maxAgeMs`, then `onExpired` voids it.
 */
export class HeldJobs {
  private readonly _held = new Map<string, { job: HeldJob; timer: NodeJS.Timeout }>();

  constructor(
    private readonly _maxAgeMs: number,
    private readonly _onExpired: (job: HeldJob) => void,
  ) {}

  private static _key(requester: string, jobId: string): string {
    return `${requester}\n${jobId}`;
  }

  add(job: HeldJob): void {
    const key = HeldJobs._key(job.served.requester, job.served.jobId);
    const timer = setTimeout(() => {
      if (this._held.delete(key)) this._onExpired(job);
    }, this._maxAgeMs);
    timer.unref();
    this._held.set(key, { job, timer });
  }

  /** Removes and returns the held job, or null when this requester has none by that id. */
  take(requester: string, jobId: string): HeldJob | null {
    const key = HeldJobs._key(requester, jobId);
    const entry = this._held.get(key);
    if (!entry) return null;
    this._held.delete(key);
    clearTimeout(entry.timer);
    return entry.job;
  }

  /** Every held job, ended (the provider stops): each is voided as if it had waited too long. */
  drain(): HeldJob[] {
    const jobs = [...this._held.values()].map(({ job, timer }) => (clearTimeout(timer), job));
    this._held.clear();
    return jobs;
  }
}
