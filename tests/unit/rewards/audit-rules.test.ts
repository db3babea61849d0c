import { describe, expect, it } from 'vitest';
import { checkCanary, END_OF_ANSWER, judgeAudit, type ProviderClaim } from '../../../src/core/network/audit';

const claim: ProviderClaim = {
  requestedModel: 'aa',
  declaredModel: 'aa',
  stopReason: 'max-tokens',
  maxTokens: 6,
  promptTokens: 4,
  outputTokens: 6,
};
const scored = (logProbs: number[], endLogProb = -20) => ({ logProbs, endLogProb, promptTokens: 4 });
const rules = (verdict: ReturnType<typeof judgeAudit>) => verdict.failures.map((f) => f.rule);

describe('judgeAudit', () => {
  it('passes likely output', () => {
    expect(judgeAudit(scored([-0.1, -2, -7.9, -8, -8, -8]), claim).passed).toBe(true);
  });

  it('fails a single token at or below -13 and five at or below -8', () => {
    expect(rules(judgeAudit(scored([-0.1, -13, -1, -1, -1, -1]), claim))).toEqual(['token-below-floor']);
    expect(rules(judgeAudit(scored([-8, -8, -9, -8.5, -12, -1]), claim))).toEqual(['too-many-unlikely']);
    expect(rules(judgeAudit(scored([-1, -1, -1, -1, -1, Number.NEGATIVE_INFINITY]), claim))).toContain(
      'token-below-floor',
    );
  });

  it('fails an end the model did not make likely, and a short answer claiming max tokens', () => {
    const eos = { ...claim, stopReason: 'eos' as const, outputTokens: 3 };
    expect(judgeAudit(scored([-1, -1, -1], -0.5), eos).passed).toBe(true);
    expect(rules(judgeAudit(scored([-1, -1, -1], -9), eos))).toEqual(['unlikely-end']);
    expect(rules(judgeAudit(scored([-1, -1, -1]), { ...claim, outputTokens: 3 }))).toEqual(['early-stop']);
  });

  it('fails a greedy job whose output skipped the clear first choice', () => {
    const ok = scored([-1, -1, -1, -1, -1, -1]);
    expect(judgeAudit({ ...ok, greedyMisses: 0 }, claim).passed).toBe(true);
    expect(rules(judgeAudit({ ...ok, greedyMisses: 1 }, claim))).toEqual(['not-greedy']);
  });

  it('fails a mismatched model hash and inflated counts', () => {
    const ok = scored([-1, -1, -1, -1, -1, -1]);
    expect(rules(judgeAudit(ok, { ...claim, declaredModel: 'bb' }))).toEqual(['model-hash']);
    expect(rules(judgeAudit(ok, { ...claim, outputTokens: 7 }))).toEqual(['token-count']);
    expect(rules(judgeAudit(ok, { ...claim, promptTokens: 5 }))).toEqual(['token-count']);
    expect(judgeAudit(ok, { ...claim, outputTokens: 7 }, { countSlack: 1 }).passed).toBe(true);
    expect(rules(judgeAudit(ok, { ...claim, maxTokens: 5, outputTokens: 6 }))).toEqual(['token-count']);
  });
});

describe('checkCanary', () => {
  const reference = {
    prompt: 'p',
    maxTokens: 5,
    tokens: [10, 11, 12],
    choices: [[10], [11, 20], [12], [END_OF_ANSWER]],
    ended: true,
  };
  it('passes the known answer and a near-tie divergence', () => {
    expect(checkCanary(reference, [10, 11, 12]).passed).toBe(true);
    expect(checkCanary(reference, [10, 20, 99, 98]).passed).toBe(true);
  });
  it('fails a token the model would not choose, an early stop, and running past a sure end', () => {
    expect(checkCanary(reference, [13, 11, 12]).passed).toBe(false);
    expect(checkCanary(reference, [10, 11]).passed).toBe(false);
    expect(checkCanary(reference, [10, 11, 12, 13]).passed).toBe(false);
  });
});
