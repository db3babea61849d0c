import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { SignedReceipt } from '../../../src/core/network/receipts';
import type { JobSettler } from '../../../src/core/network/rewards/job-settler';
import { SettleBatches } from '../../../src/core/network/requester/settle-batches';

/** A settler at the seam SettleBatches uses: batch size, paid history and the release record. */
function fakeSettler(batchJobs: number, paid: number) {
  const released: string[] = [];
  const settler = {
    batchJobs,
    paidJobs: () => paid,
    binding: { peerId: 'me', wallet: `0x${'11'.repeat(20)}`, time: 0, walletSignature: '0x', peerSignature: '0x' },
    release: async (_provider: string, signed: SignedReceipt) => void released.push(signed.receipt.jobId),
  } as unknown as JobSettler;
  return { settler, released };
}

function heldJob(jobId: string, spent: bigint[] = []) {
  const receipt = {
    jobId,
    provider: `0x${'22'.repeat(20)}`,
    requester: `0x${'33'.repeat(20)}`,
    modelHash: `0x${'44'.repeat(32)}`,
    promptTokens: 1,
    outputTokens: 10,
    price: 10n,
    audited: false,
    nonce: 1n,
    time: 1n,
  };
  return {
    jobId,
    receipt: { receipt, signature: `0x${'55'.repeat(65)}` } as SignedReceipt,
    spent: (n: bigint) => void spent.push(n),
  };
}

const log = pino({ level: 'silent' });
const send = async () => undefined;

describe('SettleBatches', () => {
  it('holds receipts until the B-th job, then releases them all in order', async () => {
    const { settler, released } = fakeSettler(4, 200);
    const batches = new SettleBatches({ settler, send, log });
    const messages = [];
    for (let i = 1; i <= 4; i++) {
      const done = batches.started('p');
      messages.push(await batches.hold('p', heldJob(`j${i}`)));
      done();
    }
    expect(messages.slice(0, 3).map((m) => m.t)).toEqual(['held', 'held', 'held']);
    const last = messages[3]!;
    expect(last.t).toBe('batch');
    expect(last.t === 'batch' && last.receipts.map((r) => r.receipt.jobId)).toEqual(['j1', 'j2', 'j3', 'j4']);
    expect(released).toEqual(['j1', 'j2', 'j3', 'j4']);
    expect(batches.has('p')).toBe(false);
  });

  it('releases early so that held receipts and running jobs stay under the provider allowance', async () => {
    // 30 paid: the provider allows 3 + 3 = 6 unpaid; 3 other jobs are running there.
    const { settler } = fakeSettler(10, 30);
    const batches = new SettleBatches({ settler, send, log });
    for (let i = 0; i < 3; i++) batches.started('p');
    const done = batches.started('p');
    expect((await batches.hold('p', heldJob('a'))).t).toBe('held');
    expect((await batches.hold('p', heldJob('b'))).t).toBe('batch');
    done();
  });

  it('forfeits the open batch: no receipt released, every job named, nothing spent', async () => {
    const { settler, released } = fakeSettler(10, 200);
    const batches = new SettleBatches({ settler, send, log });
    const spent: bigint[] = [];
    await batches.hold('p', heldJob('a', spent));
    await batches.hold('p', heldJob('b', spent));
    const message = batches.forfeit('p', { jobId: 'c', reason: 'token-below-floor' })!;
    expect(message.receipts).toEqual([]);
    expect(message.withheld.map((w) => w.jobId)).toEqual(['c', 'a', 'b']);
    for (const w of message.withheld) expect(w.reason).toMatch(/forfeited.*c.*a.*b/s);
    expect(released).toEqual([]);
    expect(spent).toEqual([0n, 0n]);
    expect(batches.forfeit('p', { jobId: 'd', reason: 'x' })).toBeNull();
  });

  it('flushes open batches on the settle stream', async () => {
    const { settler } = fakeSettler(10, 200);
    const sent: Array<[string, number]> = [];
    const batches = new SettleBatches({ settler, send: async (p, m) => void sent.push([p, m.receipts.length]), log });
    await batches.hold('p', heldJob('a'));
    await batches.hold('q', heldJob('b'));
    await batches.hold('q', heldJob('c'));
    await batches.flush();
    expect(sent.sort()).toEqual([
      ['p', 1],
      ['q', 2],
    ]);
  });
});
