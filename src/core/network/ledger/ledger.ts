import { open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Address, LocalAccount } from 'viem';
import { receiptDigest, receiptToJson, type SignedReceipt, type WalletBinding } from '../receipts';
import { DisposedError, type Disposable } from '../../disposable';
import { SerialQueue } from '../../serial-queue';
import { balancesOf, type LedgerBalances } from './balances';
import { DuplicateEntryError } from './duplicate-entry-error';
import type { LedgerEntry, NewLedgerEntry, ReceiptEntry } from './ledger-entry';
import { LedgerBusyError } from './ledger-busy-error';
import { LedgerCorruptError } from './ledger-corrupt-error';
import { encodeLine, genesisOf, ledgerHeader } from './ledger-format';
import { headFile, readHead, signHead, writeHead } from './ledger-head';
import { LedgerIndex } from './ledger-index';
import type { LedgerProblem } from './ledger-problem';
import { receiptProblem, verifyLedger, type LedgerReport } from './ledger-verify';

export interface LedgerOptions {
  /** The node's wallet: it signs every line and the head, and every line is checked against it. */
  signer: LocalAccount;
}

export interface LedgerOpenResult {
  ledger: Ledger;
  /** What the check on open found (also kept as `ledger.damage` when the file is damaged). */
  report: LedgerReport;
  /** A torn tail found and set aside on open (the crash-interrupted bytes are kept in `setAside`). */
  recovered: (LedgerProblem & { setAside: string }) | null;
  /** An unsigned ledger of the first format, kept under this name; a new signed ledger began. */
  migrated: string | null;
}

/**
 * The node's append-only ledger of receipts earned and signed, each line signed by the node's
 * wallet and chained to the one before; a signed head beside it records the last entry. Every
 * append is fsynced before it resolves. Opening checks every line and receipt: a damaged file
 * (anything but a torn final line) is kept as it is, nothing is written to it, and `damage`
 * says why until the user calls `startNew()`. One process writes a ledger at a time.
 */
export class Ledger implements Disposable {
  private _disposed = false;
  private readonly _queue = new SerialQueue();
  private _index = new LedgerIndex();
  private _entries: LedgerEntry[] = [];
  private _lastHash = '';
  private _seq = 0;
  private _damage: LedgerReport | null = null;

  private constructor(
    readonly file: string,
    private _handle: FileHandle,
    private readonly _signer: LocalAccount,
    report: LedgerReport,
  ) {
    this._load(report);
  }

  static async open(file: string, { signer }: LedgerOptions): Promise<LedgerOpenResult> {
    await takeLock(file);
    try {
      return await Ledger._open(file, signer);
    } catch (error) {
      await rm(`${file}.lock`, { force: true });
      throw error;
    }
  }

  private static async _open(file: string, signer: LocalAccount): Promise<LedgerOpenResult> {
    let report = await Ledger.inspect(file, { signer: signer.address });
    let migrated: string | null = null;
    if (report.format === 'legacy') {
      // Unsigned entries prove nothing, so they are not carried over; the file is kept, and the
      // earnings view lists it as unsigned.
      migrated = `${file}.unsigned-${Date.now()}`;
      await rename(file, migrated);
      report = await verifyLedger(Buffer.alloc(0));
    }
    if (report.format === 'empty' && report.problems.length === 0) {
      await createLedger(file, signer);
      report = await Ledger.inspect(file, { signer: signer.address });
    }
    let recovered: LedgerOpenResult['recovered'] = null;
    const handle = await open(file, 'r+').catch(async (error: unknown) => {
      // A removed ledger (rolled back to nothing) stays damaged; the handle is for startNew.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return open(file, 'a+');
    });
    if (report.tornTail && report.problems.length === 0) {
      const { bytes, offset, ...problem } = report.tornTail;
      const setAside = `${file}.torn-${Date.now()}`;
      await writeFile(setAside, bytes, { flush: true, mode: 0o600 });
      await handle.truncate(offset);
      await handle.datasync();
      recovered = { ...problem, setAside };
    }
    return { ledger: new Ledger(file, handle, signer, report), report, recovered, migrated };
  }

  /** Reads and checks a ledger without changing it (status views, exports, `hearth ledger verify`). */
  static async inspect(file: string, options: { signer?: Address } = {}): Promise<LedgerReport> {
    // The head first: a writer appends the line before the head, so a head read before the file
    // never runs ahead of it (read the other way round, a concurrent append looks like a rollback).
    const head = await readHead(file);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      bytes = Buffer.alloc(0);
    }
    return verifyLedger(bytes, { signer: options.signer, head });
  }

  get entries(): readonly LedgerEntry[] {
    return this._entries;
  }

  /** The check that found the file damaged; null while the ledger is whole and writable. */
  get damage(): LedgerReport | null {
    return this._damage;
  }

  get signer(): Address {
    return this._signer.address;
  }

  /**
   * Records a receipt: `earned` for work this node did (with the requester's wallet binding),
   * `spent` for work it bought. Refuses what opening the ledger would not count.
   */
  async appendReceipt(kind: 'earned' | 'spent', signed: SignedReceipt, binding?: WalletBinding): Promise<ReceiptEntry> {
    const entry = {
      kind,
      jobId: signed.receipt.jobId,
      receipt: receiptToJson(signed.receipt),
      signature: signed.signature,
      digest: receiptDigest(signed.receipt),
      ...(binding ? { binding } : {}),
    };
    const problem = await receiptProblem({ ...entry, seq: 0, at: 0 }, this._signer.address);
    if (problem) throw new DuplicateEntryError(signed.receipt.jobId, problem);
    return (await this.append(entry)) as ReceiptEntry;
  }

  /** Appends one entry and resolves once it and the new head are on disk. */
  append(entry: NewLedgerEntry): Promise<LedgerEntry> {
    return this._queue.run(() => this._append(entry));
  }

  private async _append(newEntry: NewLedgerEntry): Promise<LedgerEntry> {
    if (this._disposed) throw new DisposedError('The earnings ledger');
    if (this._damage) throw new LedgerCorruptError(this.file, this._damage.problems);
    const entry = { ...newEntry, seq: this._seq + 1, at: Date.now() } as LedgerEntry;
    const refusal = this._index.refusal(entry);
    if (refusal) throw new DuplicateEntryError(entry.jobId, refusal);
    const { line, hash } = await encodeLine(this._signer, this._lastHash, entry);
    const { size } = await this._handle.stat();
    await this._handle.write(line, size, 'utf8');
    await this._handle.datasync();
    this._lastHash = hash;
    this._seq = entry.seq;
    this._entries.push(entry);
    this._index.add(entry);
    const balances = balancesOf(this._entries);
    await writeHead(this.file, await signHead(this._signer, { seq: entry.seq, hash, balances, at: entry.at }));
    return entry;
  }

  /**
   * The user's decision on a damaged ledger: keep the file (and its head) aside, unchanged, as
   * `<file>.damaged-<time>`, and start a new, empty ledger. Returns where the old file went.
   */
  startNew(): Promise<string> {
    return this._queue.run(async () => {
      if (this._disposed) throw new DisposedError('The earnings ledger');
      if (!this._damage) throw new Error('The earnings ledger is not damaged; there is nothing to set aside.');
      const setAside = `${this.file}.damaged-${Date.now()}`;
      await this._handle.close();
      await renameIfPresent(this.file, setAside);
      await renameIfPresent(headFile(this.file), `${setAside}.head.json`);
      await createLedger(this.file, this._signer);
      this._handle = await open(this.file, 'r+');
      this._load(await Ledger.inspect(this.file, { signer: this._signer.address }));
      return setAside;
    });
  }

  private _load(report: LedgerReport): void {
    this._damage = report.problems.length > 0 ? report : null;
    this._index = new LedgerIndex();
    this._entries = [...report.entries];
    for (const entry of this._entries) this._index.add(entry);
    this._lastHash = report.lastHash;
    this._seq = report.lastSeq;
  }

  balances(): LedgerBalances {
    return balancesOf(this._entries);
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

/** A new ledger: its head (seq 0) first, then the header, so a signed ledger never lacks a head. */
async function createLedger(file: string, signer: LocalAccount): Promise<void> {
  const header = ledgerHeader(signer.address);
  await writeHead(
    file,
    await signHead(signer, { seq: 0, hash: genesisOf(header), balances: balancesOf([]), at: Date.now() }),
  );
  await writeFile(`${file}.new`, header, { flush: true, mode: 0o600 });
  await rename(`${file}.new`, file);
  await syncDir(dirname(file));
}

async function renameIfPresent(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
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
      // An unreadable lock counts as stale (it is about to be replaced anyway).
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
