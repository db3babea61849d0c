/**
 * A job's total in micro-credits (1e-6 credit), from the price per 1000 output tokens that the
 * request carries. Both sides compute it the same way, so a provider can check what it is paid.
 */
export function jobPrice(pricePer1000Tokens: number, outputTokens: number): bigint {
  return BigInt(Math.round(pricePer1000Tokens * 1000 * outputTokens));
}
