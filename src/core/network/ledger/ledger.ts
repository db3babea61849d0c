import { open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Hex } from 'viem';
import {
  receiptDigest,
  receiptFromJson,
  receiptToJson,
  verifyReceipt,
  type ReceiptJson,
  type SignedReceipt,
} from '../receipts';
import { DisposedError, type Disposable } from '../../disposable';
import { DuplicateEntryError } from './duplicate-entry-error';
import type { LedgerEntry, NewLedgerEntry, ReceiptEntry } from './ledger-entry';
import { LedgerBusyError } from './ledger-busy-error';
import { LedgerCorruptError } from './ledger-corrupt-error';
import { encodeLine, LEDGER_HEADER, scanLedger, type LedgerProblem, type LedgerScan } from './ledger-format';
import { SerialQueue } from '../../serial-queue';

export interface LedgerBalances {
  /** Micro-credits (1e-6 credit), as decimal strings so no precision is lost crossing JSON. */
  earned: string;
  spent: string;
  pending: string;
  balance: string;
}

export interface LedgerOpenResult {
  ledger: Ledger;
  /** A torn tail found and set aside on open (the crash-interrupted bytes are kept in `setAside`). */
  recovered: (LedgerProblem & { setAside: string }) | null;
}

/**
 * The node's append-only, hash-chained record of receipts earned and signed. Every append is
 * fsynced before it resolves, so a resolved append survives a crash; the whole chain is verified
 * on open. One process writes a ledger at a time.
 */
export class Ledger implements Disposable {
  private _disposed = false;
  private readonly _queue = new SerialQueue();
  private readonly _keys = new Set<string>();
  private readonly _pending = new Map<string, bigint>();

  private constructor(
    readonly file: string,
    private readonly _handle: FileHandle,
    private _headHash: string,
    private readonly _entries: LedgerEntry[],
  ) {
    for (const entry of _entries) this._index(entry);
  }

  /**
   * Opens (creating if missing) and verifies a ledger. A damaged committed line throws
   * LedgerCorruptError and leaves the file alone; a torn last line (a crash mid-append, never a
   * committed entry) is moved to `<file>.torn-<time>` and reported in `recovered`.
   */
  static async open(file: string): Promise<LedgerOpenResult> {
    await takeLock(file);
    try {
      return await Ledger._open(file);
    } catch (error) {
      await rm(`${file}.lock`, { force: true });
      throw error;
    }
  }

  private static async _open(file: string): Promise<LedgerOpenResult> {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await writeFile(`${file}.new`, LEDGER_HEADER, { flush: true, mode: 0o600 });
      await rename(`${file}.new`, file);
      await syncDir(dirname(file));
      bytes = Buffer.from(LEDGER_HEADER);
    }
    const scan = scanLedger(bytes);
    let recovered: LedgerOpenResult['recovered'] = null;
    if (scan.problem && scan.problem.kind !== 'torn-tail') throw new LedgerCorruptError(file, scan.problem);
    if (scan.problem) {
      const setAside = `${file}.torn-${Date.now()}`;
      await writeFile(setAside, bytes.subarray(scan.verifiedBytes), { flush: true, mode: 0o600 });
      recovered = { ...scan.problem, setAside };
    }
    const handle = await open(file, 'r+');
    if (scan.problem) {
      await handle.truncate(scan.verifiedBytes);
      await handle.datasync();
    }
    return { ledger: new Ledger(file, handle, scan.headHash, scan.entries), recovered };
  }

  /** Reads and verifies a ledger without changing it (for status views and `--json` exports). */
  static async inspect(file: string): Promise<LedgerScan> {
    try {
      return scanLedger(await readFile(file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return scanLedger(Buffer.alloc(0));
      throw error;
    }
  }

  get entries(): readonly LedgerEntry[] {
    return this._entries;
  }

  get headHash(): string {
    return this._headHash;
  }

  /** Records a requester-signed receipt; refuses bad signatures, duplicates and replays. */
  async appendReceipt(kind: 'earned' | 'spent', signed: SignedReceipt): Promise<ReceiptEntry> {
    if (!(await verifyReceipt(signed))) {
      throw new DuplicateEntryError(signed.receipt.jobId, 'the receipt signature does not verify.');
    }
    const entry = await this.append({
      kind,
      jobId: signed.receipt.jobId,
      receipt: receiptToJson(signed.receipt),
      signature: signed.signature,
      digest: receiptDigest(signed.receipt),
    });
    return entry as ReceiptEntry;
  }

  /** Appends one entry and resolves once it is on disk. */
  append(entry: NewLedgerEntry): Promise<LedgerEntry> {
    return this._queue.run(() => this._append(entry));
  }

  private async _append(newEntry: NewLedgerEntry): Promise<LedgerEntry> {
    if (this._disposed) throw new DisposedError('The earnings ledger');
    const entry = { ...newEntry, seq: this._entries.length + 1, at: Date.now() } as LedgerEntry;
    const refusal = this._refusal(entry);
    if (refusal) throw new DuplicateEntryError(entry.jobId, refusal);
    const { line, hash } = encodeLine(this._headHash, entry);
    const { size } = await this._handle.stat();
    await this._handle.write(line, size, 'utf8');
    await this._handle.datasync();
    this._headHash = hash;
    this._entries.push(entry);
    this._index(entry);
    return entry;
  }

  private _refusal(entry: LedgerEntry): string | null {
    switch (entry.kind) {
      case 'earned':
      case 'spent': {
        const receipt = entry.receipt;
        if (this._keys.has(`digest:${entry.digest}`)) return 'this receipt is already in the ledger.';
        if (this._keys.has(`nonce:${receipt.requester.toLowerCase()}:${receipt.nonce}`)) {
          return 'the requester already used this nonce (a replayed receipt).';
        }
        if (this._keys.has(`${entry.kind}:${entry.jobId}`)) return `the job already has an ${entry.kind} receipt.`;
        return null;
      }
      case 'pending':
        return this._keys.has(`job:${entry.jobId}`) ? 'the job is already recorded.' : null;
      case 'voided':
        return this._pending.has(entry.jobId) ? null : 'only a pending job can be voided.';
    }
  }

  private _index(entry: LedgerEntry): void {
    this._keys.add(`job:${entry.jobId}`);
    if (entry.kind === 'pending') this._pending.set(entry.jobId, BigInt(entry.amount));
    else this._pending.delete(entry.jobId);
    if (entry.kind === 'earned' || entry.kind === 'spent') {
      this._keys.add(`digest:${entry.digest}`);
      this._keys.add(`nonce:${entry.receipt.requester.toLowerCase()}:${entry.receipt.nonce}`);
      this._keys.add(`${entry.kind}:${entry.jobId}`);
    }
  }

  balances(): LedgerBalances {
    return balancesOf(this._entries);
  }

  /** Re-checks every receipt signature (slower than the chain check done on open). */
  async verifySignatures(): Promise<Map<number, boolean>> {
    const results = new Map<number, boolean>();
    for (const entry of this._entries) {
      if (entry.kind !== 'earned' && entry.kind !== 'spent') continue;
      results.set(entry.seq, await verifyReceiptEntry(entry));
    }
    return results;
  }

  get disposed(): boolean {
    return this._disposed;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    await this._queue.idle();
    await this._handle.close();
    await rm(`${this.file}.lock`, { force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

/** Balances derived from entries: nothing else is stored, so they cannot drift from the chain. */
export function balancesOf(entries: readonly LedgerEntry[]): LedgerBalances {
  let earned = 0n;
  let spent = 0n;
  const pending = new Map<string, bigint>();
  for (const entry of entries) {
    if (entry.kind === 'earned') earned += BigInt(entry.receipt.price);
    else if (entry.kind === 'spent') spent += BigInt(entry.receipt.price);
    if (entry.kind === 'pending') pending.set(entry.jobId, BigInt(entry.amount));
    else pending.delete(entry.jobId);
  }
  const pendingSum = [...pending.values()].reduce((sum, amount) => sum + amount, 0n);
  return {
    earned: earned.toString(),
    spent: spent.toString(),
    pending: pendingSum.toString(),
    balance: (earned - spent).toString(),
  };
}

/** Checks one stored receipt's signature against its requester. */
export function verifyReceiptEntry(entry: ReceiptEntry): Promise<boolean> {
  return verifyReceipt({ receipt: receiptFromJson(entry.receipt as ReceiptJson), signature: entry.signature as Hex });
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A pid lock file; a lock left by a process that died (kill -9) is taken over. */
async function takeLock(file: string): Promise<void> {
  const lock = `${file}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx', mode: 0o600 });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(await readFile(lock, 'utf8').catch(() => ''));
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) throw new LedgerBusyError(file, pid);
      await rm(lock, { force: true });
    }
  }
  throw new LedgerBusyError(file, -1);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
