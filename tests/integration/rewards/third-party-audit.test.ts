import { readFile } from 'node:fs/promises';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { lpStream } from '@libp2p/utils';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditorMessageSchema, type AuditRequest } from '../../../src/core/network/protocol/audit-messages';
import { AUDIT_PROTOCOL } from '../../../src/core/network/protocol/ids';
import { MessageStream } from '../../../src/core/network/protocol/message-stream';
import type { ContributionVerdict } from '../../../src/core/network/provider/contribution-policy';
import { receiptFromJson, type ReceiptJson } from '../../../src/core/network/receipts';
import { auditTokens } from '../../../src/core/network/rewards/audit-receipt';
import { unpaidAuditsFile } from '../../../src/core/network/rewards/node-rewards';
import { tempDir } from '../../helpers/temp-dir';
import { makeJob, STORIES } from './cheating-providers';
import { startRewardedNode, type RewardedNode, type RewardedNodeOptions } from './rewarded-node';

/** A one-token audit of the stories model, as a requester without the model sends it. */
function storiesAudit(auditId: string): AuditRequest {
  return {
    t: 'audit',
    auditId,
    model: STORIES.sha256,
    prompt: 'Once upon a time',
    temperature: 0,
    topP: 1,
    text: ' there',
    tokens: [300],
    claim: { declaredModel: STORIES.sha256, stopReason: 'eos', maxTokens: 8, promptTokens: 5, outputTokens: 1 },
    price: 1,
  };
}

/**
 * "Audits for everyone" over real libp2p on 127.0.0.1: a requester with NO copy of stories260K,
 * a provider returning random tokens, and an honest provider. Every job is sampled; the
 * requester can only audit through a third party, over /hearth/audit/1.0.0.
 */
describe('third-party audits over loopback', () => {
  const dirs: Array<{ cleanup: () => Promise<void> }> = [];
  let cheater: RewardedNode;
  let honest: RewardedNode;
  let requester: RewardedNode;
  let jobNumber = 0;
  let honestDir: string;
  let honestOptions: Omit<RewardedNodeOptions, 'dataDir'>;
  /** The honest provider's contribution verdict; a test pauses it as local use would. */
  let honestVerdict: ContributionVerdict = { state: 'ready', reason: '' };

  const prompts: string[] = [];
  const runOn = (provider: RewardedNode, temperature = 0.8) => {
    const j = makeJob(700 + jobNumber++, 32);
    prompts.push(j.prompt);
    return requester.network.requester.generate(
      { model: STORIES.sha256, prompt: j.prompt, maxTokens: 32, temperature, topP: 0.95 },
      { onlyProviders: [provider.peerId], maxAttempts: 1, discoveryMs: 5_000 },
    );
  };

  const auditJob = (provider: string) => ({
    provider,
    maxPrice: 1,
    request: {
      model: STORIES.sha256,
      prompt: 'p',
      temperature: 0,
      topP: 1,
      text: 't',
      tokens: [1],
      claim: {
        declaredModel: STORIES.sha256,
        stopReason: 'eos' as const,
        maxTokens: 1,
        promptTokens: 1,
        outputTokens: 1,
      },
    },
  });

  beforeAll(async () => {
    honestOptions = {
      provider: 'honest-fixture',
      price: 1,
      verdict: () => honestVerdict,
      privateKey: await generateKeyPair('Ed25519'),
    };
    const dir = async () => {
      const d = await tempDir();
      dirs.push(d);
      return d.path;
    };
    [cheater, honest] = await Promise.all([
      startRewardedNode({ dataDir: await dir(), provider: 'random-tokens', price: 1 }),
      startRewardedNode({ ...honestOptions, dataDir: (honestDir = await dir()) }),
    ]);
    requester = await startRewardedNode({
      dataDir: await dir(),
      hasModel: false,
      // Keeps sending to a provider in a timeout, so every test reaches the one it names.
      ranking: 'plain',
      bootstrap: [cheater, honest].map((p) => `${p.address}/p2p/${p.peerId}`),
    });
    await vi.waitFor(() => expect(requester.network.directory.all()).toHaveLength(2), {
      timeout: 30_000,
      interval: 250,
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([requester, cheater, honest].map((n) => n?.stop()));
    await Promise.all(dirs.map((d) => d.cleanup()));
  }, 30_000);

  it("never chooses the job's own provider as its auditor", () => {
    const remote = requester.rewards.remoteAuditors;
    for (let i = 0; i < 20; i++) {
      expect(remote.candidates(auditJob(honest.peerId))).toEqual([cheater.peerId]);
      expect(remote.candidates(auditJob(cheater.peerId))).toEqual([honest.peerId]);
    }
    // An auditor asking more than the job cost per token is not asked.
    expect(remote.candidates({ ...auditJob(honest.peerId), maxPrice: 0.5 })).toEqual([]);
  });

  it('passes honest jobs through a third party and pays the auditor a small receipt', async () => {
    const expected: number[] = [];
    for (const temperature of [0, 0.8]) {
      const result = await runOn(honest, temperature);
      expected.push(auditTokens({ prompt: prompts.at(-1)!, tokens: result.summary.tokens, claim: result.summary }));
      const settlement = await result.settlement;
      expect(settlement).toMatchObject({ audit: 'passed', failures: [], withheld: null, auditors: [cheater.peerId] });
      expect(settlement.receipt!.receipt.audited).toBe(true);
    }
    // The audits' receipts: spent here, earned by the auditor, at a tenth of prompt + output tokens.
    await expect
      .poll(() => cheater.entries.filter((e) => e.kind === 'earned' && e.jobId.startsWith('audit-')).length, {
        timeout: 10_000,
      })
      .toBe(2);
    const spent = requester.entries.filter((e) => e.kind === 'spent' && e.jobId.startsWith('audit-'));
    const earned = cheater.entries.filter((e) => e.kind === 'earned' && e.jobId.startsWith('audit-'));
    expect(earned.map((e) => e.kind === 'earned' && e.digest)).toEqual(
      spent.map((e) => e.kind === 'spent' && e.digest),
    );
    const receipts = earned.map((e) => (e.kind === 'earned' ? receiptFromJson(e.receipt as ReceiptJson) : null)!);
    expect(receipts.map((r) => r.outputTokens)).toEqual(expected);
    for (const receipt of receipts) {
      expect(receipt.provider).toBe(cheater.rewards.receipts!.binding.wallet);
      // 1 credit per 1000 tokens, in micro-credits.
      expect(receipt.price).toBe(BigInt(receipt.outputTokens) * 1000n);
    }
    expect(requester.rewards.reputation.standing(honest.peerId)).toMatchObject({ audits: 2, auditsPassed: 2 });
  }, 120_000);

  it('fails cheated jobs through the third party: no receipt, a timeout for the cheater', async () => {
    for (let i = 0; i < 2; i++) {
      const settlement = await (await runOn(cheater)).settlement;
      expect(settlement.audit).toBe('failed');
      expect(settlement.receipt).toBeNull();
      expect(settlement.auditors).toEqual([honest.peerId]);
      expect(settlement.failures.length).toBeGreaterThan(0);
      // One auditor only (no second third party exists here): a timeout, not a step toward a ban.
      expect(settlement.note).toMatch(/no second auditor/);
    }
    // In a timeout here, it is not asked to audit either.
    expect(requester.rewards.remoteAuditors.candidates(auditJob(honest.peerId))).toEqual([]);
    const standing = requester.rewards.reputation.standing(cheater.peerId);
    expect(standing.audits).toBe(0);
    expect(standing.banned).toBe(false);
    expect(standing.timeoutUntil).not.toBeNull();
    await expect.poll(() => cheater.entries.at(-1)?.kind, { timeout: 10_000 }).toBe('voided');
    expect(cheater.entries.filter((e) => e.kind === 'earned' && !e.jobId.startsWith('audit-'))).toHaveLength(0);
    // The honest auditor was paid for both audits.
    await expect
      .poll(() => honest.entries.filter((e) => e.kind === 'earned' && e.jobId.startsWith('audit-')).length, {
        timeout: 10_000,
      })
      .toBe(2);
  }, 120_000);

  it('audits nothing while its owner uses the machine: the job is paid unaudited, never an error', async () => {
    honestVerdict = { state: 'paused', reason: 'The owner is using Hearth.' };
    try {
      const result = await runOn(cheater);
      const settlement = await result.settlement;
      expect(settlement.audit).toBe('unavailable');
      expect(settlement.note).toMatch(/not-now/);
      expect(settlement.receipt).not.toBeNull();
    } finally {
      honestVerdict = { state: 'ready', reason: '' };
    }
  }, 60_000);

  it('refuses hostile and over-long audit requests', async () => {
    const dial = () =>
      requester.network.node.dialProtocol(peerIdFromString(honest.peerId), AUDIT_PROTOCOL, {
        signal: AbortSignal.timeout(5_000),
      });
    const request = storiesAudit('audit-hostile');
    // Not CBOR: the stream is cut without an answer.
    const garbage = lpStream(await dial());
    await garbage.write(new Uint8Array([0xff, 0xfe, 0xfd, 0x00]));
    await expect(garbage.read({ signal: AbortSignal.timeout(10_000) })).rejects.toThrow();
    // Outside the schema (more ids than the longest job): cut too.
    const oversized = new MessageStream(await dial(), AuditorMessageSchema);
    await oversized.write({ ...request, tokens: Array.from({ length: 5_000 }, () => 1) }, 5_000);
    await expect(oversized.read(10_000)).rejects.toThrow();
    // Well formed, but longer than an auditor re-scores: refused with the reason.
    const long = new MessageStream(await dial(), AuditorMessageSchema);
    await long.write({ ...request, prompt: 'x'.repeat(40_000), text: 'y'.repeat(30_000) }, 5_000);
    expect(await long.read(10_000)).toMatchObject({ t: 'audit-refuse', reason: 'too-long' });
    await long.close();
    // A model it does not serve.
    const unknown = new MessageStream(await dial(), AuditorMessageSchema);
    await unknown.write({ ...request, model: 'ab'.repeat(32) }, 5_000);
    expect(await unknown.read(10_000)).toMatchObject({ t: 'audit-refuse', reason: 'unknown-model' });
    await unknown.close();
    // Offering less than the auditor asks.
    const cheap = new MessageStream(await dial(), AuditorMessageSchema);
    await cheap.write({ ...request, price: 0.1 }, 5_000);
    expect(await cheap.read(10_000)).toMatchObject({ t: 'audit-refuse', reason: 'price-too-low' });
    await cheap.close();
    // Reports taken and never paid: after 3 the auditor refuses this requester.
    for (let i = 0; i < 3; i++) {
      const unpaid = new MessageStream(await dial(), AuditorMessageSchema);
      await unpaid.write({ ...request, auditId: `audit-unpaid-${i}` }, 5_000);
      expect(await unpaid.read(30_000)).toMatchObject({ t: 'audit-report' });
      await unpaid.close();
    }
    await expect
      .poll(() => honest.entries.filter((e) => e.kind === 'voided' && e.jobId.startsWith('audit-unpaid-')).length, {
        timeout: 10_000,
      })
      .toBe(3);
    const refused = new MessageStream(await dial(), AuditorMessageSchema);
    await refused.write(request, 5_000);
    expect(await refused.read(10_000)).toMatchObject({ t: 'audit-refuse', reason: 'unpaid' });
  }, 60_000);

  it("keeps a requester's unpaid audits across a restart (unpaid-audits.json)", async () => {
    // The test above left the requester 3 unpaid audits with the honest auditor.
    await honest.stop();
    const saved = JSON.parse(await readFile(unpaidAuditsFile(honestDir), 'utf8')) as Record<string, number>;
    expect(saved[requester.peerId]).toBe(3);
    honest = await startRewardedNode({ ...honestOptions, dataDir: honestDir });
    const stream = await requester.network.node.dialProtocol(multiaddr(honest.address), AUDIT_PROTOCOL, {
      signal: AbortSignal.timeout(5_000),
    });
    const messages = new MessageStream(stream, AuditorMessageSchema);
    await messages.write(storiesAudit('audit-after-restart'), 5_000);
    expect(await messages.read(10_000)).toMatchObject({ t: 'audit-refuse', reason: 'unpaid' });
    await messages.close();
  }, 60_000);
});
