import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { probationFile, unpaidFile } from '../../../src/core/network/rewards/node-rewards';
import { receiptFromJson, verifyReceipt, type ReceiptJson } from '../../../src/core/network/receipts';
import type { LedgerEntry, ReceiptEntry } from '../../../src/core/network/ledger';
import { tempDir } from '../../helpers/temp-dir';
import { makeJob, STORIES } from './cheating-providers';
import { startRewardedNode, type RewardedNode, type RewardedNodeOptions } from './rewarded-node';

/**
 * Batch settlement over real libp2p on 127.0.0.1 with stories260K: a requester whose provider
 * is past probation holds its receipts and releases them every B jobs; one failed audit in the
 * open batch forfeits it; stopping flushes it on /hearth/settle/1.0.0; and a provider still
 * allows a stranger only 3 unpaid jobs. The history that ends probation (105 jobs each way) is
 * written into the nodes' state files before they start, as a node that had it would find them.
 */
const dirs: Array<{ cleanup: () => Promise<void> }> = [];
const nodes: RewardedNode[] = [];
let jobNumber = 0;

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)));
  await Promise.all(dirs.map((d) => d.cleanup()));
}, 60_000);

async function identity() {
  const privateKey = await generateKeyPair('Ed25519');
  const dir = await tempDir();
  dirs.push(dir);
  await mkdir(join(dir.path, 'network'), { recursive: true });
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey).toString(), dataDir: dir.path };
}

type Identity = Awaited<ReturnType<typeof identity>>;

async function start(who: Identity, options: Omit<RewardedNodeOptions, 'dataDir' | 'privateKey'>) {
  const node = await startRewardedNode({ ...options, dataDir: who.dataDir, privateKey: who.privateKey });
  nodes.push(node);
  return node;
}

/** A requester and provider with 105 paid jobs between them: probation is over both ways. */
async function proven(requester: Identity, provider: Identity, { requesterSide = true, providerSide = true } = {}) {
  if (requesterSide) {
    const history = { seen: { [provider.peerId]: 105 }, paid: { [provider.peerId]: 105 } };
    await writeFile(probationFile(requester.dataDir), JSON.stringify(history));
  }
  if (providerSide) {
    await writeFile(unpaidFile(provider.dataDir), JSON.stringify({ [requester.peerId]: { unpaid: 0, paid: 105 } }));
  }
}

function send(requester: RewardedNode, provider: RewardedNode) {
  const j = makeJob(900 + jobNumber++, 16);
  return requester.network.requester.generate(
    { model: STORIES.sha256, prompt: j.prompt, maxTokens: 16, temperature: 0.8, topP: 0.95 },
    { onlyProviders: [provider.peerId], maxAttempts: 2, discoveryMs: 10_000 },
  );
}

const of = <K extends LedgerEntry['kind']>(node: RewardedNode, kind: K) =>
  node.entries.filter((e): e is Extract<LedgerEntry, { kind: K }> & LedgerEntry => e.kind === kind);
const receipts = (node: RewardedNode, kind: 'earned' | 'spent') =>
  node.entries.filter((e): e is ReceiptEntry => e.kind === kind);

async function pair(providerKind: string, batchJobs: number, history: Parameters<typeof proven>[2] = {}) {
  const r = await identity();
  const p = await identity();
  await proven(r, p, history);
  const provider = await start(p, { provider: providerKind });
  const requester = await start(r, { batchJobs, bootstrap: [`${provider.address}/p2p/${provider.peerId}`] });
  await vi.waitFor(() => expect(requester.network.directory.all()).toHaveLength(1), { timeout: 30_000, interval: 250 });
  return { requester, provider };
}

describe('settling in batches', () => {
  it('holds a proven provider receipts and releases them together on the B-th job', async () => {
    const { requester, provider } = await pair('honest-fixture', 4);
    const held = [];
    for (let i = 0; i < 3; i++) held.push(await (await send(requester, provider)).settlement);
    expect(held.map((s) => s.audit === 'failed')).toEqual([false, false, false]);
    expect(new Set(held.map((s) => s.held)).size).toBe(1);
    expect(held[0]!.held).toBeTruthy();
    // Held: neither ledger records payment, and the provider keeps the jobs pending (not voided).
    await expect.poll(() => of(provider, 'pending').length, { timeout: 10_000 }).toBe(3);
    expect(of(requester, 'spent')).toHaveLength(0);
    expect(of(provider, 'earned')).toHaveLength(0);
    expect(of(provider, 'voided')).toHaveLength(0);
    expect(provider.network.provider!.unpaidJobs(requester.peerId)).toBe(3);

    const last = await (await send(requester, provider)).settlement;
    expect(last.held).toBeUndefined();
    await expect.poll(() => of(provider, 'earned').length, { timeout: 15_000 }).toBe(4);
    const spent = receipts(requester, 'spent');
    expect(spent).toHaveLength(4);
    expect(
      receipts(provider, 'earned')
        .map((e) => e.digest)
        .sort(),
    ).toEqual(spent.map((e) => e.digest).sort());
    for (const entry of receipts(provider, 'earned')) {
      const receipt = receiptFromJson(entry.receipt as ReceiptJson);
      expect(await verifyReceipt({ receipt, signature: entry.signature as `0x${string}` })).toBe(true);
    }
    expect(provider.network.provider!.unpaidJobs(requester.peerId)).toBe(0);
  }, 120_000);

  it('forfeits the whole open batch when a job in it fails its audit', async () => {
    // Honest for 3 jobs, then random tokens: audited at share 1, the 4th job fails.
    const { requester, provider } = await pair('steady-3-1', 6);
    for (let i = 0; i < 4; i++) await (await send(requester, provider)).settlement;
    await expect.poll(() => of(provider, 'voided').length, { timeout: 15_000 }).toBe(4);
    const voided = of(provider, 'voided');
    const jobIds = of(provider, 'pending').map((e) => e.jobId);
    for (const entry of voided) {
      expect(entry.reason).toMatch(/forfeited/);
      for (const id of jobIds) expect(entry.reason).toContain(id);
    }
    expect(of(provider, 'earned')).toHaveLength(0);
    expect(of(requester, 'spent')).toHaveLength(0);
    // Nothing stays reserved: the whole allowance is there to spend again.
    expect(requester.rewards.settler.paidJobs(provider.peerId)).toBe(105);
  }, 120_000);

  it('flushes the open batch on the settle stream when the requester stops', async () => {
    const { requester, provider } = await pair('honest-fixture', 10);
    for (let i = 0; i < 2; i++) expect((await (await send(requester, provider)).settlement).held).toBeTruthy();
    expect(of(provider, 'earned')).toHaveLength(0);
    await requester.stop();
    nodes.splice(nodes.indexOf(requester), 1);
    await expect.poll(() => of(provider, 'earned').length, { timeout: 15_000 }).toBe(2);
    expect(of(requester, 'spent')).toHaveLength(2);
    expect(provider.network.provider!.unpaidJobs(requester.peerId)).toBe(0);
  }, 120_000);

  it('allows a stranger only 3 unpaid jobs; a requester that batches waits for its own receipts', async () => {
    // The requester believes it is proven; the provider has never seen it.
    const { requester, provider } = await pair('honest-fixture', 10, { providerSide: false });
    const served = provider.network.provider!;
    expect(served.unpaidAllowance(requester.peerId)).toBe(3);
    for (let i = 0; i < 3; i++) expect((await (await send(requester, provider)).settlement).held).toBeTruthy();
    expect(served.unpaidJobs(requester.peerId)).toBe(3);
    // The 4th is refused (unpaid) until the requester releases its batch, then served.
    const fourth = await send(requester, provider);
    await fourth.settlement;
    expect(served.stats.jobsRefused).toBe(1);
    await expect.poll(() => of(provider, 'earned').length, { timeout: 15_000 }).toBe(3);
    expect(served.unpaidJobs(requester.peerId)).toBeLessThanOrEqual(3);
  }, 120_000);

  it('keeps probation and unpaid counts across a restart (probation.json, unpaid.json)', async () => {
    const { requester, provider } = await pair('honest-fixture', 10);
    for (let i = 0; i < 2; i++) await (await send(requester, provider)).settlement;
    await requester.stop();
    await provider.stop();
    nodes.splice(nodes.indexOf(requester), 1);
    nodes.splice(nodes.indexOf(provider), 1);
    const probation = JSON.parse(await readFile(probationFile(requester.dataDir), 'utf8')) as {
      seen: Record<string, number>;
      paid: Record<string, number>;
    };
    // Two more jobs seen, and two more receipts released (the batch flushed on stop).
    expect(probation.seen[provider.peerId]).toBe(107);
    expect(probation.paid[provider.peerId]).toBe(107);
    const unpaid = JSON.parse(await readFile(unpaidFile(provider.dataDir), 'utf8')) as Record<
      string,
      { unpaid: number; paid: number }
    >;
    expect(unpaid[requester.peerId]).toMatchObject({ unpaid: 0, paid: 107 });
  }, 120_000);
});
