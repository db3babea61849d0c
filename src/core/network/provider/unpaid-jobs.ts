import { unpaidAllowance, type UnpaidJobsJson } from '../rewards/batch-rules';

interface Owed {
  open: number;
  unpaid: number;
  paidSinceForgiven: number;
  /** Jobs this requester ever paid for with a valid receipt. */
  paid: number;
}

export type { UnpaidJobsJson };

/**
 * What each requester owes this provider: jobs it was served (or is being served, or whose
 * receipt it holds in a batch) that no valid receipt has paid yet. A requester at its allowance
 * is refused until its receipts arrive. The allowance is the configured limit for a stranger and
 * grows only with the requester's own paid history (batch-rules.ts `unpaidAllowance`), so one
 * that never pays, underpays or claims "audit failed" gets at most `limit` jobs, and a fresh
 * identity starts at `limit` whatever it says. A paid job forgives one unpaid one in every
 * `forgiveEvery`, so an honest requester whose receipt was lost (a crash, a timeout) is not
 * refused for good.
 */
export class UnpaidJobs {
  private readonly _owed = new Map<string, Owed>();

  constructor(
    private readonly _limit: () => number,
    private readonly _forgiveEvery = 10,
    /** Told whenever a settled count changed (worth saving). */
    private readonly _onChange: () => void = () => undefined,
  ) {}

  private _of(requester: string): Owed {
    let record = this._owed.get(requester);
    if (!record) this._owed.set(requester, (record = { open: 0, unpaid: 0, paidSinceForgiven: 0, paid: 0 }));
    return record;
  }

  /** Jobs this requester has not paid for, running, held and awaiting receipts included. */
  owed(requester: string): number {
    const record = this._owed.get(requester);
    return record ? record.open + record.unpaid : 0;
  }

  /** How many unpaid jobs this requester may have now. */
  allowance(requester: string): number {
    return unpaidAllowance(this._limit(), this._owed.get(requester)?.paid ?? 0);
  }

  /** True when this requester may be served another job. */
  mayServe(requester: string): boolean {
    return this.owed(requester) < this.allowance(requester);
  }

  /** A job for this requester started; settle it with `paid` or `unpaid`, or `cancel` if it produced nothing. */
  open(requester: string): { paid(): void; unpaid(): void; cancel(): void } {
    const record = this._of(requester);
    record.open++;
    let closed = false;
    const close = (outcome: 'paid' | 'unpaid' | 'cancel') => {
      if (closed) return;
      closed = true;
      record.open--;
      if (outcome === 'unpaid') record.unpaid++;
      if (outcome === 'paid') {
        record.paid++;
        if (record.unpaid > 0 && ++record.paidSinceForgiven >= this._forgiveEvery) {
          record.unpaid--;
          record.paidSinceForgiven = 0;
        }
      }
      if (outcome !== 'cancel') this._onChange();
    };
    return { paid: () => close('paid'), unpaid: () => close('unpaid'), cancel: () => close('cancel') };
  }

  /**
   * Settled counts only: a job still open when the node stopped was never paid, so it is kept as
   * unpaid (a restart does not wipe a debt).
   */
  toJSON(): UnpaidJobsJson {
    const out: UnpaidJobsJson = {};
    for (const [peer, r] of this._owed) {
      if (r.open + r.unpaid + r.paid === 0) continue;
      out[peer] = { unpaid: r.unpaid + r.open, paid: r.paid, paidSinceForgiven: r.paidSinceForgiven };
    }
    return out;
  }

  load(saved: UnpaidJobsJson): void {
    for (const [peer, r] of Object.entries(saved)) {
      this._owed.set(peer, { open: 0, unpaid: r.unpaid, paid: r.paid, paidSinceForgiven: r.paidSinceForgiven ?? 0 });
    }
  }
}
