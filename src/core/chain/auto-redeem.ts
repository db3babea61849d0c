import type { Logger } from '../log';
import type { HeldCheques } from './held-cheques';
import type { ChainClient } from './chain-client';

/** When a provider redeems on its own (settings `chain.autoRedeem…`); off by default. */
export interface AutoRedeemPolicy {
  enabled: boolean;
  /** Redeem once the unredeemed value is worth this many times the gas of redeeming it. */
  gasMultiple: number;
  /** Tokens one unit of the chain's native coin is worth; null: the gas rule is off. */
  tokensPerNativeCoin: number | null;
  /** Redeem whatever is unredeemed at least this often; null: no timer rule. */
  everyHours: number | null;
}

export interface RedeemDecisionInput {
  policy: AutoRedeemPolicy;
  /** Unredeemed value, in whole tokens. */
  unredeemedTokens: number;
  /** What redeeming it would cost, in the native coin. */
  gasCostNative: number;
  /** Hours since the last redemption (or since the node started). */
  hoursSinceLast: number;
}

/** Pure: should the provider redeem now, and why. */
export function shouldRedeem({
  policy,
  unredeemedTokens,
  gasCostNative,
  hoursSinceLast,
}: RedeemDecisionInput): string | null {
  if (!policy.enabled || unredeemedTokens <= 0) return null;
  if (policy.tokensPerNativeCoin !== null) {
    const gasInTokens = gasCostNative * policy.tokensPerNativeCoin;
    if (unredeemedTokens >= policy.gasMultiple * gasInTokens) {
      return `unredeemed ${unredeemedTokens} tokens ≥ ${policy.gasMultiple} × gas (${gasInTokens.toPrecision(3)} tokens)`;
    }
  }
  if (policy.everyHours !== null && hoursSinceLast >= policy.everyHours)
    return `${policy.everyHours} h since the last redemption`;
  return null;
}

/** Gas of a batch redemption per pair, and its fixed part (bench:settle: about 39k per pair at 100). */
const GAS_PER_PAIR = 45_000n;
const GAS_BASE = 40_000n;

/**
 * Checks now and then whether to redeem the cheques held (one batch transaction), by the policy.
 * Nothing runs unless the policy is enabled.
 */
export class AutoRedeemer {
  private _timer: NodeJS.Timeout | undefined;
  private _last = Date.now();
  private _busy = false;

  constructor(
    private readonly _held: HeldCheques,
    private readonly _client: ChainClient,
    private readonly _policy: () => AutoRedeemPolicy,
    private readonly _decimals: number,
    private readonly _log?: Pick<Logger, 'info' | 'warn'>,
  ) {}

  start(intervalMs = 10 * 60_000): void {
    if (this._timer || !this._policy().enabled) return;
    this._timer = setInterval(() => void this.tick(), intervalMs);
    this._timer.unref();
  }

  stop(): void {
    clearInterval(this._timer);
    this._timer = undefined;
  }

  /** One check; returns the reason it redeemed, or null. */
  async tick(): Promise<string | null> {
    if (this._busy) return null;
    this._busy = true;
    try {
      const pairs = (await this._held.pairs()).filter((pair) => pair.unredeemed > 0n);
      if (pairs.length === 0) return null;
      const unredeemed = pairs.reduce((sum, pair) => sum + pair.unredeemed, 0n);
      const gasPrice = await this._client.public.getGasPrice();
      const gas = GAS_BASE + GAS_PER_PAIR * BigInt(pairs.length);
      const reason = shouldRedeem({
        policy: this._policy(),
        unredeemedTokens: Number(unredeemed) / 10 ** this._decimals,
        gasCostNative: Number(gas * gasPrice) / 1e18,
        hoursSinceLast: (Date.now() - this._last) / 3_600_000,
      });
      if (!reason) return null;
      const redemption = await this._held.redeem({ all: true });
      this._last = Date.now();
      this._log?.info({
        event: 'chain-auto-redeem',
        reason,
        total: redemption.total.toString(),
        pairs: redemption.redeemed.length,
      });
      return reason;
    } catch (error) {
      this._log?.warn({ event: 'chain-auto-redeem-failed', reason: (error as Error).message });
      return null;
    } finally {
      this._busy = false;
    }
  }
}
