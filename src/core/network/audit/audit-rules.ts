/**
 * The fail rules of an audit, after Targon's verifier: a re-scoring pass gives the log-probability
 * of every returned token under the declared sampling, and honest output almost never contains
 * tokens the model found nearly impossible. Thresholds are natural-log probabilities.
 */
export interface AuditThresholds {
  /** Any returned token at or below this fails the job. Default -13 (p <= 2.3e-6). */
  hardFloor?: number;
  /** Tokens at or below this count as unlikely. Default -8 (p <= 3.4e-4). */
  softFloor?: number;
  /** This many unlikely tokens fail the job. Default 5. */
  softLimit?: number;
  /** An end of generation is believed only at or above this log-probability. Default -8. */
  endFloor?: number;
  /**
   * Claimed counts may exceed the audited ones by this many tokens. Default 0 for token ids;
   * callers auditing re-tokenised text pass a small slack since text does not always re-tokenise
   * to the tokens that produced it.
   */
  countSlack?: number;
  /**
   * Sampled jobs of at least 16 scored tokens fail when their typicality z-score is below this.
   * Default -4.5: honest samples of stories260K at temperatures 0.5 to 1 stayed above -2.2 in 160
   * jobs (the normal tail below -4.5 is 3 in a million); text sampled hotter than declared scored
   * -4 to -47.
   */
  typicalityFloor?: number;
  /**
   * A long job's tail window fails when its mean log-probability is below this. Default -6:
   * honest text under a cut context stays far above; ids drawn at random or from another model
   * fall far below.
   */
  windowMeanFloor?: number;
}

export type AuditRule =
  | 'model-hash' // the provider declared a model other than the one requested
  | 'token-below-floor'
  | 'too-many-unlikely'
  | 'unlikely-end' // claimed an end of generation the model did not make likely
  | 'early-stop' // stopped before maxTokens without ending
  | 'not-greedy' // a greedy job's output skipped the model's clear first choice
  | 'token-count' // claimed more output or prompt tokens than it returned
  | 'replay' // returned an answer already returned for a different prompt
  | 'text-mismatch' // streamed text other than what the returned token ids spell
  | 'invalid-token' // returned ids outside the declared model's vocabulary
  | 'unlikely-window' // the scored window of a long answer is junk
  | 'atypical' // a sampled answer far less likely than samples of the declared distribution are
  | 'canary'; // differed from a known answer where the model is confident

export interface AuditFailure {
  rule: AuditRule;
  /** A sentence a provider operator can act on, shown in their earnings view. */
  detail: string;
}

/** What the provider said about the job (from its `done` message and the model it accepted). */
export interface ProviderClaim {
  requestedModel: string;
  declaredModel: string;
  stopReason: 'max-tokens' | 'eos' | 'cancelled';
  maxTokens: number;
  promptTokens: number;
  outputTokens: number;
}

/** What the auditor measured in its teacher-forced pass. */
export interface ScoredOutput {
  /**
   * Log-probability of each scored token given everything before it: every returned token, or
   * for a job longer than the auditor's context the tokens of one random window (see `window`).
   */
  logProbs: readonly number[];
  /** Log-probability that generation ends right after the last returned token (0 when not scored). */
  endLogProb: number;
  /** How many tokens were returned (scored or not). Default: logProbs.length. */
  outputTokens?: number;
  /**
   * Sampled jobs: how typical the scored tokens are of the distribution, as a z-score (about
   * standard normal for honest samples, far below zero for text the model did not sample here).
   */
  typicality?: number;
  /**
   * A job longer than the auditor's context: `logProbs` is empty, and this random window of the
   * answer was scored with a cut context (judged only for junk).
   */
  window?: { start: number; length: number; logProbs: readonly number[] };
  promptTokens: number;
  /**
   * Greedy jobs only: tokens that were not the model's first choice where that choice led by a
   * clear margin. Honest greedy decoding has none; near-ties may flip across hardware.
   */
  greedyMisses?: number;
}

export interface AuditVerdict {
  passed: boolean;
  failures: AuditFailure[];
  minLogProb: number;
  unlikelyTokens: number;
}

export function judgeAudit(scored: ScoredOutput, claim: ProviderClaim, thresholds: AuditThresholds = {}): AuditVerdict {
  const { hardFloor = -13, softFloor = -8, softLimit = 5, endFloor = -8, countSlack = 0, typicalityFloor = -4.5, windowMeanFloor = -6 } = thresholds;
  const failures: AuditFailure[] = [];
  const fail = (rule: AuditRule, detail: string) => failures.push({ rule, detail });
  if (claim.declaredModel.toLowerCase() !== claim.requestedModel.toLowerCase()) {
    fail('model-hash', `The provider declared model ${claim.declaredModel.slice(0, 12)}…, not the requested one.`);
  }
  const tokens = scored.outputTokens ?? scored.logProbs.length;
  const below = scored.logProbs.findIndex((lp) => lp <= hardFloor);
  if (below !== -1) {
    fail(
      'token-below-floor',
      `Token ${below + 1} has log-probability ${fmt(scored.logProbs[below])} (floor ${hardFloor}).`,
    );
  }
  const unlikely = scored.logProbs.filter((lp) => lp <= softFloor).length;
  if (unlikely >= softLimit)
    fail('too-many-unlikely', `${unlikely} tokens are at or below ${softFloor} (limit ${softLimit - 1}).`);
  if (scored.typicality !== undefined && scored.logProbs.length >= 16 && scored.typicality < typicalityFloor) {
    fail(
      'atypical',
      `The answer is ${(-scored.typicality).toFixed(1)} standard deviations less likely than samples of the declared sampling.`,
    );
  }
  if (scored.window && scored.window.logProbs.length > 0) {
    const finite = scored.window.logProbs.map((lp) => Math.max(lp, -100));
    const mean = finite.reduce((sum, lp) => sum + lp, 0) / finite.length;
    if (mean < windowMeanFloor) {
      fail(
        'unlikely-window',
        `Tokens ${scored.window.start + 1} to ${scored.window.start + scored.window.length} average log-probability ${mean.toFixed(2)} (floor ${windowMeanFloor}).`,
      );
    }
  }
  if (claim.stopReason === 'eos' && scored.endLogProb < endFloor && (!scored.window || scored.logProbs.length === tokens)) {
    fail('unlikely-end', `The output ends where the model gives an end only ${fmt(scored.endLogProb)}.`);
  }
  if (claim.stopReason === 'max-tokens' && tokens + countSlack < claim.maxTokens) {
    fail('early-stop', `Claimed to reach ${claim.maxTokens} tokens but returned ${tokens}.`);
  }
  if ((scored.greedyMisses ?? 0) > countSlack) {
    fail('not-greedy', `${scored.greedyMisses} tokens of a greedy job were not the model's clear first choice.`);
  }
  if (tokens > claim.maxTokens + countSlack)
    fail('token-count', `Returned ${tokens} tokens; the job allowed ${claim.maxTokens}.`);
  if (claim.outputTokens > tokens + countSlack)
    fail('token-count', `Claimed ${claim.outputTokens} output tokens, returned ${tokens}.`);
  if (claim.promptTokens > scored.promptTokens + countSlack) {
    fail('token-count', `Claimed ${claim.promptTokens} prompt tokens; the prompt has ${scored.promptTokens}.`);
  }
  const finite = scored.logProbs.map((lp) => Math.max(lp, -1000));
  return {
    passed: failures.length === 0,
    failures,
    minLogProb: finite.length ? Math.min(...finite) : 0,
    unlikelyTokens: unlikely,
  };
}

/**
 * Checks on the returned ids that need no model run, so an audit never feeds the model input it
 * cannot evaluate: ids outside the vocabulary and more ids than the job allowed fail the job (they
 * are the provider's data; an auditor that threw on them would let the cheat through).
 */
export function checkReturnedIds(
  tokens: readonly number[],
  { vocabularySize, maxTokens }: { vocabularySize: number; maxTokens: number },
): AuditFailure[] {
  const failures: AuditFailure[] = [];
  const invalid = tokens.findIndex((t) => !Number.isInteger(t) || t < 0 || t >= vocabularySize);
  if (invalid !== -1) {
    failures.push({
      rule: 'invalid-token',
      detail: `Token ${invalid + 1} (id ${tokens[invalid]}) is not in the model's ${vocabularySize}-token vocabulary.`,
    });
  }
  if (tokens.length > maxTokens) {
    failures.push({ rule: 'token-count', detail: `Returned ${tokens.length} tokens; the job allowed ${maxTokens}.` });
  }
  return failures;
}

function fmt(logProb: number | undefined): string {
  return logProb === undefined || !Number.isFinite(logProb) ? '-inf' : logProb.toFixed(2);
}
