import type { Command } from 'commander';
import { getAddress, parseUnits } from 'viem';
import {
  explainChainError,
  openChainWallet,
  redemptionToJson,
  walletStatus,
  type SentTransaction,
  type WalletStatus,
} from '../../core/chain';
import { defaultDataDir } from '../../core';
import { print, printableJson } from '../terminal-text';

/**
 * `hearth wallet status|deposit|withdraw` and `hearth network redeem`: the node's on-chain
 * escrow wallet (docs/NETWORK.md, "Paid in tokens"). All need the chain section of settings.
 */
export function registerWallet(program: Command): void {
  const wallet = program
    .command('wallet')
    .description('The on-chain escrow wallet (needs the chain section of settings).');
  wallet
    .command('status')
    .description('Address, token balance, deposit, withdrawal, and cheques signed and held.')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const status = await walletStatus(await openChainWallet(defaultDataDir()));
      if (options.json) print(printableJson(status, 2));
      else printStatus(status);
    });
  wallet
    .command('deposit <amount>')
    .description('Deposit <amount> tokens (e.g. 2.5) into the escrow; approves the escrow first if needed.')
    .option('--json', 'print JSON')
    .action(async (amount: string, options: { json?: boolean }) => {
      const payments = await openChainWallet(defaultDataDir());
      const sent = await explainChainError(
        payments.escrow.deposit(payments.wallet, parseAmount(amount, payments.decimals)),
      );
      report(options.json, `Deposited ${amount} tokens.`, sent);
    });
  wallet
    .command('withdraw [amount]')
    .description('Request a withdrawal of [amount] tokens (it starts the delay), or take a ready one with --complete.')
    .option('--complete', 'take the withdrawal requested earlier, once its delay has passed')
    .option('--json', 'print JSON')
    .action(async (amount: string | undefined, options: { complete?: boolean; json?: boolean }) => {
      const payments = await openChainWallet(defaultDataDir());
      if (options.complete) {
        report(options.json, 'Withdrawal taken.', [await explainChainError(payments.escrow.withdraw(payments.wallet))]);
        return;
      }
      if (!amount)
        throw new Error(
          'Say how many tokens to withdraw (`hearth wallet withdraw 5`), or take a ready withdrawal with `--complete`.',
        );
      const sent = await explainChainError(
        payments.escrow.requestWithdrawal(payments.wallet, parseAmount(amount, payments.decimals)),
      );
      const { readyAt } = await payments.escrow.withdrawalOf(payments.wallet.address);
      report(
        options.json,
        `Withdrawal of ${amount} tokens requested; take it after ${new Date(Number(readyAt) * 1000).toISOString()} with \`hearth wallet withdraw --complete\`.`,
        [sent],
      );
    });

  const network =
    program.commands.find((command) => command.name() === 'network') ??
    program.command('network').description('The Hearth compute network.');
  network
    .command('redeem')
    .description('Redeem the cheques this node holds as a provider, on chain.')
    .option('--all', 'redeem every requester in one batch transaction')
    .option('--requester <address>', 'redeem only this requester’s cheque')
    .option('--json', 'print JSON')
    .action(async (options: { all?: boolean; requester?: string; json?: boolean }) => {
      if (!options.all && !options.requester)
        throw new Error('Say what to redeem: `--all`, or `--requester <address>`.');
      const payments = await openChainWallet(defaultDataDir());
      const redemption = await explainChainError(
        payments.held.redeem({
          all: options.all,
          ...(options.requester ? { requester: getAddress(options.requester) } : {}),
        }),
      );
      const json = redemptionToJson(redemption, payments.decimals);
      if (options.json) print(printableJson(json, 2));
      else if (json.pairs.length === 0) print('Nothing to redeem: every cheque held is already paid.');
      else
        print(
          `Redeemed ${json.totalTokens} tokens from ${json.pairs.length} requester(s); gas used ${json.transaction?.gasUsed}.`,
        );
    });
}

function parseAmount(amount: string, decimals: number): bigint {
  if (!/^\d+(\.\d+)?$/.test(amount)) throw new Error(`"${amount}" is not an amount of tokens; write it like 5 or 2.5.`);
  const value = parseUnits(amount, decimals);
  if (value === 0n) throw new Error('The amount must be more than zero.');
  return value;
}

function report(json: boolean | undefined, message: string, sent: SentTransaction[]): void {
  const transactions = sent.map((tx) => ({
    hash: tx.hash,
    gasUsed: tx.gasUsed.toString(),
    gasPriceWei: tx.effectiveGasPrice.toString(),
  }));
  if (json) print(printableJson({ message, transactions }, 2));
  else print(`${message} ${transactions.map((tx) => `Transaction ${tx.hash}, gas used ${tx.gasUsed}.`).join(' ')}`);
}

function printStatus(status: WalletStatus): void {
  print(`Wallet:      ${status.address} (chain ${status.chainId}, escrow ${status.escrow})`);
  print(`Tokens:      ${status.tokenBalance}   Gas balance: ${status.gasBalance}`);
  print(`Deposit:     ${status.deposit}   Spendable: ${status.spendable}`);
  print(
    `Withdrawal:  ${status.withdrawal.readyAt ? `${status.withdrawal.amount} ready at ${status.withdrawal.readyAt}` : 'none requested'}`,
  );
  print(
    `Unredeemed:  ${status.unredeemedTotal} from ${status.held.filter((h) => h.unredeemed !== '0').length} requester(s)`,
  );
  for (const pair of status.held) print(`  from ${pair.requester}: ${pair.cumulative} promised, ${pair.paid} paid`);
  for (const cheque of status.signed) print(`  signed to ${cheque.provider}: ${cheque.cumulative} in total`);
}
