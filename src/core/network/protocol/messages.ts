import { decode, encode } from 'cborg';
import * as v from 'valibot';
import { ReceiptJsonSchema } from '../receipts/receipt-json';
import { MAX_MESSAGE_BYTES, MAX_PROMPT_CHARS } from './ids';

const Sha256 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));
const JobId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/));
const Count = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));
const HexBytes = (min: number, max: number) =>
  v.pipe(v.string(), v.regex(new RegExp(`^0x(?:[0-9a-fA-F]{2}){${min},${max}}$`)));
/** The longest job; token id lists are bounded by it. */
const MAX_JOB_TOKENS = 4096;

/** "Peer `peerId` is paid at `wallet`", signed by both keys (receipts/wallet-binding.ts). */
export const WalletBindingSchema = v.strictObject({
  peerId: v.pipe(v.string(), v.maxLength(128)),
  wallet: HexBytes(20, 20),
  time: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 40)),
  walletSignature: HexBytes(65, 65),
  peerSignature: HexBytes(32, 128),
});

/** Why a provider turned a job down; a requester moves on to the next provider. */
export const RefuseReasonSchema = v.picklist([
  'not-now', // the provider's owner does not contribute at the moment (settings, idle, schedule, battery, local use)
  'at-capacity',
  'unknown-model',
  'price-too-low',
  'invalid-request',
  'no-credit', // the requester's escrow deposit does not cover the job (only with a chain configured)
  'unpaid', // the requester has too many jobs from this provider that it has not paid for
]);
export type RefuseReason = v.InferOutput<typeof RefuseReasonSchema>;

export const JobRequestSchema = v.strictObject({
  t: v.literal('request'),
  jobId: JobId,
  /** sha256 of the GGUF file: names a model exactly, whatever the file is called. */
  model: Sha256,
  prompt: v.pipe(v.string(), v.maxLength(MAX_PROMPT_CHARS)),
  maxTokens: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_JOB_TOKENS)),
  temperature: v.pipe(v.number(), v.minValue(0), v.maxValue(2)),
  topP: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  seed: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 32 - 1)),
  /** Credits per 1000 generated tokens the requester offers; 0 while rewards do not exist. */
  price: v.pipe(v.number(), v.minValue(0), v.maxValue(1e9)),
  /** The requester's peer id; must match the connection's remote peer. */
  requester: v.pipe(v.string(), v.maxLength(128)),
  /** The wallet whose escrow deposit pays (src/core/chain); absent without a chain. */
  payer: v.optional(HexBytes(20, 20)),
});
export type JobRequest = v.InferOutput<typeof JobRequestSchema>;

export const ProviderMessageSchema = v.variant('t', [
  v.strictObject({
    t: v.literal('accept'),
    jobId: JobId,
    /** Where receipts for this job are paid; absent from a provider that takes no receipts. */
    binding: v.optional(WalletBindingSchema),
  }),
  v.strictObject({
    t: v.literal('refuse'),
    jobId: JobId,
    reason: RefuseReasonSchema,
    message: v.pipe(v.string(), v.maxLength(500)),
  }),
  v.strictObject({ t: v.literal('token'), text: v.pipe(v.string(), v.maxLength(16_384)) }),
  v.strictObject({
    t: v.literal('done'),
    promptTokens: Count,
    completionTokens: Count,
    queueMs: Count,
    generationMs: Count,
    stopReason: v.picklist(['max-tokens', 'eos', 'cancelled']),
    /** The returned token ids: audits score these, since text need not re-tokenise to them. */
    tokens: v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31))), v.maxLength(MAX_JOB_TOKENS)),
    /** sha256 of the model file that ran the job, as the provider declares it. */
    model: Sha256,
  }),
  v.strictObject({ t: v.literal('error'), message: v.pipe(v.string(), v.maxLength(500)) }),
]);
export type ProviderMessage = v.InferOutput<typeof ProviderMessageSchema>;
export type JobSummary = Omit<Extract<ProviderMessage, { t: 'done' }>, 't'>;

/**
 * After `done` the requester settles the job on the same stream: a receipt it signed (the job
 * passed its audit or was not sampled), or `withheld` with the reason (the audit failed).
 */
export const ReceiptMessageSchema = v.strictObject({
  t: v.literal('receipt'),
  receipt: ReceiptJsonSchema,
  signature: HexBytes(65, 65),
  /** Binds the receipt's requester wallet to the peer on this connection. */
  binding: WalletBindingSchema,
  /** The cumulative escrow cheque that pays this receipt (src/core/chain); absent without a chain. */
  cheque: v.optional(
    v.strictObject({
      requester: HexBytes(20, 20),
      provider: HexBytes(20, 20),
      cumulative: v.pipe(v.string(), v.regex(/^[0-9]{1,78}$/)),
      signature: HexBytes(65, 65),
    }),
  ),
});
export type ReceiptMessage = v.InferOutput<typeof ReceiptMessageSchema>;

export const WithheldMessageSchema = v.strictObject({
  t: v.literal('withheld'),
  jobId: JobId,
  reason: v.pipe(v.string(), v.maxLength(500)),
  /** True when payment is withheld because the job failed an audit. */
  audited: v.boolean(),
});

/** Most jobs one settle batch may name (docs/NETWORK.md "Settling in batches"). */
export const MAX_BATCH_JOBS = 50;
const BatchId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,32}$/));

/**
 * Instead of a receipt: the requester holds this job's receipt in its open batch `batch` for
 * this provider, released with the batch (or forfeited with it when a job in it fails an audit).
 */
export const HeldMessageSchema = v.strictObject({
  t: v.literal('held'),
  jobId: JobId,
  batch: BatchId,
});

/**
 * A batch settled at once: the receipts of every job held in it, or `withheld` for every one of
 * them when the batch was forfeited. Sent on the stream of the job that closed it, or on
 * `/hearth/settle/1.0.0` when the requester stops or the batch grew old.
 */
export const BatchMessageSchema = v.strictObject({
  t: v.literal('batch'),
  batch: BatchId,
  receipts: v.pipe(v.array(ReceiptMessageSchema), v.maxLength(MAX_BATCH_JOBS)),
  withheld: v.pipe(v.array(WithheldMessageSchema), v.maxLength(MAX_BATCH_JOBS)),
});
export type BatchMessage = v.InferOutput<typeof BatchMessageSchema>;

export const RequesterMessageSchema = v.variant('t', [
  JobRequestSchema,
  v.strictObject({ t: v.literal('cancel') }),
  ReceiptMessageSchema,
  WithheldMessageSchema,
  HeldMessageSchema,
  BatchMessageSchema,
]);
export type RequesterMessage = v.InferOutput<typeof RequesterMessageSchema>;

/** A message that is not CBOR, not the schema, or too large; the stream carrying it is closed. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

/** Encodes one message of any Hearth stream protocol (`/hearth/infer`, `/hearth/audit`). */
export function encodeMessage<M extends { t: string }>(message: M): Uint8Array {
  const bytes = encode(message);
  if (bytes.byteLength > MAX_MESSAGE_BYTES) throw new ProtocolError('Message is larger than the protocol allows.');
  return bytes;
}

/** Decodes and validates one message; anything unexpected becomes a ProtocolError. */
export function decodeMessage<S extends v.GenericSchema>(schema: S, bytes: Uint8Array): v.InferOutput<S> {
  if (bytes.byteLength > MAX_MESSAGE_BYTES) throw new ProtocolError('Message is larger than the protocol allows.');
  let value: unknown;
  try {
    // Plain maps only: tags could build arbitrary objects from hostile input.
    value = decode(bytes, { useMaps: false, rejectDuplicateMapKeys: true, tags: [] });
  } catch {
    throw new ProtocolError('Message is not valid CBOR.');
  }
  const result = v.safeParse(schema, value);
  if (!result.success) throw new ProtocolError(`Message does not match the protocol: ${result.issues[0].message}`);
  return result.output;
}
