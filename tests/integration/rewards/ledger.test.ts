import { spawn } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DuplicateEntryError,
  headFile,
  Ledger,
  LedgerBusyError,
  LedgerCorruptError,
  type LedgerBalances,
} from '../../../src/core/network/ledger';
import { encodeLine, sha256Hex } from '../../../src/core/network/ledger/ledger-format';
import { readHead } from '../../../src/core/network/ledger/ledger-head';
import { verifyLedger } from '../../../src/core/network/ledger/ledger-verify';
import { receiptDigest, receiptToJson, signReceipt } from '../../../src/core/network/receipts';
import { tempDir } from '../../helpers/temp-dir';
import { ledgerParties, type LedgerParties } from './ledger-fixtures';

/** The honest ledger every manipulation starts from: 3 earned, a pending job, a void, a spend. */
const HONEST: LedgerBalances = { earned: '6000', spent: '5000', pending: '400', balance: '1000' };

describe('a signed ledger', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let file: string;
  let p: LedgerParties;
  beforeEach(async () => {
    dir = await tempDir();
    file = join(dir.path, 'ledger.jsonl');
    p = await ledgerParties();
  });
  afterEach(() => dir.cleanup());

  async function writeHonest(): Promise<void> {
    const { ledger } = await Ledger.open(file, { signer: p.node });
    for (let n = 1; n <= 3; n++) await ledger.appendReceipt('earned', await p.earned(n), p.binding);
    await ledger.append({ kind: 'pending', jobId: 'job-4', amount: '400' });
    await ledger.append({ kind: 'pending', jobId: 'job-6', amount: '700' });
    await ledger.append({ kind: 'voided', jobId: 'job-6', reason: 'audit failed', audited: true });
    await ledger.appendReceipt('spent', await p.spent(5));
    expect(ledger.balances()).toEqual(HONEST);
    await ledger.dispose();
  }
  const lines = async () => (await readFile(file, 'utf8')).split('\n');
  /** Opens the ledger as the node would and returns what it shows. */
  async function openAndReport() {
    const { ledger, report } = await Ledger.open(file, { signer: p.node });
    await ledger.dispose();
    return { report, damaged: ledger.damage !== null };
  }

  it('signs every line, keeps a signed head, and reopens whole', async () => {
    await writeHonest();
    const { report, damaged } = await openAndReport();
    expect(damaged).toBe(false);
    expect(report.problems).toEqual([]);
    expect(report.entries).toHaveLength(7);
    expect(report.balances).toEqual(HONEST);
    const head = await readHead(file);
    expect(head.kind === 'head' && head.head.seq).toBe(7);
    expect((await lines())[0]).toBe(`HEARTH-LEDGER 2 ${p.node.address}`);
  });

  it('refuses to record a receipt signed by a random key, or one for another wallet', async () => {
    const { ledger } = await Ledger.open(file, { signer: p.node });
    const stranger = privateKeyToAccount(generatePrivateKey());
    const forged = await p.earned(1, { price: 1_000_000_000_000n });
    await expect(
      ledger.appendReceipt(
        'earned',
        {
          ...forged,
          signature: (await signReceipt(stranger, { ...forged.receipt, requester: stranger.address })).signature,
        },
        p.binding,
      ),
    ).rejects.toBeInstanceOf(DuplicateEntryError);
    await expect(
      ledger.appendReceipt('earned', await p.earned(2, { provider: stranger.address }), p.binding),
    ).rejects.toThrow(/not this node/);
    await expect(ledger.appendReceipt('earned', await p.earned(3))).rejects.toThrow(/binding/);
    expect(ledger.entries).toHaveLength(0);
    await ledger.dispose();
  });

  it('reports a line with a 1,000,000-credit receipt signed by a random key, and does not count it', async () => {
    await writeHonest();
    const stranger = privateKeyToAccount(generatePrivateKey());
    const receipt = { ...(await p.earned(9)).receipt, requester: stranger.address, price: 1_000_000_000_000n };
    const signed = await signReceipt(stranger, receipt);
    const all = await lines();
    const last = JSON.parse(all.at(-2)!.slice(198)) as { seq: number };
    const lastHash = all.at(-2)!.slice(0, 64);
    const entry = {
      seq: last.seq + 1,
      at: Date.now(),
      kind: 'earned' as const,
      jobId: receipt.jobId,
      receipt: receiptToJson(receipt),
      signature: signed.signature,
      digest: receiptDigest(receipt),
      binding: p.binding,
    };
    // The forger re-chains correctly but can only sign with a key that is not the node's.
    const { line } = await encodeLine(stranger, lastHash, entry);
    await writeFile(file, (await readFile(file, 'utf8')) + line);
    const { report, damaged } = await openAndReport();
    expect(damaged).toBe(true);
    expect(report.problems.map((x) => [x.kind, x.line])).toEqual([['not-signed', 9]]);
    expect(report.balances).toEqual(HONEST);
    expect(report.entryBalances).toEqual(HONEST);
  });

  it('reports an edited entry that was re-chained, and shows the balance the node signed', async () => {
    await writeHonest();
    const all = await lines();
    // Raise job-3's price and recompute every hash from it on; the forger cannot re-sign.
    let prev = all[2]!.slice(0, 64);
    const out = all.slice(0, 3);
    for (let i = 3; i < all.length - 1; i++) {
      const json = JSON.parse(all[i]!.slice(198)) as Record<string, unknown> & { receipt?: { price: string } };
      if (i === 3) json.receipt!.price = '2000000000';
      json.prev = prev;
      const text = JSON.stringify(json);
      prev = sha256Hex(text);
      out.push(`${prev} ${all[i]!.slice(65, 197)} ${text}`);
    }
    await writeFile(file, `${out.join('\n')}\n`);
    const { report, damaged } = await openAndReport();
    expect(damaged).toBe(true);
    expect(report.problems.map((x) => x.kind)).toEqual([...Array<string>(5).fill('not-signed'), 'rolled-back']);
    expect(report.problems[0]).toMatchObject({ line: 4, seq: 3, jobId: 'job-3' });
    expect(report.balances).toEqual(HONEST);
    expect(report.balanceSource).toBe('signed-head');
  });

  it('reports deleted entries: from the middle, and from the end (a rollback)', async () => {
    await writeHonest();
    const all = await lines();
    await writeFile(file, [...all.slice(0, 3), ...all.slice(4)].join('\n'));
    let { report } = await openAndReport();
    expect(report.problems).toEqual([
      expect.objectContaining({
        kind: 'missing',
        line: 4,
        seq: 4,
        reason: expect.stringMatching(/Entry 3 is missing/),
      }),
    ]);
    expect(report.balances).toEqual(HONEST);

    await writeFile(file, `${all.slice(0, -2).join('\n')}\n`); // the spend, the last entry, removed
    ({ report } = await openAndReport());
    expect(report.problems.map((x) => x.kind)).toEqual(['rolled-back']);
    expect(report.problems[0]!.reason).toMatch(/entry 7 was removed/);
    expect(report.entryBalances.balance).toBe('6000');
    expect(report.balances).toEqual(HONEST);
  });

  it('reports a rollback to an older copy of the file, and a deleted ledger', async () => {
    const { ledger } = await Ledger.open(file, { signer: p.node });
    await ledger.appendReceipt('earned', await p.earned(1), p.binding);
    const older = await readFile(file);
    await ledger.appendReceipt('spent', await p.spent(2));
    await ledger.dispose();
    await writeFile(file, older);
    let { report, damaged } = await openAndReport();
    expect(damaged).toBe(true);
    expect(report.problems.map((x) => x.kind)).toEqual(['rolled-back']);
    expect(report.balances.balance).toBe('-1000');

    await rm(file);
    ({ report, damaged } = await openAndReport());
    expect(damaged).toBe(true);
    expect(report.problems.map((x) => x.kind)).toEqual(['rolled-back']);
    expect(report.balances.balance).toBe('-1000');
  });

  it('counts ten copies of one receipt once and names every copy', async () => {
    await writeHonest();
    const all = await lines();
    const copies = Array.from({ length: 10 }, () => all[2]!);
    await writeFile(file, [...all.slice(0, 3), ...copies, ...all.slice(3)].join('\n'));
    const { report, damaged } = await openAndReport();
    expect(damaged).toBe(true);
    expect(report.problems.map((x) => [x.kind, x.line, x.seq])).toEqual(
      Array.from({ length: 10 }, (_, i) => ['duplicate', 4 + i, 2]),
    );
    expect(report.entries).toHaveLength(7);
    expect(report.balances).toEqual(HONEST);
  });

  it('stops writing on damage in the middle, keeps the file, and starts a new ledger when asked', async () => {
    await writeHonest();
    const bytes = await readFile(file);
    const damaged = Buffer.from(bytes);
    const at = Math.floor(bytes.length / 2);
    damaged.writeUInt8(damaged.readUInt8(at) ^ 0x04, at);
    await writeFile(file, damaged);
    const { ledger, recovered } = await Ledger.open(file, { signer: p.node });
    expect(recovered).toBeNull();
    expect(ledger.damage?.problems.length).toBeGreaterThan(0);
    await expect(ledger.append({ kind: 'pending', jobId: 'job-9', amount: '1' })).rejects.toBeInstanceOf(
      LedgerCorruptError,
    );
    expect(await readFile(file)).toEqual(damaged);

    const setAside = await ledger.startNew();
    expect(await readFile(setAside)).toEqual(damaged);
    expect(ledger.damage).toBeNull();
    await ledger.append({ kind: 'pending', jobId: 'job-9', amount: '1' });
    await ledger.dispose();
    const { report } = await openAndReport();
    expect(report.problems).toEqual([]);
    expect(report.entries.map((e) => e.jobId)).toEqual(['job-9']);
  });

  it('sets a torn final line aside and goes on with every committed entry', async () => {
    await writeHonest();
    await writeFile(file, Buffer.concat([await readFile(file), Buffer.from('abc123 0x12 {"seq":8,')]));
    const { ledger, recovered } = await Ledger.open(file, { signer: p.node });
    expect(recovered?.kind).toBe('torn-tail');
    expect(await readFile(recovered!.setAside, 'utf8')).toBe('abc123 0x12 {"seq":8,');
    expect(ledger.damage).toBeNull();
    expect(ledger.entries).toHaveLength(7);
    await ledger.appendReceipt('earned', await p.earned(8), p.binding);
    await ledger.dispose();
    expect((await openAndReport()).report.problems).toEqual([]);
  });

  it('does not take a committed last line that lost its newline for a torn tail', async () => {
    await writeHonest();
    const cut = (await readFile(file)).subarray(0, -1);
    await writeFile(file, cut);
    const { ledger, recovered } = await Ledger.open(file, { signer: p.node });
    expect(recovered).toBeNull();
    expect(ledger.damage?.problems.map((x) => x.kind)).toEqual(['rolled-back']);
    expect(ledger.damage?.problems[0]?.reason).toMatch(/entry 7 was cut off/);
    await ledger.dispose();
    expect(await readFile(file)).toEqual(cut);
  });

  it('detects a flipped bit anywhere in the file or its head', async () => {
    await writeHonest();
    const bytes = await readFile(file);
    const head = await readHead(file);
    expect((await verifyLedger(bytes, { signer: p.node.address, head })).problems).toEqual([]);
    let undetected = 0;
    // Every 37th bit keeps the run short on a shared machine and still lands in every field.
    for (let bit = 0; bit < bytes.length * 8; bit += 37) {
      const flipped = Buffer.from(bytes);
      flipped.writeUInt8(flipped.readUInt8(bit >> 3) ^ (1 << (bit & 7)), bit >> 3);
      const report = await verifyLedger(flipped, { signer: p.node.address, head });
      if (report.problems.length === 0) undetected++;
    }
    expect(undetected).toBe(0);
    const headText = await readFile(headFile(file), 'utf8');
    await writeFile(headFile(file), headText.replace('"seq":7', '"seq":6'));
    expect((await openAndReport()).report.problems.map((x) => x.kind)).toEqual(['head']);
  });

  it('keeps an unsigned ledger of the first format aside and starts a signed one', async () => {
    const json = JSON.stringify({ seq: 1, at: 1, kind: 'pending', jobId: 'job-1', amount: '5' });
    const header = 'HEARTH-LEDGER 1\n';
    const hash = sha256Hex(sha256Hex(header) + json);
    const legacy = `${header}${hash} ${json}\n`;
    await writeFile(file, legacy);
    const { ledger, migrated, report } = await Ledger.open(file, { signer: p.node });
    expect(await readFile(migrated!, 'utf8')).toBe(legacy);
    expect(report.format).toBe('signed');
    expect(ledger.damage).toBeNull();
    expect(ledger.entries).toHaveLength(0);
    await ledger.dispose();
  });

  it('refuses a second writer while the first is open', async () => {
    const { ledger } = await Ledger.open(file, { signer: p.node });
    await expect(Ledger.open(file, { signer: p.node })).rejects.toBeInstanceOf(LedgerBusyError);
    await ledger.dispose();
    await (await Ledger.open(file, { signer: p.node })).ledger.dispose();
  });

  it('loses no committed receipt when the writer is killed with SIGKILL mid-append', { timeout: 90_000 }, async () => {
    const key = generatePrivateKey();
    const node = privateKeyToAccount(key);
    for (let round = 0; round < 3; round++) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'ledger-writer.ts'), file, key],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      // Wait until it is committing receipts, then kill it at a moment it does not choose.
      while (out.split('\n').length < 20 + round * 7) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, Math.random() * 30));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const committed = out.split('\n').filter(Boolean);
      const { ledger } = await Ledger.open(file, { signer: node });
      expect(ledger.damage).toBeNull();
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
