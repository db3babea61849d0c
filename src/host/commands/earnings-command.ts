import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createEngine, defaultDataDir } from '../../core';
import type { Earnings, ReceiptRow } from '../../shared/contract/rewards';

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
      const engine = await createEngine({ dataDir: defaultDataDir(), host: 'headless' });
      try {
        const earnings = (await engine.dispatch('rewards.earnings', {}, { door: 'cli' })) as Earnings;
        const { receipts } = (await engine.dispatch('rewards.receipts', { limit: 20 }, { door: 'cli' })) as {
          receipts: ReceiptRow[];
        };
        if (options.export) {
          const { json, entries } = (await engine.dispatch('rewards.exportLedger', {}, { door: 'cli' })) as {
            json: string;
            entries: number;
          };
          await writeFile(options.export, json);
          console.error(`Wrote ${entries} ledger entries to ${options.export}`);
        }
        if (options.json) console.log(JSON.stringify({ ...earnings, receipts }, null, 2));
        else printEarnings(earnings, receipts);
        if (!earnings.integrity.ok) process.exitCode = 2;
      } finally {
        await engine.dispose();
      }
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
  if (!earnings.integrity.ok) console.log(`WARNING: the ledger failed verification. ${earnings.integrity.problem}`);
  console.log(`Wallet:      ${earnings.wallet ?? '(none yet)'}`);
  console.log(`Balance:     ${formatCredits(balances.balance)} credits`);
  console.log(
    `Earned:      ${formatCredits(balances.earned)}   Spent: ${formatCredits(balances.spent)}   Pending: ${formatCredits(balances.pending)}`,
  );
  console.log(`Served:      ${earnings.jobsServed} jobs, ${earnings.tokensServed} tokens`);
  const rate = earnings.auditPassRate === null ? 'no audits yet' : `${(earnings.auditPassRate * 100).toFixed(1)}%`;
  console.log(`Audits:      ${rate}   Tier: ${earnings.tier}`);
  if (receipts.length === 0) return;
  console.log('\nRecent entries:');
  for (const row of receipts) {
    const status = row.verified === null ? '' : row.verified ? 'signature ok' : 'SIGNATURE INVALID';
    const when = new Date(row.at).toISOString().slice(0, 16).replace('T', ' ');
    console.log(
      `  ${when}  ${row.kind.padEnd(7)} ${formatCredits(row.amount).padStart(12)}  ${row.jobId}  ${status}${row.reason ? ` (${row.reason})` : ''}`,
    );
  }
}
