import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditAnswer, ReplayGuard, TokenAuditor } from '../../../src/core/network/audit';
import { finishedJob, FixtureProvider, makeJob, STORIES } from './cheating-providers';

/**
 * Audits fail closed: what the provider sent decides a failure, the auditor's own limits never
 * do, and a job longer than the auditor's context is judged on a random window of it.
 */
describe('audits that cannot be made to throw', () => {
  let auditor: TokenAuditor;
  let honest: FixtureProvider;
  beforeAll(async () => {
    auditor = await TokenAuditor.load({ modelPath: STORIES.path, modelHash: STORIES.sha256 });
    honest = await FixtureProvider.create('honest');
  });
  afterAll(async () => {
    await auditor.dispose();
    await honest.dispose();
  });

  it('fails ids outside the vocabulary instead of throwing', async () => {
    const job = makeJob(11);
    const answer = await honest.serve(job);
    const foreign = answer.tokens.map((t, i) => (i % 3 === 0 ? 20_000 + t : t));
    const report = await auditAnswer(auditor, new ReplayGuard(), finishedJob(job, { ...answer, tokens: foreign }));
    expect(report.passed).toBe(false);
    expect(report.failures.map((f) => f.rule)).toContain('invalid-token');
  });

  it('fails more ids than the job asked for without scoring them', async () => {
    const job = makeJob(12, 32);
    const answer = await honest.serve(job);
    const padded = [...answer.tokens, ...Array.from({ length: 4096 - answer.tokens.length }, () => answer.tokens[0]!)];
    const report = await auditAnswer(auditor, new ReplayGuard(), finishedJob(job, { ...answer, tokens: padded }));
    expect(report.passed).toBe(false);
    expect(report.failures.map((f) => f.rule)).toContain('token-count');
  });

  it('passes honest jobs longer than its context, scoring a window of each', async () => {
    // A 512-token auditor stands for a requester whose context is smaller than the provider's
    // (the default 2048 would need jobs of over 2048 tokens, minutes each on a shared CPU).
    const small = await TokenAuditor.load({ modelPath: STORIES.path, modelHash: STORIES.sha256, contextSize: 512 });
    let windowed = 0;
    try {
      for (const [i, temperature] of [
        [0, 0],
        [1, 0.7],
        [2, 0.8],
        [3, 1],
      ] as const) {
        const job = { ...makeJob(40 + i, 700), temperature, topP: temperature > 0 ? 0.95 : 1 };
        const answer = await honest.serve(job);
        if (answer.tokens.length <= 512) continue;
        const report = await auditAnswer(small, new ReplayGuard(), finishedJob(job, answer));
        expect(report.failures).toEqual([]);
        expect(report.scored.window?.length).toBe(256);
        expect(report.scored.outputTokens).toBe(answer.tokens.length);
        windowed++;
      }
      expect(windowed).toBeGreaterThanOrEqual(3);
    } finally {
      await small.dispose();
    }
  }, 120_000);

  it('catches random tokens inside a long answer, wherever the window falls', async () => {
    const small = await TokenAuditor.load({ modelPath: STORIES.path, modelHash: STORIES.sha256, contextSize: 512 });
    try {
      const job = { ...makeJob(50, 700), temperature: 0.8, topP: 0.95 };
      const answer = await honest.serve(job);
      // The cheat replaces everything after the first 50 tokens with random ids: any window
      // is mostly junk.
      let seed = 3;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const tokens = [...answer.tokens.slice(0, 50), ...answer.tokens.slice(50).map(() => 3 + Math.floor(random() * 509))];
      const text = small.detokenize(tokens);
      for (let round = 0; round < 3; round++) {
        const report = await auditAnswer(small, new ReplayGuard(), finishedJob(job, { ...answer, tokens, text }));
        expect(report.scored.window).toBeDefined();
        expect(report.passed).toBe(false);
        expect(report.failures.map((f) => f.rule)).toContain('unlikely-window');
      }
    } finally {
      await small.dispose();
    }
  }, 60_000);
});
