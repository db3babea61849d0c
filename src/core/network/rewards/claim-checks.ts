import type { AuditFailure } from '../audit';
import type { JobRequest, JobSummary } from '../protocol/messages';

/**
 * What every finished job must satisfy, audited or not, checked without the model: the ids are
 * within what was asked, the counts are the ids sent, and the model is the one requested. A job
 * that breaks one is a failed audit on the spot (the provider's own data says it cheated).
 */
export function claimFailures(request: JobRequest, summary: JobSummary, text: string): AuditFailure[] {
  const failures: AuditFailure[] = [];
  if (summary.model.toLowerCase() !== request.model.toLowerCase()) {
    failures.push({ rule: 'model-hash', detail: `The provider declared model ${summary.model.slice(0, 12)}…, not the requested one.` });
  }
  if (summary.tokens.length > request.maxTokens) {
    failures.push({
      rule: 'token-count',
      detail: `Returned ${summary.tokens.length} tokens; the job asked for at most ${request.maxTokens}.`,
    });
  }
  if (summary.completionTokens !== summary.tokens.length) {
    failures.push({
      rule: 'token-count',
      detail: `Claimed ${summary.completionTokens} output tokens but sent ${summary.tokens.length} ids.`,
    });
  }
  // Every token of an answer spells at least one byte (a few special ones none), so ids padded
  // onto a short answer show even when the job is not audited.
  const bytes = Buffer.byteLength(text, 'utf8');
  if (summary.tokens.length > bytes + EMPTY_TOKEN_SLACK) {
    failures.push({
      rule: 'text-mismatch',
      detail: `Sent ${summary.tokens.length} token ids for ${bytes} bytes of streamed text.`,
    });
  }
  return failures;
}

/** Special tokens (an unknown or begin-of-text token sampled mid-answer) spell no bytes. */
const EMPTY_TOKEN_SLACK = 2;

/** The tokens a job is paid for: the ids returned, never more than the job asked for. */
export function paidTokens(request: JobRequest, summary: JobSummary): number {
  return Math.min(summary.tokens.length, request.maxTokens);
}
