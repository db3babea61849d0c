import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hexToBytes } from 'viem';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/core';
import { Ledger, ledgerFile } from '../../../src/core/network/ledger';
import { verifyExport, type LedgerExport } from '../../../src/core/network/ledger/ledger-export';
import { WALLET_SECRET } from '../../../src/core/network/receipts';
import type { Earnings, ReceiptRow } from '../../../src/shared/contract/rewards';
import { tempDir } from '../../helpers/temp-dir';
import { ledgerParties, type LedgerParties } from './ledger-fixtures';

describe('rewards service through the engine', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let p: LedgerParties;
  let file: string;
  beforeEach(async () => {
    dir = await tempDir();
    file = ledgerFile(dir.path);
    await mkdir(dirname(file), { recursive: true });
    p = await ledgerParties();
    engine = await createEngine({ dataDir: dir.path });
    // The node's wallet is the one in the data folder's secret store, as when a node runs.
    await engine.secrets.set(WALLET_SECRET, Buffer.from(hexToBytes(p.nodeKey)));
    const { ledger } = await Ledger.open(file, { signer: p.node });
    for (let n = 1; n <= 3; n++)
      await ledger.appendReceipt(
        'earned',
        await p.earned(n, { price: 2000n, outputTokens: 40, audited: n === 1 }),
        p.binding,
      );
    await ledger.append({ kind: 'pending', jobId: 'job-4', amount: '100' });
    await ledger.append({ kind: 'voided', jobId: 'job-4', reason: 'Audit failed: unlikely-end', audited: true });
    await ledger.dispose();
  });
  afterEach(async () => {
    await engine.dispose();
    await dir.cleanup();
  });

  const earnings = async () => (await engine.dispatch('rewards.earnings', {}, { door: 'cli' })) as Earnings;

  it('reports balances, pass rate and verified receipts, and exports a ledger anyone can re-check', async () => {
    const shown = await earnings();
    expect(shown.balances).toEqual({ earned: '6000', spent: '0', pending: '0', balance: '6000' });
    // The requester's "audit failed" on job-4 is its claim: it does not count against this node.
    expect(shown).toMatchObject({
      tokensServed: 120,
      jobsServed: 4,
      auditPassRate: 1,
      integrity: { ok: true, blocked: false, format: 'signed' },
    });
    expect(shown.wallet).toBe(p.node.address);
    expect(shown.series.at(-1)?.earned).toBe('6000');
    const { receipts } = (await engine.dispatch('rewards.receipts', { limit: 10 }, { door: 'cli' })) as {
      receipts: ReceiptRow[];
    };
    expect(receipts.map((r) => r.verified)).toEqual([null, null, true, true, true]);
    const exported = JSON.parse(
      ((await engine.dispatch('rewards.exportLedger', {}, { door: 'cli' })) as { json: string }).json,
    ) as LedgerExport;
    expect(exported).toMatchObject({
      format: 'hearth-ledger-export/2',
      verified: true,
      signer: p.node.address,
      balances: { earned: '6000' },
    });
    expect(exported.lines.every((l) => /^[0-9a-f]{64}$/.test(l.hash!) && /^0x[0-9a-f]{130}$/.test(l.signature!))).toBe(
      true,
    );
    expect((await verifyExport(exported, p.node.address)).problems).toEqual([]);
    // An export edited after the fact fails the same check.
    const edited = {
      ...exported,
      lines: exported.lines.map((l) => ({ ...l, text: l.text.replace('"price":"2000"', '"price":"9000"') })),
    };
    expect((await verifyExport(edited, p.node.address)).problems.map((x) => x.kind)).toContain('changed');
  });

  it('names the damaged line, shows the signed balance, and starts a new ledger when asked', async () => {
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('"outputTokens":40', '"outputTokens":90'));
    const damaged = await earnings();
    expect(damaged.integrity).toMatchObject({ ok: false, blocked: true, balanceSource: 'signed-head' });
    expect(damaged.integrity.problems[0]).toMatchObject({ kind: 'changed', line: 2, jobId: 'job-1' });
    expect(damaged.integrity.problem).toMatch(/^Line 2: .*changed after it was written/);
    expect(damaged.balances.earned).toBe('6000');

    const { setAside } = (await engine.dispatch('rewards.startNewLedger', {}, { door: 'cli' })) as { setAside: string };
    expect(await readFile(setAside, 'utf8')).toBe(text.replace('"outputTokens":40', '"outputTokens":90'));
    const fresh = await earnings();
    expect(fresh.integrity).toMatchObject({ ok: true, blocked: false });
    expect(fresh.balances.balance).toBe('0');
    expect((await readdir(dirname(file))).some((n) => n.startsWith('ledger.jsonl.damaged-'))).toBe(true);
  });
});
