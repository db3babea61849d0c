import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { pino } from 'pino';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger, type LedgerEntry } from '../../../src/core/network/ledger';
import type { ReceiptMessage } from '../../../src/core/network/protocol/messages';
import { bindWallet, receiptToJson, signReceipt, type Receipt } from '../../../src/core/network/receipts';
import { ReceiptCollector, type ServedJob } from '../../../src/core/network/rewards/receipt-collector';
import { tempDir } from '../../helpers/temp-dir';

const MODEL = 'ab'.repeat(32);

describe('the provider checks each receipt before it counts as earned', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let ledger: Ledger;
  let collector: ReceiptCollector;
  let entries: LedgerEntry[];
  const providerWallet = privateKeyToAccount(generatePrivateKey());
  const requesterWallet = privateKeyToAccount(generatePrivateKey());
  let requesterPeer: string;
  let requesterBinding: Awaited<ReturnType<typeof bindWallet>>;
  let jobs = 0;

  beforeEach(async () => {
    dir = await tempDir();
    ledger = (await Ledger.open(join(dir.path, 'ledger.jsonl'), { signer: providerWallet })).ledger;
    entries = [];
    const providerKey = await generateKeyPair('Ed25519');
    const requesterKey = await generateKeyPair('Ed25519');
    requesterPeer = peerIdFromPrivateKey(requesterKey).toString();
    requesterBinding = await bindWallet(requesterWallet, requesterKey, requesterPeer);
    collector = new ReceiptCollector({
      wallet: providerWallet,
      binding: await bindWallet(providerWallet, providerKey, peerIdFromPrivateKey(providerKey).toString()),
      ledger,
      onEntry: (entry) => entries.push(entry),
      log: pino({ level: 'silent' }),
    });
  });
  afterEach(async () => {
    await ledger.dispose();
    await dir.cleanup();
  });

  const served = (): ServedJob => ({
    jobId: `job-${++jobs}`,
    requester: requesterPeer,
    model: MODEL,
    price: 2,
    outputTokens: 10,
  });
  const receiptFor = (job: ServedJob, change: Partial<Receipt> = {}): Receipt => ({
    jobId: job.jobId,
    provider: providerWallet.address,
    requester: requesterWallet.address,
    modelHash: `0x${MODEL}`,
    promptTokens: 4,
    outputTokens: job.outputTokens,
    price: 20_000n,
    audited: true,
    nonce: BigInt(jobs),
    time: BigInt(Math.floor(Date.now() / 1000)),
    ...change,
  });
  const message = async (receipt: Receipt, binding = requesterBinding): Promise<ReceiptMessage> => {
    const signed = await signReceipt(requesterWallet, receipt);
    return { t: 'receipt', receipt: receiptToJson(receipt), signature: signed.signature, binding };
  };
  const settle = async (job: ServedJob, msg: Parameters<ReceiptCollector['settle']>[1]) => {
    await collector.served(job);
    return collector.settle(job, msg);
  };

  it('records a valid receipt as earned, after the pending entry', async () => {
    const job = served();
    expect(await settle(job, await message(receiptFor(job)))).toBe(true);
    expect(entries.map((e) => e.kind)).toEqual(['pending', 'earned']);
    expect(ledger.balances()).toMatchObject({ earned: '20000', pending: '0' });
  });

  it.each([
    ['another job', (job: ServedJob) => ({ jobId: `${job.jobId}-x` }), /another job/],
    ['another wallet', () => ({ provider: requesterWallet.address }), /another wallet/],
    ['another model', () => ({ modelHash: `0x${'cd'.repeat(32)}` as const }), /another model/],
    ['fewer tokens', () => ({ outputTokens: 9 }), /counts 9 tokens/],
    ['less money', () => ({ price: 19_999n }), /pays less/],
    ['a stale time', () => ({ time: 1n }), /time/],
  ])('voids a receipt naming %s', async (_name, change, reason) => {
    const job = served();
    expect(await settle(job, await message(receiptFor(job, change(job))))).toBe(false);
    expect(entries.at(-1)).toMatchObject({ kind: 'voided', audited: false, reason: expect.stringMatching(reason) });
  });

  it('voids a receipt whose signature or wallet binding does not hold', async () => {
    const job = served();
    const forged = await message(receiptFor(job));
    forged.signature = `${forged.signature.slice(0, -4)}${forged.signature.endsWith('1b') ? '1c' : '1b'}00`.slice(
      0,
      132,
    );
    expect(await settle(job, forged)).toBe(false);
    const other = served();
    const strangerKey = await generateKeyPair('Ed25519');
    const strangerBinding = await bindWallet(
      requesterWallet,
      strangerKey,
      peerIdFromPrivateKey(strangerKey).toString(),
    );
    expect(await settle(other, await message(receiptFor(other), strangerBinding))).toBe(false);
    expect(entries.at(-1)).toMatchObject({ kind: 'voided', reason: expect.stringMatching(/not bound/) });
    expect(ledger.balances().earned).toBe('0');
  });

  it('refuses a replayed receipt and records a withheld or missing one with its reason', async () => {
    const job = served();
    const msg = await message(receiptFor(job));
    expect(await settle(job, msg)).toBe(true);
    const count = entries.length;
    // Again for the same job (the ledger refuses the duplicate) and for another job.
    expect(await collector.settle(job, msg)).toBe(false);
    expect(entries).toHaveLength(count);
    const next = served();
    expect(await settle(next, msg)).toBe(false);
    expect(entries.at(-1)).toMatchObject({ kind: 'voided', reason: expect.stringMatching(/another job/) });
    const failed = served();
    await settle(failed, { t: 'withheld', jobId: failed.jobId, reason: 'The audit failed.', audited: true });
    expect(entries.at(-1)).toMatchObject({
      kind: 'voided',
      audited: true,
      reason: expect.stringMatching(/audit failed/),
    });
    const silent = served();
    await settle(silent, null);
    expect(entries.at(-1)).toMatchObject({ kind: 'voided', reason: 'No receipt arrived for the job.' });
    expect(ledger.balances()).toMatchObject({ earned: '20000', pending: '0' });
  });
});
