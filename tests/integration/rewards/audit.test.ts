import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditAnswer,
  CanaryPool,
  checkCanary,
  ModelHashError,
  ReplayGuard,
  TokenAuditor,
} from '../../../src/core/network/audit';
import { finishedJob, FixtureProvider, makeJob, STORIES, TINY_RANDOM, type ProviderKind } from './cheating-providers';

describe('audits on real models (stories260K; llama-2-tiny-random as the impostor)', () => {
  let auditor: TokenAuditor;
  beforeAll(async () => {
    auditor = await TokenAuditor.load({ modelPath: STORIES.path, modelHash: STORIES.sha256 });
  });
  afterAll(() => auditor.dispose());

  it('refuses to audit with a model file that is not the declared one', async () => {
    await expect(TokenAuditor.load({ modelPath: TINY_RANDOM.path, modelHash: STORIES.sha256 })).rejects.toBeInstanceOf(
      ModelHashError,
    );
  });

  it('passes honest answers across greedy and sampled jobs', async () => {
    const honest = await FixtureProvider.create('honest');
    const guard = new ReplayGuard();
    for (let i = 0; i < 12; i++) {
      const job = makeJob(i);
      const report = await auditAnswer(auditor, guard, finishedJob(job, await honest.serve(job)));
      expect(report.failures).toEqual([]);
    }
    await honest.dispose();
  });

  const cheaters: ProviderKind[] = ['other-model', 'random-tokens', 'early-stop', 'replay', 'inflated-counts'];
  it.each(cheaters)('catches a provider that cheats by %s', async (kind) => {
    const provider = await FixtureProvider.create(kind, 5);
    const guard = new ReplayGuard();
    let cheated = 0;
    let caught = 0;
    for (let i = 0; cheated < 3; i++) {
      const job = makeJob(200 + i);
      const answer = await provider.serve(job);
      const report = await auditAnswer(auditor, guard, finishedJob(job, answer));
      if (!answer.cheated) continue;
      cheated++;
      if (!report.passed) caught++;
    }
    await provider.dispose();
    expect(caught).toBe(3);
  });

  it('fails honest token ids streamed with other text', async () => {
    const honest = await FixtureProvider.create('honest');
    const job = makeJob(7);
    const answer = await honest.serve(job);
    const tampered = { ...answer, text: answer.text.replace(/\w+/, 'Buy') };
    const report = await auditAnswer(auditor, new ReplayGuard(), finishedJob(job, tampered));
    expect(report.failures.map((f) => f.rule)).toEqual(['text-mismatch']);
    await honest.dispose();
  });

  it('checks canaries against their known greedy answer', async () => {
    const pool = new CanaryPool({ share: 1 });
    pool.add(await auditor.reference(makeJob(900).prompt, 32));
    const canary = pool.next()!;
    const greedy = { ...makeJob(900), maxTokens: 32, temperature: 0, topP: 1 };
    const honest = await FixtureProvider.create('honest');
    const random = await FixtureProvider.create('random-tokens', 9);
    const honestAnswer = await honest.serve(greedy);
    const randomAnswer = await random.serve(greedy);
    expect(checkCanary(canary, auditor.outputTokens({ text: honestAnswer.text })).passed).toBe(true);
    expect(checkCanary(canary, auditor.outputTokens({ text: randomAnswer.text })).passed).toBe(false);
    await honest.dispose();
    await random.dispose();
  });
});
