import * as v from 'valibot';
import { Amount, Hex, ReceiptJsonSchema, WalletBindingJsonSchema } from '../receipts/receipt-json';

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
