import { formatUnits, getAddress, type Address } from 'viem';
import type { Escrow } from './escrow';
import type { HeldCheques } from './held-cheques';

export interface CreditCheckOptions {
  escrow: Escrow;
  held: HeldCheques;
  /** How long a requester's chain reading is reused. Default 5 s: a burst of jobs makes one read. */
  ttlMs?: number;
  decimals?: number;
  now?: () => number;
}

export type CreditVerdict = { ok: true; available: bigint } | { ok: false; available: bigint; reason: string };

/**
 * Before a provider accepts a job: does the requester's deposit, less any withdrawal it asked
 * for and less what this provider already holds unredeemed from it, cover the job's price?
 * Other providers' unredeemed cheques are invisible here; docs/NETWORK.md says what that risks.
 */
export class CreditCheck {
  private readonly _cache = new Map<Address, { at: number; free: bigint }>();

  constructor(private readonly _options: CreditCheckOptions) {}

  async check(requester: Address, price: bigint): Promise<CreditVerdict> {
    const key = getAddress(requester);
    const now = (this._options.now ?? Date.now)();
    let entry = this._cache.get(key);
    if (!entry || now - entry.at > (this._options.ttlMs ?? 5_000)) {
      const { escrow, held } = this._options;
      const [deposit, withdrawal, unredeemed] = await Promise.all([
        escrow.depositOf(key),
        escrow.withdrawalOf(key),
        held.unredeemedFrom(key),
      ]);
      entry = { at: now, free: deposit - withdrawal.amount - unredeemed };
      this._cache.set(key, entry);
    }
    // Jobs accepted within the TTL count against the cached figure, so a burst cannot overdraw it.
    const available = entry.free > 0n ? entry.free : 0n;
    if (available >= price) {
      entry.free -= price;
      return { ok: true, available };
    }
    const decimals = this._options.decimals ?? 18;
    return {
      ok: false,
      available,
      reason: `The requester's escrow deposit leaves ${formatUnits(available, decimals)} tokens for this provider, and the job may cost ${formatUnits(price, decimals)}. It can deposit more with \`hearth wallet deposit\`.`,
    };
  }

  /** Forget a requester's cached figure (after a redemption or a refused cheque). */
  forget(requester: Address): void {
    this._cache.delete(getAddress(requester));
  }
}
