/**
 * `npm run bench:audit`: how often audits catch cheating providers, how often they wrongly fail
 * honest ones, and what audits cost next to generation. Providers are the fixtures in
 * tests/integration/rewards/cheating-providers.ts, run in-process at the audit seam (the answer a
 * provider would stream over /hearth/infer/1.0.0, audited the way a requester does), plus one
 * cheater as a real libp2p node on 127.0.0.1 audited end to end by a requester. Threads: 1.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  AuditSampler,
  auditAnswer,
  CanaryPool,
  checkCanary,
  ReplayGuard,
  TokenAuditor,
} from '../../src/core/network/audit';
import {
  finishedJob,
  FixtureProvider,
  makeJob,
  STORIES,
  type ProviderKind,
} from '../integration/rewards/cheating-providers';
import { startRewardedNode } from '../integration/rewards/rewarded-node';

const HONEST_JOBS = Number(process.env.AUDIT_BENCH_HONEST ?? 1000);
const LOOPBACK_JOBS = Number(process.env.AUDIT_BENCH_LOOPBACK ?? 200);
const CHEATER_JOBS = Number(process.env.AUDIT_BENCH_CHEATER ?? 200);
const CHEATERS: ProviderKind[] = [
  'other-model',
  'random-tokens',
  'early-stop',
  'replay',
  'inflated-counts',
  'replay-foreign',
];
const results: Record<string, unknown> = {};
let auditor: TokenAuditor;

describe('audit', () => {
  beforeAll(async () => {
    auditor = await TokenAuditor.load({ modelPath: STORIES.path, modelHash: STORIES.sha256, threads: 1 });
  });
  afterAll(async () => {
    await auditor.dispose();
    await mkdir('bench-results', { recursive: true });
    await writeFile('bench-results/audit.json', `${JSON.stringify(results, null, 2)}\n`);
  });

  it(`honest provider: ${HONEST_JOBS} jobs, false failures and audit compute`, async () => {
    const provider = await FixtureProvider.create('honest');
    const guard = new ReplayGuard();
    const sampler = new AuditSampler({ share: 0.1 });
    const textGuard = new ReplayGuard();
    let falseFailures = 0;
    let textFalseFailures = 0;
    const textFailures: unknown[] = [];
    let generationMs = 0;
    let auditMs = 0;
    let sampledAuditMs = 0;
    let sampled = 0;
    let minLogProb = 0;
    const failures: unknown[] = [];
    for (let i = 0; i < HONEST_JOBS; i++) {
      const job = makeJob(i);
      const answer = await provider.serve(job);
      // Every honest job is audited to count false failures; the sampler says which of them a
      // requester at the default 10% would have paid for.
      const report = await auditAnswer(auditor, guard, finishedJob(job, answer, 'honest'));
      // The same answer audited as the protocol streams it today: text, re-tokenised.
      const textReport = await auditAnswer(auditor, textGuard, {
        ...finishedJob(job, answer, 'honest'),
        tokens: undefined,
      });
      if (!textReport.passed) {
        textFalseFailures++;
        textFailures.push({ job: job.jobId, failures: textReport.failures });
      }
      generationMs += answer.generationMs;
      auditMs += report.auditMs;
      minLogProb = Math.min(minLogProb, report.minLogProb);
      if (sampler.shouldAudit('honest')) {
        sampled++;
        sampledAuditMs += report.auditMs;
      }
      if (!report.passed) {
        falseFailures++;
        failures.push({ job, failures: report.failures });
      }
    }
    await provider.dispose();
    const row = {
      jobs: HONEST_JOBS,
      falseFailures,
      lowestTokenLogProb: Number(minLogProb.toFixed(2)),
      generationMs: Math.round(generationMs),
      auditMsEveryJob: Math.round(auditMs),
      auditPerGenerationEveryJob: Number((auditMs / generationMs).toFixed(3)),
      sampledJobs: sampled,
      auditShareOfGenerationAtDefault: Number((sampledAuditMs / generationMs).toFixed(4)),
      auditShareOfTotalAtDefault: Number((sampledAuditMs / (generationMs + sampledAuditMs)).toFixed(4)),
      failures,
      textAuditFalseFailures: textFalseFailures,
      textFailures,
    };
    results.honest = row;
    console.log(
      `honest: ${falseFailures} false failures in ${HONEST_JOBS} jobs audited on token ids ` +
        `(lowest token log-prob ${row.lowestTokenLogProb}); ${textFalseFailures} when audited on re-tokenised text`,
    );
    console.log(
      `audit compute: one audit = ${(row.auditPerGenerationEveryJob * 100).toFixed(1)}% of its job's generation; ` +
        `at 10% sampling (${sampled} jobs audited) = ${(row.auditShareOfGenerationAtDefault * 100).toFixed(2)}% of generation, ` +
        `${(row.auditShareOfTotalAtDefault * 100).toFixed(2)}% of total compute`,
    );
  });

  for (const kind of CHEATERS) {
    it(`${kind}: catch rate over ${CHEATER_JOBS} audited cheating jobs`, async () => {
      const provider = await FixtureProvider.create(kind, 7);
      const guard = new ReplayGuard();
      const byRule: Record<string, number> = {};
      let cheated = 0;
      let caught = 0;
      for (let i = 0; cheated < CHEATER_JOBS; i++) {
        const job = makeJob(10_000 + i);
        const answer = await provider.serve(job);
        const report = await auditAnswer(auditor, guard, finishedJob(job, answer, kind));
        if (!answer.cheated) continue;
        cheated++;
        if (!report.passed) caught++;
        for (const failure of report.failures) byRule[failure.rule] = (byRule[failure.rule] ?? 0) + 1;
      }
      await provider.dispose();
      const catchRate = caught / cheated;
      // At 10% sampling each cheating job is caught with this probability; the chance a
      // provider cheating on every job survives n jobs is (1 - 0.1 * catchRate)^n.
      const jobsToCatch95 = Math.ceil(Math.log(0.05) / Math.log(1 - 0.1 * catchRate));
      results[kind] = { audited: cheated, caught, catchRate, byRule, jobsUntilCaught95AtDefault: jobsToCatch95 };
      console.log(
        `${kind}: caught ${caught}/${cheated} = ${(catchRate * 100).toFixed(1)}% ` +
          `(${JSON.stringify(byRule)}); at 10% sampling caught within ${jobsToCatch95} jobs with 95% probability`,
      );
    });
  }

  it(`over loopback: random-tokens as a libp2p node, ${LOOPBACK_JOBS} jobs audited end to end`, async () => {
    // The cheater serves from the fixture worker through the provider's worker entry; the
    // requester keeps sending it jobs (plain ranking) so every job is audited and counted.
    const home = await mkdtemp(join(tmpdir(), 'hearth-audit-bench-'));
    const cheater = await startRewardedNode({ dataDir: join(home, 'cheater'), provider: 'random-tokens' });
    const requester = await startRewardedNode({
      dataDir: join(home, 'requester'),
      bootstrap: [`${cheater.address}/p2p/${cheater.peerId}`],
      ranking: 'plain',
    });
    try {
      let caught = 0;
      let receipts = 0;
      const started = performance.now();
      for (let i = 0; i < LOOPBACK_JOBS; i++) {
        const job = makeJob(70_000 + i, 32);
        const result = await requester.network.requester.generate(
          { model: STORIES.sha256, prompt: job.prompt, maxTokens: 32, temperature: job.temperature, topP: job.topP },
          { onlyProviders: [cheater.peerId], maxAttempts: 1 },
        );
        const settlement = await result.settlement;
        if (settlement.audit === 'failed') caught++;
        if (settlement.receipt) receipts++;
      }
      const wallMs = Math.round(performance.now() - started);
      const earned = cheater.entries.filter((e) => e.kind === 'earned').length;
      results.loopbackRandomTokens = {
        audited: LOOPBACK_JOBS,
        caught,
        catchRate: caught / LOOPBACK_JOBS,
        receipts,
        earned,
        wallMs,
      };
      console.log(
        `over loopback, random-tokens: caught ${caught}/${LOOPBACK_JOBS}; receipts sent ${receipts}, earned ${earned} (${wallMs} ms)`,
      );
    } finally {
      await requester.stop();
      await cheater.stop();
      await rm(home, { recursive: true, force: true });
    }
  });

  it('canaries: greedy known answers, honest vs cheaters', async () => {
    const pool = new CanaryPool({ share: 1 });
    for (let i = 0; i < 20; i++) pool.add(await auditor.reference(makeJob(50_000 + i).prompt, 48));
    const row: Record<string, string> = {};
    for (const kind of ['honest', 'other-model', 'random-tokens', 'early-stop', 'replay-foreign'] as ProviderKind[]) {
      const provider = await FixtureProvider.create(kind, 3);
      let failed = 0;
      for (let i = 0; i < 20; i++) {
        const canary = pool.next()!;
        const answer = await provider.serve({
          ...makeJob(i),
          prompt: canary.prompt,
          maxTokens: 48,
          temperature: 0,
          topP: 1,
        });
        if (!checkCanary(canary, auditor.outputTokens({ text: answer.text })).passed) failed++;
      }
      await provider.dispose();
      row[kind] = `${failed}/20 failed`;
    }
    results.canaries = row;
    console.log(`canaries: ${JSON.stringify(row)}`);
  });
});
