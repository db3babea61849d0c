import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DuplicateEntryError,
  Ledger,
  LedgerBusyError,
  LedgerCorruptError,
  scanLedger,
} from '../../../src/core/network/ledger';
import { signReceipt, type Receipt } from '../../../src/core/network/receipts';
import { tempDir } from '../../helpers/temp-dir';

const requester = privateKeyToAccount(generatePrivateKey());
const provider = privateKeyToAccount(generatePrivateKey());

function receipt(n: number, overrides: Partial<Receipt> = {}): Receipt {
  return {
    jobId: `job-${n}`,
    provider: provider.address,
    requester: requester.address,
    modelHash: `0x${'27'.repeat(32)}`,
    promptTokens: 10,
    outputTokens: 50,
    price: 1000n * BigInt(n),
    audited: n % 2 === 0,
    nonce: BigInt(n),
    time: 1_790_000_000n + BigInt(n),
    ...overrides,
  };
}

describe('Ledger', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let file: string;
  beforeEach(async () => {
    dir = await tempDir();
    file = join(dir.path, 'ledger.jsonl');
  });
  afterEach(() => dir.cleanup());

  it('derives balances and survives reopening', async () => {
    const { ledger } = await Ledger.open(file);
    await ledger.appendReceipt('earned', await signReceipt(requester, receipt(1)));
    await ledger.appendReceipt('earned', await signReceipt(requester, receipt(2)));
    await ledger.append({ kind: 'pending', jobId: 'job-3', amount: '500' });
    await ledger.append({ kind: 'pending', jobId: 'job-4', amount: '700' });
    await ledger.append({ kind: 'voided', jobId: 'job-4', reason: 'audit failed', audited: true });
    await ledger.appendReceipt('spent', await signReceipt(requester, receipt(5, { provider: requester.address })));
    expect(ledger.balances()).toEqual({ earned: '3000', spent: '5000', pending: '500', balance: '-2000' });
    await ledger.dispose();
    const reopened = await Ledger.open(file);
    expect(reopened.recovered).toBeNull();
    expect(reopened.ledger.entries).toHaveLength(6);
    expect(reopened.ledger.balances().pending).toBe('500');
    expect([...(await reopened.ledger.verifySignatures()).values()]).toEqual([true, true, true]);
    await reopened.ledger.dispose();
  });

  it('refuses duplicate and replayed receipts, also after reopening', async () => {
    const { ledger } = await Ledger.open(file);
    const first = await signReceipt(requester, receipt(1));
    await ledger.appendReceipt('earned', first);
    await expect(ledger.appendReceipt('earned', first)).rejects.toBeInstanceOf(DuplicateEntryError);
    // Same nonce, different job: a replay of the requester's signature budget.
    await expect(
      ledger.appendReceipt('earned', await signReceipt(requester, receipt(2, { nonce: 1n }))),
    ).rejects.toThrow(/nonce/);
    // A receipt with a forged field no longer verifies.
    await expect(
      ledger.appendReceipt('earned', { ...first, receipt: { ...first.receipt, jobId: 'job-9', nonce: 9n } }),
    ).rejects.toThrow(/signature/);
    await ledger.dispose();
    const { ledger: reopened } = await Ledger.open(file);
    await expect(reopened.appendReceipt('earned', first)).rejects.toBeInstanceOf(DuplicateEntryError);
    expect(reopened.entries).toHaveLength(1);
    await reopened.dispose();
  });

  it('refuses a second writer while the first is open', async () => {
    const { ledger } = await Ledger.open(file);
    await expect(Ledger.open(file)).rejects.toBeInstanceOf(LedgerBusyError);
    await ledger.dispose();
    const again = await Ledger.open(file);
    await again.ledger.dispose();
  });

  it('detects a flipped bit anywhere in the file', async () => {
    const { ledger } = await Ledger.open(file);
    for (let n = 1; n <= 3; n++) await ledger.appendReceipt('earned', await signReceipt(requester, receipt(n)));
    await ledger.append({ kind: 'pending', jobId: 'job-4', amount: '5' });
    await ledger.dispose();
    const bytes = await readFile(file);
    expect(scanLedger(bytes).problem).toBeNull();
    let undetected = 0;
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const flipped = Buffer.from(bytes);
      flipped.writeUInt8(flipped.readUInt8(bit >> 3) ^ (1 << (bit & 7)), bit >> 3);
      if (scanLedger(flipped).problem === null) undetected++;
    }
    expect(undetected).toBe(0);

    // And on a real open: a flip in the middle refuses to open and leaves the file as it was.
    const middle = Buffer.from(bytes);
    const at = Math.floor(bytes.length / 2);
    middle.writeUInt8(middle.readUInt8(at) ^ 0x04, at);
    await writeFile(file, middle);
    const error = await Ledger.open(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerCorruptError);
    expect((error as LedgerCorruptError).problem.kind).toBe('corrupt');
    expect(await readFile(file)).toEqual(middle);
  });

  it('reports a torn tail, keeps its bytes aside, and keeps every committed entry', async () => {
    const { ledger } = await Ledger.open(file);
    for (let n = 1; n <= 2; n++) await ledger.appendReceipt('earned', await signReceipt(requester, receipt(n)));
    await ledger.dispose();
    await writeFile(file, Buffer.concat([await readFile(file), Buffer.from('abc123 {"seq":3,')]));
    const { ledger: reopened, recovered } = await Ledger.open(file);
    expect(recovered?.kind).toBe('torn-tail');
    expect(await readFile(recovered!.setAside, 'utf8')).toBe('abc123 {"seq":3,');
    expect(reopened.entries).toHaveLength(2);
    await reopened.appendReceipt('earned', await signReceipt(requester, receipt(3)));
    await reopened.dispose();
    expect((await Ledger.inspect(file)).problem).toBeNull();
  });

  it('loses no committed receipt when the writer is killed with SIGKILL mid-append', { timeout: 60_000 }, async () => {
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'ledger-writer.ts'), file], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      // Wait until it is committing receipts, then kill it at a moment it does not choose.
      while (out.split('\n').length < 20 + round * 7) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, Math.random() * 30));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const committed = out.split('\n').filter(Boolean);
      const { ledger } = await Ledger.open(file);
      const stored = new Set(ledger.entries.map((e) => e.jobId));
      expect(committed.filter((jobId) => !stored.has(jobId))).toEqual([]);
      await ledger.dispose();
    }
    // Torn tails, if the kill landed mid-write, were set aside, not dropped.
    const names = await readdir(dir.path);
    for (const name of names.filter((n) => n.includes('.torn-')))
      expect((await readFile(join(dir.path, name))).length).toBeGreaterThan(0);
  });
});
