import * as v from 'valibot';

/** Receipts and wallet bindings as JSON: on the wire (`receipt` messages) and in the ledger. */

export const Hex = (bytes: number) => v.pipe(v.string(), v.regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`)));
export const Amount = v.pipe(v.string(), v.regex(/^\d{1,78}$/));

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
