import * as v from 'valibot';
import { call, event, namespace } from './define';

/** Micro-credits (1e-6 credit) as a decimal string: exact, and safe past 2^53. */
const Amount = v.pipe(v.string(), v.regex(/^-?\d+$/));

export const BalancesSchema = v.object({
  earned: Amount,
  spent: Amount,
  /** Work delivered and not yet receipted. */
  pending: Amount,
  /** Earned minus spent. */
  balance: Amount,
});

export const LedgerIntegritySchema = v.object({
  /** False when the ledger file failed verification; balances then cover only the verified part. */
  ok: v.boolean(),
  problem: v.nullable(v.string()),
});

export const EarningsSchema = v.object({
  /** This node's wallet address, or null before the first job created one. */
  wallet: v.nullable(v.string()),
  balances: BalancesSchema,
  tokensServed: v.number(),
  jobsServed: v.number(),
  /** Share of this node's audited jobs that passed; null before the first audit. */
  auditPassRate: v.nullable(v.number()),
  tier: v.picklist(['new', 'gold', 'silver', 'bronze', 'probation', 'banned']),
  /** Earned per UTC day, oldest first, over the last 30 days. */
  series: v.array(v.object({ day: v.string(), earned: Amount })),
  integrity: LedgerIntegritySchema,
});
export type Earnings = v.InferOutput<typeof EarningsSchema>;

export const ReceiptRowSchema = v.object({
  seq: v.number(),
  kind: v.picklist(['earned', 'spent', 'pending', 'voided']),
  jobId: v.string(),
  /** Epoch ms the entry was written. */
  at: v.number(),
  amount: Amount,
  outputTokens: v.nullable(v.number()),
  audited: v.boolean(),
  counterparty: v.nullable(v.string()),
  /** Requester's signature checks out (receipts); null for entries without a signature. */
  verified: v.nullable(v.boolean()),
  /** Why a voided job is not paid. */
  reason: v.nullable(v.string()),
});
export type ReceiptRow = v.InferOutput<typeof ReceiptRowSchema>;

export const rewardsContract = namespace(
  {
    earnings: call(v.strictObject({}), EarningsSchema, 'Balance, earnings over time, audit pass rate and tier.'),
    receipts: call(
      v.strictObject({
        limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500))),
      }),
      v.object({ total: v.number(), receipts: v.array(ReceiptRowSchema) }),
      'The newest ledger entries with their signature verification status.',
    ),
    exportLedger: call(
      v.strictObject({}),
      v.object({ json: v.string(), entries: v.number() }),
      'The whole ledger as JSON, with balances and the chain head.',
    ),
  },
  {
    changed: event(v.object({ seq: v.number() }), 'The ledger gained an entry.'),
  },
  /** What these calls fail with, by name (beside the doors' own errors). */
  ['LedgerCorruptError', 'LedgerBusyError', 'DuplicateEntryError', 'DamagedSecretError', 'SealedSecretError'],
);
