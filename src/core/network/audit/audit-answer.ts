import type { ProviderClaim } from './audit-rules';
import type { ReplayGuard } from './replay-guard';
import type { AuditReport, DeclaredSampling, TokenAuditor } from './token-auditor';

/** ln(1e-6): an answer less likely than this is not returned twice by an honest sampler. */
const REPEAT_BY_CHANCE_LOG_PROB = Math.log(1e-6);

/** A finished job as the requester holds it: what it asked for and what came back. */
export interface FinishedJob {
  provider: string;
  prompt: string;
  sampling: DeclaredSampling;
  /** The concatenated streamed text. */
  text: string;
  /**
   * The returned token ids, when the protocol carries them. Preferred: text does not always
   * re-tokenise to the tokens that produced it, and a re-split word can score as unlikely.
   */
  tokens?: readonly number[];
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
    {
      prompt: job.prompt,
      output: job.tokens ? { tokens: job.tokens } : { text: job.text },
      sampling: job.sampling,
      claim: job.claim,
    },
    options,
  );
  // The ids are what gets scored, the text is what the requester reads: they must be one answer.
  // Ids outside the vocabulary already failed the audit, and cannot be spelt.
  if (report.failures.some((f) => f.rule === 'invalid-token')) return report;
  if (job.tokens && auditor.detokenize(job.tokens) !== job.text) {
    report.failures.push({
      rule: 'text-mismatch',
      detail: 'The streamed text is not what the returned tokens spell.',
    });
    report.passed = false;
  }
  // A repeated answer is evidence only when repeating it by chance was unlikely: greedy jobs and
  // near-certain answers legitimately repeat across prompts on a small story model.
  const chanceLogProb = report.scored.logProbs.reduce((sum, lp) => sum + lp, 0);
  const telling = job.sampling.temperature > 0 && chanceLogProb < REPEAT_BY_CHANCE_LOG_PROB;
  if (replayGuard.isReplay(job.provider, job.prompt, job.text, report.scored.logProbs.length) && telling) {
    report.failures.push({ rule: 'replay', detail: 'The answer was already returned for a different prompt.' });
    report.passed = false;
  }
  return report;
}
