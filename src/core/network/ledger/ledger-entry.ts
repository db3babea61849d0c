import * as v from 'valibot';

const Hex = (bytes: number) => v.pipe(v.string(), v.regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`)));
const Amount = v.pipe(v.string(), v.regex(/^\d{1,78}$/));

export const ReceiptJsonSchema = v.strictObject({
  jobId: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  provider: Hex(20),
  requester: Hex(20),
  modelHash: Hex(32),
  promptTokens: v.pipe(v.number(), v.integer(), v.minValue(0)),
  outputTokens: v.pipe(v.number(), v.integer(), v.minValue(0)),
  price: Amount,
  audited: v.boolean(),
  nonce: Amount,
  time: v.pipe(v.number(), v.integer(), v.minValue(0)),
});

/** The requester's proof that its wallet belongs to the peer that asked for the job. */
export const WalletBindingJsonSchema = v.strictObject({
  peerId: v.pipe(v.string(), v.maxLength(200)),
  wallet: Hex(20),
  time: v.pipe(v.number(), v.integer(), v.minValue(0)),
  walletSignature: Hex(65),
  peerSignature: v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{2,600}$/)),
});

/**
 * One ledger entry. `earned`: a receipt a requester signed for work this node did. `spent`: a
 * receipt this node signed for work it bought. `pending`: work delivered and not yet receipted.
 * `voided`: a pending job that will not be paid (its audit failed, or it was abandoned).
 */
export const LedgerEntrySchema = v.variant('kind', [
  v.strictObject({
    seq: v.number(),
    at: v.number(),
    kind: v.picklist(['earned', 'spent']),
    jobId: v.string(),
    receipt: ReceiptJsonSchema,
    signature: Hex(65),
    digest: Hex(32),
    /** On `earned` entries: the requester's wallet binding, so the binding can be re-checked later. */
    binding: v.optional(WalletBindingJsonSchema),
  }),
  v.strictObject({ seq: v.number(), at: v.number(), kind: v.literal('pending'), jobId: v.string(), amount: Amount }),
  v.strictObject({
    seq: v.number(),
    at: v.number(),
    kind: v.literal('voided'),
    jobId: v.string(),
    reason: v.pipe(v.string(), v.maxLength(500)),
    audited: v.boolean(),
  }),
]);
export type LedgerEntry = v.InferOutput<typeof LedgerEntrySchema>;
export type ReceiptEntry = Extract<LedgerEntry, { kind: 'earned' | 'spent' }>;
/** An entry as an append asks for it; the ledger assigns `seq` and `at`. */
export type NewLedgerEntry = LedgerEntry extends infer E
  ? E extends LedgerEntry
    ? Omit<E, 'seq' | 'at'>
    : never
  : never;

/** Entries of the first, unsigned format have the same shape (without bindings). */
export const LegacyEntrySchema = LedgerEntrySchema;
