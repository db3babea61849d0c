import * as v from 'valibot';
import { call, namespace } from './define';

/** Token amounts as decimal strings in whole tokens ("1.5"): exact, and readable. */
const Tokens = v.pipe(v.string(), v.regex(/^\d+(\.\d+)?$/, 'must be an amount such as 12.5, written as text'));
const Address = v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{40}$/, 'must be an address: 0x and 40 hex digits'));

export const WalletStatusSchema = v.object({
  address: Address,
  chainId: v.number(),
  escrow: Address,
  token: Address,
  decimals: v.number(),
  gasBalance: Tokens,
  tokenBalance: Tokens,
  deposit: Tokens,
  spendable: Tokens,
  withdrawal: v.object({ amount: Tokens, readyAt: v.nullable(v.string()) }),
  held: v.array(v.object({ requester: Address, cumulative: Tokens, paid: Tokens, unredeemed: Tokens })),
  unredeemedTotal: Tokens,
  signed: v.array(v.object({ provider: Address, cumulative: Tokens })),
});
export type WalletStatusView = v.InferOutput<typeof WalletStatusSchema>;

export const RedeemEstimateSchema = v.object({
  pairs: v.number(),
  unredeemedTotal: Tokens,
  /** Estimated gas of the one redemption transaction, and its cost in the chain's native coin. */
  gas: v.string(),
  costNative: Tokens,
});
export type RedeemEstimate = v.InferOutput<typeof RedeemEstimateSchema>;

const Sent = v.object({ transactions: v.array(v.object({ hash: v.string(), gasUsed: v.string() })) });

export const GasEstimateSchema = v.object({
  gas: v.string(),
  /** The gas at the current gas price, in the chain's native coin. */
  costNative: Tokens,
});
export type GasEstimate = v.InferOutput<typeof GasEstimateSchema>;

const Amount = v.strictObject({ amount: Tokens });

export const RedemptionSchema = v.object({
  total: v.string(),
  totalTokens: Tokens,
  transaction: v.nullable(v.object({ hash: v.string(), gasUsed: v.string() })),
  pairs: v.array(v.object({ requester: Address, cumulative: v.string(), paid: v.string(), unredeemed: v.string() })),
});

/**
 * The on-chain escrow wallet (docs/NETWORK.md, "Paid in tokens"). `status` is null when no chain
 * is configured, and then no call here makes a chain request.
 */
export const walletContract = namespace(
  {
    status: call(
      v.strictObject({}),
      v.nullable(WalletStatusSchema),
      'The escrow wallet on chain, or null with no chain configured.',
    ),
    estimateRedeem: call(
      v.strictObject({}),
      RedeemEstimateSchema,
      'What redeeming every held cheque would pay and cost in gas.',
    ),
    redeem: call(v.strictObject({}), RedemptionSchema, 'Redeem every held cheque in one transaction.'),
    estimate: call(
      v.strictObject({ action: v.picklist(['deposit', 'requestWithdrawal', 'withdraw']), amount: v.optional(Tokens) }),
      GasEstimateSchema,
      'The gas a deposit, withdrawal request or withdrawal would use; fails with the reason if it would revert.',
    ),
    deposit: call(Amount, Sent, 'Deposit tokens into the escrow (approving it first if needed).'),
    requestWithdrawal: call(Amount, Sent, 'Start the withdrawal delay for an amount of the deposit.'),
    withdraw: call(v.strictObject({}), Sent, 'Take a requested withdrawal once its delay has passed.'),
  },
  {},
  /** What these calls fail with, by name (beside the doors' own errors). */
  ['ChainSettingsError'],
);
