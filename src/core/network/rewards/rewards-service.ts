import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { privateKeyToAddress } from 'viem/accounts';
import { bytesToHex, type Address } from 'viem';
import type { Contract } from '../../../shared/contract';
import type { ServiceOf } from '../../../shared/contract/define';
import type { Earnings, ReceiptRow } from '../../../shared/contract/rewards';
import type { SecretStore } from '../../secrets';
import { loadOrCreateWallet, WALLET_SECRET } from '../receipts';
import { ReputationBook } from '../reputation';
import { balancesOf, Ledger, ledgerFile, type LedgerEntry, type LedgerReport } from '../ledger';
import { exportLedger } from '../ledger/ledger-export';
import { scanLegacyLedger } from '../ledger/legacy-ledger';

export interface RewardsServiceOptions {
  dataDir: string;
  secrets: SecretStore;
  /** The ledger the running node has open, if any: setting a damaged ledger aside goes through it. */
  liveLedger?: () => Ledger | null;
}


const DAY_MS = 86_400_000;
const PROBLEMS_SHOWN = 200;

/**
 * The `rewards` namespace: reads and checks the ledger on each call (never taking the writer's
 * lock, so the running node keeps appending; signature checks are cached per line).
 */
export function createRewardsService({
  dataDir,
  secrets,
  liveLedger,
}: RewardsServiceOptions): ServiceOf<Contract['rewards']> {
  const file = ledgerFile(dataDir);
  const wallet = async (): Promise<Address | null> => {
    const stored = await secrets.get(WALLET_SECRET);
    return stored && stored.byteLength === 32 ? privateKeyToAddress(bytesToHex(stored)) : null;
  };
  const inspect = async () => Ledger.inspect(file, { signer: (await wallet()) ?? undefined });
  return {
    async earnings() {
      const report = await inspect();
      return {
        ...summarise(report.entries, Date.now()),
        balances: report.balances,
        wallet: await wallet(),
        integrity: { ...integrityOf(report), legacy: await legacyLedgers(file) },
      };
    },
    async receipts({ limit = 50 }) {
      const { entries } = await inspect();
      const newest = entries.slice(-limit).reverse();
      return { total: entries.length, receipts: newest.map(toRow) };
    },
    async exportLedger() {
      const report = await inspect();
      const header = report.header ?? '';
      return { json: JSON.stringify(exportLedger(report, header), null, 2), entries: report.entries.length };
    },
    async startNewLedger() {
      const live = liveLedger?.();
      if (live) return { setAside: await live.startNew() };
      const { ledger } = await Ledger.open(file, { signer: await loadOrCreateWallet(secrets) });
      try {
        return { setAside: await ledger.startNew() };
      } finally {
        await ledger.dispose();
      }
    },
  };
}

function integrityOf(report: LedgerReport): Omit<Earnings['integrity'], 'legacy'> {
  const first = report.problems[0];
  return {
    ok: report.problems.length === 0,
    problem: first ? `${first.line === null ? 'Head record' : `Line ${first.line}`}: ${first.reason}` : null,
    format: report.format,
    blocked: report.problems.length > 0,
    problems: report.problems.slice(0, PROBLEMS_SHOWN),
    problemCount: report.problems.length,
    signer: report.signer,
    linesTotal: report.lines.length,
    entriesValid: report.entries.length,
    balanceSource: report.balanceSource,
    entryBalances: report.entryBalances,
    tornTail: report.tornTail ? `Line ${report.tornTail.line}: ${report.tornTail.reason}` : null,
  };
}

/** Unsigned ledgers of the first format, kept beside the ledger when it was migrated. */
async function legacyLedgers(file: string): Promise<Earnings['integrity']['legacy']> {
  const names = await readdir(dirname(file)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const prefix = `${basename(file)}.unsigned-`;
  const legacy: Earnings['integrity']['legacy'] = [];
  for (const name of names.filter((n) => n.startsWith(prefix)).sort()) {
    const path = join(dirname(file), name);
    const scan = scanLegacyLedger(await readFile(path));
    legacy.push({
      file: path,
      entries: scan.entries.length,
      balances: balancesOf(scan.entries),
      problem: scan.problem ? `Line ${scan.problem.line}: ${scan.problem.reason}` : null,
    });
  }
  return legacy;
}

/** Figures for the earnings view, all derived from the valid entries. */
export function summarise(entries: readonly LedgerEntry[], now: number): Omit<Earnings, 'wallet' | 'integrity'> {
  const book = new ReputationBook({ now: () => now });
  let tokensServed = 0;
  let jobsServed = 0;
  const perDay = new Map<string, bigint>();
  for (let d = 29; d >= 0; d--) perDay.set(new Date(now - d * DAY_MS).toISOString().slice(0, 10), 0n);
  for (const entry of entries) {
    if (entry.kind === 'earned') {
      jobsServed++;
      tokensServed += entry.receipt.outputTokens;
      book.recordCompleted('self', { tokens: entry.receipt.outputTokens, ms: 0 });
      if (entry.receipt.audited) book.recordAudit('self', true);
      const day = new Date(entry.at).toISOString().slice(0, 10);
      const sum = perDay.get(day);
      if (sum !== undefined) perDay.set(day, sum + BigInt(entry.receipt.price));
    } else if (entry.kind === 'voided') {
      jobsServed++;
      // A requester's "audit failed" is its claim, not a verdict this node can check: it never
      // lowers this node's own tier (the requester is refused once its unpaid jobs add up).
      if (entry.audited) book.recordCompleted('self', { tokens: 0, ms: 0 });
      else book.recordDropped('self');
    }
  }
  const standing = book.standing('self');
  return {
    balances: balancesOf(entries),
    tokensServed,
    jobsServed,
    auditPassRate: standing.audits ? standing.auditPassRate : null,
    tier: standing.tier,
    series: [...perDay].map(([day, earned]) => ({ day, earned: earned.toString() })),
  };
}

/** A valid entry as a row (entries that failed their checks are in the integrity problems instead). */
function toRow(entry: LedgerEntry): ReceiptRow {
  const base = { seq: entry.seq, kind: entry.kind, jobId: entry.jobId, at: entry.at };
  switch (entry.kind) {
    case 'earned':
    case 'spent':
      return {
        ...base,
        amount: entry.receipt.price,
        outputTokens: entry.receipt.outputTokens,
        audited: entry.receipt.audited,
        counterparty: entry.kind === 'earned' ? entry.receipt.requester : entry.receipt.provider,
        verified: true,
        reason: null,
      };
    case 'pending':
      return {
        ...base,
        amount: entry.amount,
        outputTokens: null,
        audited: false,
        counterparty: null,
        verified: null,
        reason: null,
      };
    case 'voided':
      return {
        ...base,
        amount: '0',
        outputTokens: null,
        audited: entry.audited,
        counterparty: null,
        verified: null,
        reason: entry.reason,
      };
  }
}
