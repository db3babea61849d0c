import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NoProviderError } from '../../../src/core/network';
import { Ledger, ledgerFile } from '../../../src/core/network/ledger';
import { receiptFromJson, verifyReceipt, type ReceiptJson } from '../../../src/core/network/receipts';
import { tempDir } from '../../helpers/temp-dir';
import { makeJob, STORIES, type ProviderKind } from './cheating-providers';
import { startRewardedNode, type RewardedNode } from './rewarded-node';

/**
 * Honest and cheating providers as real libp2p nodes on 127.0.0.1, each serving stories260K
 * over /hearth/infer from its own worker process (the cheaters from the fixture worker), and a
 * requester auditing every job (audit share 1). The requester must pay the honest provider with
 * receipts that land in both ledgers, and catch every cheater end to end.
 */
const CHEATERS: ProviderKind[] = ['other-model', 'random-tokens', 'early-stop', 'inflated-counts', 'replay'];

describe('rewards over loopback', () => {
  const dirs: Array<{ path: string; cleanup: () => Promise<void> }> = [];
  const providers = new Map<string, RewardedNode>();
  let requester: RewardedNode;
  let jobNumber = 0;

  const job = (temperature = 0.8) => {
    const j = makeJob(300 + jobNumber++, 32);
    return { model: STORIES.sha256, prompt: j.prompt, maxTokens: 32, temperature, topP: 0.95 };
  };
  const runOn = (provider: RewardedNode, temperature?: number) =>
    requester.network.requester.generate(job(temperature), {
      onlyProviders: [provider.peerId],
      maxAttempts: 1,
      discoveryMs: 5_000,
    });

  beforeAll(async () => {
    const dir = async () => {
      const d = await tempDir();
      dirs.push(d);
      return d.path;
    };
    const kinds: ProviderKind[] = ['honest', ...CHEATERS];
    const started = await Promise.all(
      kinds.map(async (kind) => startRewardedNode({ dataDir: await dir(), provider: kind })),
    );
    kinds.forEach((kind, i) => providers.set(kind, started[i]!));
    requester = await startRewardedNode({
      dataDir: await dir(),
      bootstrap: started.map((p) => `${p.address}/p2p/${p.peerId}`),
    });
    await vi.waitFor(() => expect(requester.network.directory.all()).toHaveLength(kinds.length), {
      timeout: 30_000,
      interval: 250,
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([requester, ...providers.values()].map((n) => n?.stop()));
    await Promise.all(dirs.map((d) => d.cleanup()));
  }, 30_000);

  it('pays an honest provider: the receipt verifies with viem and lands in both ledgers', async () => {
    const honest = providers.get('honest')!;
    for (const temperature of [0, 0.8]) {
      const result = await runOn(honest, temperature);
      const settlement = await result.settlement;
      expect(settlement).toMatchObject({ audit: 'passed', failures: [], withheld: null });
      expect(result.summary.tokens.length).toBe(result.summary.completionTokens);
      expect(result.summary.model).toBe(STORIES.sha256);
      const { receipt, signature } = settlement.receipt!;
      expect(receipt.audited).toBe(true);
      expect(receipt.outputTokens).toBe(result.summary.tokens.length);
      expect(await verifyReceipt({ receipt, signature })).toBe(true);
    }
    // The provider records the receipt once the requester's message arrives.
    await expect.poll(() => honest.entries.filter((e) => e.kind === 'earned').length, { timeout: 10_000 }).toBe(2);
    const spent = requester.entries.filter((e) => e.kind === 'spent');
    const earned = honest.entries.filter((e) => e.kind === 'earned');
    expect(earned.map((e) => e.kind === 'earned' && e.digest)).toEqual(
      spent.map((e) => e.kind === 'spent' && e.digest),
    );
    for (const entry of earned) {
      if (entry.kind !== 'earned') continue;
      const receipt = receiptFromJson(entry.receipt as ReceiptJson);
      expect(receipt.provider).toBe(honest.rewards.receipts!.binding.wallet);
      expect(await verifyReceipt({ receipt, signature: entry.signature as `0x${string}` })).toBe(true);
    }
    // Both files verify on disk: what a restart would read.
    for (const node of [honest, requester])
      expect((await Ledger.inspect(ledgerFile(node.dataDir))).problems).toEqual([]);
    expect(requester.rewards.reputation.standing(honest.peerId)).toMatchObject({
      audits: 2,
      auditsPassed: 2,
      completed: 2,
    });
  });

  it.each(CHEATERS)('catches %s: audit fails, no receipt, reputation drops, the provider is skipped', async (kind) => {
    const cheater = providers.get(kind)!;
    // The replaying provider answers its first two jobs honestly to build up answers to replay.
    const honestFirst = kind === 'replay' ? 2 : 0;
    for (let i = 0; i < honestFirst; i++) expect((await (await runOn(cheater)).settlement).audit).toBe('passed');
    const result = await runOn(cheater);
    const settlement = await result.settlement;
    expect(settlement.audit).toBe('failed');
    expect(settlement.receipt).toBeNull();
    expect(settlement.failures.length).toBeGreaterThan(0);
    const standing = requester.rewards.reputation.standing(cheater.peerId);
    expect(standing.audits - standing.auditsPassed).toBe(1);
    expect(standing.timeoutUntil).not.toBeNull();
    // Timed out: the reputation ranker no longer offers it jobs.
    await expect(runOn(cheater)).rejects.toBeInstanceOf(NoProviderError);
    // The provider learns why it was not paid, and holds no receipt for the job.
    await expect.poll(() => cheater.entries.at(-1)?.kind, { timeout: 10_000 }).toBe('voided');
    expect(cheater.entries.at(-1)).toMatchObject({ kind: 'voided', audited: true });
    expect(cheater.entries.filter((e) => e.kind === 'earned')).toHaveLength(honestFirst);
    expect(
      requester.entries.some(
        (e) => e.kind === 'spent' && e.receipt.provider === cheater.rewards.receipts!.binding.wallet,
      ),
    ).toBe(honestFirst > 0);
  });

  it('prefers the provider with the better record', async () => {
    const ranked = await requester.network.requester['_ranker'].rank(
      [...providers.values()].map((p) => ({
        peerId: p.peerId,
        addrs: [],
        price: 0,
        freeSlots: 1,
        source: 'gossip' as const,
        seenAt: Date.now(),
      })),
      STORIES.sha256,
    );
    expect(ranked.map((c) => c.peerId)).toEqual([providers.get('honest')!.peerId]);
  });
});
