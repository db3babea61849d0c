import { describe, expect, it } from 'vitest';
import { AuditSampler } from '../../../src/core/network/audit';
import type { JobRequest, JobSummary } from '../../../src/core/network/protocol/messages';
import { claimFailures, paidTokens } from '../../../src/core/network/rewards/claim-checks';
import { SpendingLimit, SpendLimitError } from '../../../src/core/network/rewards/spending-limit';

const request: JobRequest = {
  t: 'request',
  jobId: 'j',
  model: 'a'.repeat(64),
  prompt: 'Once upon a time',
  maxTokens: 64,
  temperature: 0,
  topP: 1,
  seed: 1,
  price: 1,
  requester: 'r',
};
const summary = (tokens: number[], extra: Partial<JobSummary> = {}): JobSummary => ({
  promptTokens: 5,
  completionTokens: tokens.length,
  queueMs: 0,
  generationMs: 1,
  stopReason: 'max-tokens',
  tokens,
  model: 'a'.repeat(64),
  ...extra,
});

describe('claim checks on every job', () => {
  it('passes an honest answer and pays its ids', () => {
    const s = summary([10, 11, 12]);
    expect(claimFailures(request, s, ' a big dog')).toEqual([]);
    expect(paidTokens(request, s)).toBe(3);
  });

  it('fails padding past maxTokens, inflated counts, another model and ids with no text behind them', () => {
    const rules = (s: JobSummary, text: string) => claimFailures(request, s, text).map((f) => f.rule);
    expect(rules(summary(Array.from({ length: 4096 }, () => 10)), 'x'.repeat(5000))).toEqual(['token-count']);
    expect(rules(summary([1, 2, 3], { completionTokens: 9 }), 'abc')).toEqual(['token-count']);
    expect(rules(summary([1, 2, 3], { model: 'b'.repeat(64) }), 'abc')).toEqual(['model-hash']);
    expect(rules(summary(Array.from({ length: 60 }, () => 10)), 'short')).toEqual(['text-mismatch']);
  });

  it('never pays for more tokens than were asked for', () => {
    expect(paidTokens(request, summary(Array.from({ length: 100 }, () => 10)))).toBe(64);
  });
});

describe('SpendingLimit', () => {
  it('refuses a job whose most possible cost is past the balance plus the allowance, and frees it once settled', () => {
    let balance = 0n;
    const limit = new SpendingLimit({ balance: () => balance, allowance: 1_000n });
    const release = limit.reserve(800n);
    expect(() => limit.reserve(300n)).toThrow(SpendLimitError);
    expect(() => limit.reserve(300n)).toThrow(/Contribute page/);
    balance -= 500n; // the receipt landed in the ledger
    release(500n);
    expect(limit.left).toBe(500n);
    expect(() => limit.reserve(501n)).toThrow(SpendLimitError);
  });

  it('counts the spending of this run when there is no ledger', () => {
    const limit = new SpendingLimit({ balance: () => null, allowance: 1_000n });
    limit.reserve(600n)(600n);
    expect(limit.left).toBe(400n);
  });
});

describe('AuditSampler probation', () => {
  it('audits a new provider fully, then less and less down to the configured share, which applies live', () => {
    let share = 0.1;
    const sampler = new AuditSampler({ share: () => share, newProviderJobs: 5, probationJobs: 100, random: () => 0.5 });
    const audited = Array.from({ length: 120 }, () => sampler.shouldAudit('p'));
    expect(audited.slice(0, 5).every(Boolean)).toBe(true);
    // Share 1 - (seen - 5) / 100 is above the 0.5 draw up to job 54.
    expect(audited.slice(5, 54).every(Boolean)).toBe(true);
    expect(audited.slice(56).some(Boolean)).toBe(false);
    share = 0.6;
    expect(sampler.shouldAudit('p')).toBe(true);
    expect(sampler.shareFor('newcomer')).toBe(1);
  });
});
