import type { ProviderClaim } from './audit-rules';
import type { ReplayGuard } from './replay-guard';
import type { AuditReport, DeclaredSampling, TokenAuditor } from './token-auditor';

/** A finished job as the requester holds it: what it asked for and what came back. */
export interface FinishedJob {
  provider: string;
  prompt: string;
  sampling: DeclaredSampling;
  /** The concatenated streamed text (the protocol streams text, not token ids). */
  text: string;
  claim: ProviderClaim;
}

/**
 * The requester's full check of one sampled job: the teacher-forced audit plus the replay guard.
 * Jobs that are not sampled should still pass through `replayGuard.isReplay` so a later replay
 * of them is recognised.
 */
export async function auditAnswer(
  auditor: TokenAuditor,
  replayGuard: ReplayGuard,
  job: FinishedJob,
  options: { signal?: AbortSignal } = {},
): Promise<AuditReport> {
  const report = await auditor.audit(
    { prompt: job.prompt, output: { text: job.text }, sampling: job.sampling, claim: job.claim },
    options,
  );
  if (replayGuard.isReplay(job.provider, job.prompt, job.text, report.scored.logProbs.length)) {
    report.failures.push({ rule: 'replay', detail: 'The answer was already returned for a different prompt.' });
    report.passed = false;
  }
  return report;
}
