import * as v from 'valibot';
import { call, event, namespace } from './define';

/** Micro-credits (1e-6 credit) as a decimal string: exact, and safe past 2^53. */
const Amount = v.pipe(v.string(), v.regex(/^-?\d+$/, 'must be a whole number written as text'));

export const BalancesSchema = v.object({
  earned: Amount,
  spent: Amount,
  /** Work delivered and not yet receipted. */
  pending: Amount,
  /** Earned minus spent. */
  balance: Amount,
});

export const LedgerProblemSchema = v.object({
  /** changed, not-signed, missing, out-of-place, bad-receipt, duplicate, rolled-back, head, ... */
  kind: v.string(),
  /** Line in the ledger file (the header is line 1); null for the head record. */
  line: v.nullable(v.number()),
  seq: v.nullable(v.number()),
  jobId: v.nullable(v.string()),
  reason: v.string(),
});

export const LegacyLedgerSchema = v.object({
  file: v.string(),
  entries: v.number(),
  balances: BalancesSchema,
  problem: v.nullable(v.string()),
});

export const LedgerIntegritySchema = v.object({
  /** False when any line, receipt or the head failed its check. */
  ok: v.boolean(),
  /** The first problem, in words; null when ok. */
  problem: v.nullable(v.string()),
  /** `signed`: the current format; `legacy`: an unsigned ledger from an earlier version; `empty`: none yet. */
  format: v.picklist(['empty', 'signed', 'legacy', 'unknown']),
  /** Damage was found: nothing is written and the node serves no jobs until the user sets the file aside. */
  blocked: v.boolean(),
  /** Each failing line or record and why (the first 200). */
  problems: v.array(LedgerProblemSchema),
  problemCount: v.number(),
  /** The wallet every line and receipt was checked against. */
  signer: v.nullable(v.string()),
  linesTotal: v.number(),
  entriesValid: v.number(),
  /** Balances shown: `entries` (the valid entries) or `signed-head` (the last balances this node signed, when the file is damaged). */
  balanceSource: v.picklist(['entries', 'signed-head']),
  /** Balances of the valid entries alone. */
  entryBalances: BalancesSchema,
  /** An unfinished last line (a crash mid-write); set aside the next time the node starts. */
  tornTail: v.nullable(v.string()),
  /** Unsigned ledgers from an earlier version, kept beside the ledger and never counted. */
  legacy: v.array(LegacyLedgerSchema),
});

export const EarningsSchema = v.object({
  /** This node's wallet address, or null before the first job created one. */
  wallet: v.nullable(v.string()),
  /** The valid entries' balances; while the ledger is damaged, the last ones this node signed (see integrity.balanceSource). */
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
      'The whole ledger as JSON: every line with its hash and signature, the signed head, balances and problems.',
    ),
    startNewLedger: call(
      v.strictObject({}),
      v.object({ setAside: v.string() }),
      'Keeps a damaged ledger aside, unchanged, and starts a new one, so the node can serve again.',
    ),
  },
  {
    changed: event(v.object({ seq: v.number() }), 'The ledger gained an entry.'),
  },
  /** What these calls fail with, by name (beside the doors' own errors). */
  ['LedgerCorruptError', 'LedgerBusyError', 'DuplicateEntryError', 'DamagedSecretError', 'SealedSecretError'],
);
