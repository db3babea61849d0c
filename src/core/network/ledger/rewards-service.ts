import { join } from 'node:path';
import { privateKeyToAddress } from 'viem/accounts';
import { bytesToHex } from 'viem';
import type { Contract } from '../../../shared/contract';
import type { ServiceOf } from '../../../shared/contract/define';
import type { Earnings, ReceiptRow } from '../../../shared/contract/rewards';
import type { SecretStore } from '../../secrets';
import { WALLET_SECRET } from '../receipts';
import { ReputationBook } from '../reputation';
import { balancesOf, Ledger, verifyReceiptEntry } from './ledger';
import type { LedgerEntry } from './ledger-entry';

export interface RewardsServiceOptions {
  dataDir: string;
  secrets: SecretStore;
}

/** Where a data folder keeps its ledger; the network node appends, this service reads. */
export function ledgerFile(dataDir: string): string {
  return join(dataDir, 'network', 'ledger.jsonl');
}

const DAY_MS = 86_400_000;

/**
 * The `rewards` namespace: reads and verifies the ledger on each call (it is small, and reading
 * never takes the writer's lock, so the running node keeps appending).
 */
export function createRewardsService({ dataDir, secrets }: RewardsServiceOptions): ServiceOf<Contract['rewards']> {
  const file = ledgerFile(dataDir);
  return {
    async earnings() {
      const scan = await Ledger.inspect(file);
      const stored = await secrets.get(WALLET_SECRET);
      return {
        ...summarise(scan.entries, Date.now()),
        wallet: stored && stored.byteLength === 32 ? privateKeyToAddress(bytesToHex(stored)) : null,
        integrity: {
          ok: scan.problem === null,
          problem: scan.problem ? `Line ${scan.problem.line}: ${scan.problem.reason}` : null,
        },
      };
    },
    async receipts({ limit = 50 }) {
      const { entries } = await Ledger.inspect(file);
      const newest = entries.slice(-limit).reverse();
      return { total: entries.length, receipts: await Promise.all(newest.map(toRow)) };
    },
    async exportLedger() {
      const scan = await Ledger.inspect(file);
      const json = JSON.stringify(
        {
          format: 'hearth-ledger-export/1',
          exportedAt: new Date().toISOString(),
          headHash: scan.headHash,
          verified: scan.problem === null,
          balances: balancesOf(scan.entries),
          entries: scan.entries,
        },
        null,
        2,
      );
      return { json, entries: scan.entries.length };
    },
  };
}

/** Figures for the earnings view, all derived from the entries. */
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

async function toRow(entry: LedgerEntry): Promise<ReceiptRow> {
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
        verified: await verifyReceiptEntry(entry),
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
