import type { Command } from 'commander';
import { getAddress, isAddress, type Address } from 'viem';
import { createEngine, defaultDataDir } from '../../core';
import { verifyLedgerFile, type LedgerReport } from '../../core/network/ledger';
import { formatCredits } from './earnings-command';
import { print, printError, printableJson } from '../terminal-text';

/**
 * `hearth ledger verify <file>` re-checks a ledger or an export anywhere, without a data folder;
 * `hearth ledger set-aside` is the user's decision on a damaged ledger (keep it, start anew).
 */
export function registerLedger(program: Command): void {
  const ledger = program.command('ledger').description('Check and repair the earnings ledger.');
  ledger
    .command('verify <file>')
    .description('Check every line, signature, receipt and the signed head of a ledger file or a ledger export.')
    .option('--signer <address>', 'the wallet it must be signed by (default: the one its header names)')
    .option('--json', 'print JSON')
    .action(async (file: string, options: { signer?: string; json?: boolean }) => {
      if (options.signer && !isAddress(options.signer))
        throw new Error(`--signer ${options.signer} is not a wallet address.`);
      const signer = options.signer ? (getAddress(options.signer) as Address) : undefined;
      const report = await verifyLedgerFile(file, signer);
      if (options.json) print(printableJson(reportJson(report), 2));
      else printReport(file, report);
      if (report.problems.length > 0 || report.format !== 'signed') process.exitCode = 2;
    });
  ledger
    .command('set-aside')
    .description('Keep a damaged ledger aside, unchanged, and start a new one so this node can serve again.')
    .action(async () => {
      const engine = await createEngine({ dataDir: defaultDataDir(), host: 'headless' });
      try {
        const { setAside } = (await engine.dispatch('rewards.startNewLedger', {}, { door: 'cli' })) as {
          setAside: string;
        };
        printError(`The damaged ledger is kept at ${setAside}; a new ledger has started.`);
      } finally {
        await engine.dispose();
      }
    });
}

function reportJson(report: LedgerReport) {
  return {
    format: report.format,
    signer: report.signer,
    ok: report.format === 'signed' && report.problems.length === 0,
    lines: report.lines.length,
    validEntries: report.entries.length,
    balances: report.balances,
    balanceSource: report.balanceSource,
    entryBalances: report.entryBalances,
    head: report.head && { seq: report.head.seq, hash: report.head.hash },
    problems: report.problems,
    tornTail: report.tornTail && { line: report.tornTail.line, reason: report.tornTail.reason },
    legacy: report.legacy,
  };
}

function printReport(file: string, report: LedgerReport): void {
  if (report.format === 'legacy') {
    print(
      `${file} is an unsigned ledger of the first format (${report.legacy?.entries ?? 0} entries): it proves nothing about who wrote it.`,
    );
    return;
  }
  print(`Ledger:   ${file}`);
  print(`Signer:   ${report.signer ?? '(none)'}`);
  print(`Lines:    ${report.lines.length}, valid entries: ${report.entries.length}`);
  const b = report.balances;
  const source =
    report.balanceSource === 'signed-head' ? ' (the last balance this node signed; the file is damaged)' : '';
  print(`Balance:  ${formatCredits(b.balance)} credits${source}`);
  print(
    `          earned ${formatCredits(b.earned)}, spent ${formatCredits(b.spent)}, pending ${formatCredits(b.pending)}`,
  );
  if (report.tornTail) print(`Torn tail: line ${report.tornTail.line}: ${report.tornTail.reason}`);
  if (report.problems.length === 0) {
    print(
      report.head
        ? `OK: every line checks out, up to the signed head (entry ${report.head.seq}).`
        : 'OK: every line checks out (no head record was checked).',
    );
    return;
  }
  print(`DAMAGED: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}`);
  for (const p of report.problems) {
    const where =
      p.line === null
        ? 'head record'
        : `line ${p.line}${p.seq === null ? '' : ` (entry ${p.seq}${p.jobId ? `, ${p.jobId}` : ''})`}`;
    print(`  ${where}: ${p.kind}: ${p.reason}`);
  }
}
