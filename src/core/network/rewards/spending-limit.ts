/** A job would take the requester past what it allowed itself to spend. */
export class SpendLimitError extends Error {
  override readonly name = 'SpendLimitError';
  constructor(
    readonly cost: bigint,
    readonly left: bigint,
  ) {
    super(
      `This job could cost up to ${credits(cost)} credits, but only ${credits(left > 0n ? left : 0n)} are left to spend ` +
        '(your earned balance plus the allowance). Earn credits by sharing this computer on the Contribute page, ' +
        'or ask for a shorter answer.',
    );
  }
}

export interface SpendingLimitInit {
  /** Micro-credits earned minus spent, from the ledger; null without a ledger (counts this run only). */
  balance: () => bigint | null;
  /** How far below zero the balance may go, in micro-credits. */
  allowance: bigint;
}

/**
 * Keeps a requester within what it allowed: a job reserves its most possible cost (price x
 * maxTokens) before it is sent, and is refused when the balance plus the allowance, less what
 * running jobs reserved, cannot cover it. The reservation ends when the job is settled.
 */
export class SpendingLimit {
  private _reserved = 0n;
  private _spentWithoutLedger = 0n;

  constructor(private readonly _init: SpendingLimitInit) {}

  /** What is left to spend, in micro-credits. */
  get left(): bigint {
    const balance = this._init.balance() ?? -this._spentWithoutLedger;
    return balance + this._init.allowance - this._reserved;
  }

  /** Reserves `cost` or throws SpendLimitError; call the returned function once settled. */
  reserve(cost: bigint): (spent: bigint) => void {
    if (cost > this.left) throw new SpendLimitError(cost, this.left);
    this._reserved += cost;
    let released = false;
    return (spent) => {
      if (released) return;
      released = true;
      this._reserved -= cost;
      if (this._init.balance() === null) this._spentWithoutLedger += spent;
    };
  }
}

function credits(micro: bigint): string {
  return (Number(micro) / 1e6).toLocaleString('en', { maximumFractionDigits: 6 });
}
