import { formatUnits } from 'viem';
import type { Redemption } from './held-cheques';

/** A redemption as `hearth network redeem --json` prints it: amounts in base units and in tokens. */
export function redemptionToJson(redemption: Redemption, decimals: number) {
  return {
    total: redemption.total.toString(),
    totalTokens: formatUnits(redemption.total, decimals),
    transaction: redemption.transaction
      ? { hash: redemption.transaction.hash, gasUsed: redemption.transaction.gasUsed.toString() }
      : null,
    pairs: redemption.redeemed.map((pair) => ({
      requester: pair.requester,
      cumulative: pair.cumulative.toString(),
      paid: pair.paid.toString(),
      unredeemed: pair.unredeemed.toString(),
    })),
  };
}
