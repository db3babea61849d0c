/**
 * What each requester owes this provider: jobs it was served (or is being served) that no valid
 * receipt has paid yet. A requester at the limit is refused until its receipts arrive, so one
 * that never pays, underpays or claims "audit failed" gets at most `limit` jobs. A paid job
 * forgives one unpaid one in every `forgiveEvery`, so an honest requester whose receipt was lost
 * (a crash, a timeout) is not refused for good. Kept in memory per peer id: a restart or a fresh
 * identity starts again from zero, which the limit bounds (see docs/NETWORK.md).
 */
export class UnpaidJobs {
  private readonly _owed = new Map<string, { open: number; unpaid: number; paidSinceForgiven: number }>();

  constructor(
    private readonly _limit: () => number,
    private readonly _forgiveEvery = 10,
  ) {}

  private _of(requester: string) {
    let record = this._owed.get(requester);
    if (!record) this._owed.set(requester, (record = { open: 0, unpaid: 0, paidSinceForgiven: 0 }));
    return record;
  }

  /** Jobs this requester has not paid for, running and awaiting receipts included. */
  owed(requester: string): number {
    const record = this._owed.get(requester);
    return record ? record.open + record.unpaid : 0;
  }

  /** True when this requester may be served another job. */
  mayServe(requester: string): boolean {
    return this.owed(requester) < this._limit();
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
      if (outcome === 'paid' && record.unpaid > 0 && ++record.paidSinceForgiven >= this._forgiveEvery) {
        record.unpaid--;
        record.paidSinceForgiven = 0;
      }
    };
    return { paid: () => close('paid'), unpaid: () => close('unpaid'), cancel: () => close('cancel') };
  }
}
