import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Settlement } from '../../../src/core/network/rewards/settlement';
import { tempDir } from '../../helpers/temp-dir';
import { makeJob, STORIES } from './cheating-providers';
import { startRewardedNode, type RewardedNode } from './rewarded-node';

/**
 * A third-party auditor that fails honest work, over real libp2p on 127.0.0.1: a requester
 * without the model, an honest provider, an honest auditor and a lying one (both serving the
 * model). Whenever the liar is drawn first, the honest auditor contradicts it: the job is paid,
 * the provider keeps its standing, and the liar loses standing and its pay.
 */
describe('a lying third-party auditor', () => {
  const dirs: Array<{ cleanup: () => Promise<void> }> = [];
  let provider: RewardedNode;
  let auditor: RewardedNode;
  let liar: RewardedNode;
  let requester: RewardedNode;

  beforeAll(async () => {
    const dir = async () => {
      const d = await tempDir();
      dirs.push(d);
      return d.path;
    };
    [provider, auditor, liar] = await Promise.all([
      startRewardedNode({ dataDir: await dir(), provider: 'honest-fixture', price: 1 }),
      startRewardedNode({ dataDir: await dir(), provider: 'honest-fixture', price: 1 }),
      startRewardedNode({ dataDir: await dir(), provider: 'honest-fixture', price: 1, auditLies: true }),
    ]);
    requester = await startRewardedNode({
      dataDir: await dir(),
      hasModel: false,
      bootstrap: [provider, auditor, liar].map((p) => `${p.address}/p2p/${p.peerId}`),
    });
    await vi.waitFor(() => expect(requester.network.directory.all()).toHaveLength(3), {
      timeout: 30_000,
      interval: 250,
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([requester, provider, auditor, liar].map((n) => n?.stop()));
    await Promise.all(dirs.map((d) => d.cleanup()));
  }, 30_000);

  it('is contradicted by a second auditor: the honest job is paid and the liar loses standing', async () => {
    const settlements: Settlement[] = [];
    // The liar is drawn first with probability 1/2 per job; 16 jobs miss it with odds 2^-16.
    for (let i = 0; i < 16 && requester.rewards.reputation.isAvailable(liar.peerId); i++) {
      const j = makeJob(900 + i, 32);
      const result = await requester.network.requester.generate(
        { model: STORIES.sha256, prompt: j.prompt, maxTokens: 32, temperature: 0.8, topP: 0.95 },
        { onlyProviders: [provider.peerId], maxAttempts: 1, discoveryMs: 5_000 },
      );
      settlements.push(await result.settlement);
    }
    const contradicted = settlements.filter((s) => s.auditors?.[0] === liar.peerId);
    expect(contradicted).toHaveLength(1);
    expect(contradicted[0]).toMatchObject({
      audit: 'unavailable',
      auditors: [liar.peerId, auditor.peerId],
      withheld: null,
    });
    expect(contradicted[0]!.note).toMatch(/disagreed/);
    // Every job was paid; the honest provider never failed or timed out here.
    expect(settlements.every((s) => s.receipt !== null)).toBe(true);
    expect(settlements.some((s) => s.audit === 'failed')).toBe(false);
    const standing = requester.rewards.reputation.standing(provider.peerId);
    expect(standing.audits).toBe(standing.auditsPassed);
    expect(standing.timeoutUntil).toBeNull();
    // The liar: a failed audit in its own record, so it is neither asked to audit nor sent jobs.
    expect(requester.rewards.reputation.isAvailable(liar.peerId)).toBe(false);
    expect(requester.rewards.reputation.standing(liar.peerId).audits).toBe(1);
    // Its audit was not paid: voided in its ledger; the honest auditor earned its confirmations.
    await expect
      .poll(() => liar.entries.filter((e) => e.kind === 'voided' && e.jobId.startsWith('audit-')).length, {
        timeout: 10_000,
      })
      .toBe(1);
    expect(liar.entries.filter((e) => e.kind === 'earned')).toHaveLength(0);
    await expect
      .poll(() => auditor.entries.filter((e) => e.kind === 'earned' && e.jobId.startsWith('audit-')).length, {
        timeout: 10_000,
      })
      .toBeGreaterThan(0);
  }, 180_000);
});
