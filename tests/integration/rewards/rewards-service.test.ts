import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/core';
import { Ledger, ledgerFile } from '../../../src/core/network/ledger';
import { signReceipt } from '../../../src/core/network/receipts';
import type { Earnings, ReceiptRow } from '../../../src/shared/contract/rewards';
import { tempDir } from '../../helpers/temp-dir';

describe('rewards service through the engine', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let engine: Engine;
  beforeEach(async () => {
    dir = await tempDir();
    const file = ledgerFile(dir.path);
    await mkdir(dirname(file), { recursive: true });
    const requester = privateKeyToAccount(generatePrivateKey());
    const { ledger } = await Ledger.open(file);
    for (let n = 1; n <= 3; n++) {
      const receipt = {
        jobId: `job-${n}`,
        provider: requester.address,
        requester: requester.address,
        modelHash: `0x${'ab'.repeat(32)}` as const,
        promptTokens: 10,
        outputTokens: 40,
        price: 2000n,
        audited: n === 1,
        nonce: BigInt(n),
        time: 1_790_000_000n,
      };
      await ledger.appendReceipt('earned', await signReceipt(requester, receipt));
    }
    await ledger.append({ kind: 'pending', jobId: 'job-4', amount: '100' });
    await ledger.append({ kind: 'voided', jobId: 'job-4', reason: 'Audit failed: unlikely-end', audited: true });
    await ledger.dispose();
    engine = await createEngine({ dataDir: dir.path });
  });
  afterEach(async () => {
    await engine.dispose();
    await dir.cleanup();
  });

  it('reports balances, pass rate and verified receipts, and exports the ledger', async () => {
    const earnings = (await engine.dispatch('rewards.earnings', {}, { door: 'cli' })) as Earnings;
    expect(earnings.balances).toEqual({ earned: '6000', spent: '0', pending: '0', balance: '6000' });
    // The requester's "audit failed" on job-4 is its claim: it does not count against this node.
    expect(earnings).toMatchObject({ tokensServed: 120, jobsServed: 4, auditPassRate: 1, integrity: { ok: true } });
    expect(earnings.series).toHaveLength(30);
    expect(earnings.series.at(-1)?.earned).toBe('6000');
    const { receipts } = (await engine.dispatch('rewards.receipts', { limit: 10 }, { door: 'cli' })) as {
      receipts: ReceiptRow[];
    };
    expect(receipts.map((r) => r.verified)).toEqual([null, null, true, true, true]);
    const exported = (await engine.dispatch('rewards.exportLedger', {}, { door: 'cli' })) as { json: string };
    expect(JSON.parse(exported.json)).toMatchObject({ verified: true, balances: { earned: '6000' } });
  });

  it('says so when the ledger file was tampered with', async () => {
    const file = ledgerFile(dir.path);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('"outputTokens":40', '"outputTokens":90'));
    const earnings = (await engine.dispatch('rewards.earnings', {}, { door: 'cli' })) as Earnings;
    expect(earnings.integrity.ok).toBe(false);
    expect(earnings.integrity.problem).toMatch(/Line 2/);
  });
});
