import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { withHearth } from '../client/open-hearth';
import type { Earnings, ReceiptRow } from '../../shared/contract/rewards';
import { print, printError, printableJson } from '../terminal-text';

/**
 * `hearth network earnings [--json] [--export <file>]`. Attaches to the `network` command group
 * (created by the network command file) or creates it when that is not registered.
 */
export function registerEarnings(program: Command): void {
  const network =
    program.commands.find((command) => command.name() === 'network') ??
    program.command('network').description('The Hearth compute network.');
  network
    .command('earnings')
    .description('Balance, earnings and receipts from this node’s verified ledger.')
    .option('--json', 'print JSON')
    .option('--export <file>', 'write the whole ledger as JSON to a file')
    .action(async (options: { json?: boolean; export?: string }) => {
      await withHearth({ command: 'hearth network earnings' }, async ({ api }) => {
        const earnings = await api.rewards.earnings();
        const { receipts } = await api.rewards.receipts({ limit: 20 });
        if (options.export) {
          const { json, entries } = await api.rewards.exportLedger();
          await writeFile(options.export, json);
          printError(`Wrote ${entries} ledger entries to ${options.export}`);
        }
        if (options.json) print(printableJson({ ...earnings, receipts }, 2));
        else printEarnings(earnings, receipts);
        if (!earnings.integrity.ok) process.exitCode = 2;
      });
    });
}

/** Micro-credits as credits with six decimals, exactly. */
export function formatCredits(micro: string): string {
  const negative = micro.startsWith('-');
  const digits = (negative ? micro.slice(1) : micro).padStart(7, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -6)}.${digits.slice(-6)}`;
}

function printEarnings(earnings: Earnings, receipts: ReceiptRow[]): void {
  const { balances } = earnings;
  printIntegrity(earnings.integrity);
  print(`Wallet:      ${earnings.wallet ?? '(none yet)'}`);
  print(`Balance:     ${formatCredits(balances.balance)} credits`);
  print(
    `Earned:      ${formatCredits(balances.earned)}   Spent: ${formatCredits(balances.spent)}   Pending: ${formatCredits(balances.pending)}`,
  );
  print(`Served:      ${earnings.jobsServed} jobs, ${earnings.tokensServed} tokens`);
  const rate = earnings.auditPassRate === null ? 'no audits yet' : `${(earnings.auditPassRate * 100).toFixed(1)}%`;
  print(`Audits:      ${rate}   Tier: ${earnings.tier}`);
  if (receipts.length === 0) return;
  print('\nRecent entries:');
  for (const row of receipts) {
    const status = row.verified === null ? '' : row.verified ? 'signature ok' : 'SIGNATURE INVALID';
    const when = new Date(row.at).toISOString().slice(0, 16).replace('T', ' ');
    print(
      `  ${when}  ${row.kind.padEnd(7)} ${formatCredits(row.amount).padStart(12)}  ${row.jobId}  ${status}${row.reason ? ` (${row.reason})` : ''}`,
    );
  }
}

function printIntegrity(integrity: Earnings['integrity']): void {
  for (const legacy of integrity.legacy) {
    print(`Unsigned ledger from an earlier version, kept and not counted: ${legacy.file} (${legacy.entries} entries)`);
  }
  if (integrity.tornTail) print(`Note: ${integrity.tornTail} It is set aside when the node next starts.`);
  if (integrity.ok) return;
  print(
    `WARNING: the ledger is damaged (${integrity.problemCount} problem${integrity.problemCount === 1 ? '' : 's'}); this node serves no jobs until you decide.`,
  );
  for (const p of integrity.problems.slice(0, 20)) {
    print(`  ${p.line === null ? 'head record' : `line ${p.line}`}${p.jobId ? ` (${p.jobId})` : ''}: ${p.reason}`);
  }
  if (integrity.balanceSource === 'signed-head') print('The balance shown is the last one this node signed.');
  print('Keep the damaged file aside and start a new ledger with: hearth ledger set-aside');
}
