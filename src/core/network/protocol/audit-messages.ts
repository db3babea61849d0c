import * as v from 'valibot';
import { MAX_PROMPT_CHARS } from './ids';
import { ReceiptMessageSchema, WalletBindingSchema, WithheldMessageSchema } from './messages';

/**
 * `/hearth/audit/1.0.0`: a requester without a copy of a model asks a third provider that serves
 * it to re-score a finished job (teacher-forced, never generation). The auditor sees only the
 * job: prompt, sampling, the returned text and ids, and what the provider claimed; never who
 * the provider was.
 */

const Sha256 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));
const AuditId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/));
const Count = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));
/** The longest job: the same bound as `/hearth/infer`. */
const MAX_AUDIT_TOKENS = 4096;
/** Prompt plus answer text an auditor takes; longer inputs are refused with `too-long`. */
export const MAX_AUDIT_CHARS = MAX_PROMPT_CHARS;

export const AuditRequestSchema = v.strictObject({
  t: v.literal('audit'),
  auditId: AuditId,
  model: Sha256,
  prompt: v.pipe(v.string(), v.maxLength(MAX_PROMPT_CHARS)),
  temperature: v.pipe(v.number(), v.minValue(0), v.maxValue(2)),
  topP: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  text: v.pipe(v.string(), v.maxLength(MAX_PROMPT_CHARS)),
  tokens: v.pipe(
    v.array(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31))),
    v.maxLength(MAX_AUDIT_TOKENS),
  ),
  claim: v.strictObject({
    declaredModel: Sha256,
    stopReason: v.picklist(['max-tokens', 'eos', 'cancelled']),
    maxTokens: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_AUDIT_TOKENS)),
    promptTokens: Count,
    outputTokens: Count,
  }),
  /** Credits per 1000 audit tokens the requester offers (see `auditTokens`). */
  price: v.pipe(v.number(), v.minValue(0), v.maxValue(1e9)),
});
export type AuditRequest = v.InferOutput<typeof AuditRequestSchema>;

export const AuditRefuseReasonSchema = v.picklist([
  'not-now', // the auditor's owner does not contribute at the moment (same rules as jobs)
  'at-capacity',
  'unknown-model', // it does not serve that model
  'price-too-low',
  'too-long', // prompt and answer longer than MAX_AUDIT_CHARS
  'unpaid', // the requester has too many audits from this auditor that it has not paid for
  'could-not-audit', // the auditor's own limit (its model, its context, its deadline): neutral
]);
export type AuditRefuseReason = v.InferOutput<typeof AuditRefuseReasonSchema>;

const AuditRuleSchema = v.picklist([
  'model-hash',
  'token-below-floor',
  'too-many-unlikely',
  'unlikely-end',
  'early-stop',
  'not-greedy',
  'token-count',
  'replay',
  'text-mismatch',
  'invalid-token',
  'unlikely-window',
  'atypical',
  'canary',
]);

export const AuditorMessageSchema = v.variant('t', [
  v.strictObject({
    t: v.literal('audit-report'),
    auditId: AuditId,
    passed: v.boolean(),
    failures: v.pipe(
      v.array(v.strictObject({ rule: AuditRuleSchema, detail: v.pipe(v.string(), v.maxLength(500)) })),
      v.maxLength(16),
    ),
    /** Sum of the scored tokens' log-probabilities (the requester's replay check needs it). */
    logProbSum: v.pipe(v.number(), v.maxValue(0)),
    scoredTokens: Count,
    /** The scoring pass ran on a window of a job longer than the auditor's context. */
    window: v.boolean(),
    auditMs: Count,
    /** Where the audit's receipt is paid; absent from an auditor that takes no receipts. */
    binding: v.optional(WalletBindingSchema),
  }),
  v.strictObject({
    t: v.literal('audit-refuse'),
    auditId: AuditId,
    reason: AuditRefuseReasonSchema,
    message: v.pipe(v.string(), v.maxLength(500)),
  }),
]);
export type AuditorMessage = v.InferOutput<typeof AuditorMessageSchema>;
export type AuditReportMessage = Extract<AuditorMessage, { t: 'audit-report' }>;

/** What the requester sends: the request, then the audit's receipt or `withheld`. */
export const AuditRequesterMessageSchema = v.variant('t', [
  AuditRequestSchema,
  ReceiptMessageSchema,
  WithheldMessageSchema,
]);
export type AuditRequesterMessage = v.InferOutput<typeof AuditRequesterMessageSchema>;
