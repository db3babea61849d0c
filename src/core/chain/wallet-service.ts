import { formatUnits, parseUnits } from 'viem';
import { explainChainError as explain } from './chain-error';
import type { Contract } from '../../shared/contract';
import type { ServiceOf } from '../../shared/contract/define';
import type { Settings } from '../../shared/settings';
import type { Logger } from '../log';
import { loadOrCreateWallet } from '../network/receipts/wallet';
import type { SecretStore } from '../secrets';
import { createChainPayments, type ChainPayments } from './chain-payments';
import type { SentTransaction } from './escrow';
import { redemptionToJson } from './redemption-json';
import { walletStatus } from './wallet-report';

export interface WalletServiceOptions {
  dataDir: string;
  settings: { get(): Settings };
  secrets: SecretStore;
  log?: Pick<Logger, 'info'>;
}

/**
 * The `wallet` namespace for the app's Earnings view. It opens the chain from the current
 * settings on each call that needs it (re-opening when they changed) and does nothing, and
 * sends nothing, while no chain is configured.
 */
export function createWalletService({
  dataDir,
  settings,
  secrets,
  log,
}: WalletServiceOptions): ServiceOf<Contract['wallet']> {
  let open: { key: string; payments: Promise<ChainPayments | undefined> } | undefined;
  const payments = (): Promise<ChainPayments | undefined> => {
    const chain = settings.get().chain;
    const key = JSON.stringify([chain.rpcUrl, chain.chainId, chain.escrowAddress, chain.tokenAddress]);
    if (open?.key !== key) {
      open = {
        key,
        payments: createChainPayments({ settings: chain, wallet: () => loadOrCreateWallet(secrets), dataDir, log }),
      };
      open.payments.catch(() => (open = undefined));
    }
    return open.payments;
  };
  const required = async (): Promise<ChainPayments> => {
    const opened = await payments();
    if (!opened)
      throw new Error('No chain is configured: fill in the chain section of your settings to use the escrow wallet.');
    return opened;
  };
  return {
    async status() {
      const opened = await payments();
      return opened ? walletStatus(opened) : null;
    },
    async estimateRedeem() {
      const opened = await required();
      const pairs = (await opened.held.pairs()).filter((pair) => pair.unredeemed > 0n);
      const unredeemed = pairs.reduce((sum, pair) => sum + pair.unredeemed, 0n);
      // bench:settle: a batch costs about 40k gas plus 40-45k per pair.
      const gas = pairs.length === 0 ? 0n : 40_000n + 45_000n * BigInt(pairs.length);
      const gasPrice = pairs.length === 0 ? 0n : await opened.client.public.getGasPrice();
      return {
        pairs: pairs.length,
        unredeemedTotal: formatUnits(unredeemed, opened.decimals),
        gas: gas.toString(),
        costNative: formatUnits(gas * gasPrice, 18),
      };
    },
    async estimate({ action, amount }) {
      const opened = await required();
      const units = amount === undefined ? 0n : parseUnits(amount, opened.decimals);
      if (action !== 'withdraw' && units === 0n) throw new Error('Enter an amount of tokens greater than zero.');
      const gas = await explain(
        action === 'deposit'
          ? opened.escrow.estimateDeposit(opened.wallet, units)
          : action === 'requestWithdrawal'
            ? opened.escrow.estimateRequestWithdrawal(opened.wallet, units)
            : opened.escrow.estimateWithdraw(opened.wallet),
      );
      const gasPrice = await opened.client.public.getGasPrice();
      return { gas: gas.toString(), costNative: formatUnits(gas * gasPrice, 18) };
    },
    async deposit({ amount }) {
      const opened = await required();
      return sent(await explain(opened.escrow.deposit(opened.wallet, parseUnits(amount, opened.decimals))));
    },
    async requestWithdrawal({ amount }) {
      const opened = await required();
      return sent([await explain(opened.escrow.requestWithdrawal(opened.wallet, parseUnits(amount, opened.decimals)))]);
    },
    async withdraw() {
      const opened = await required();
      return sent([await explain(opened.escrow.withdraw(opened.wallet))]);
    },
    async redeem() {
      const opened = await required();
      return redemptionToJson(await opened.held.redeem({ all: true }), opened.decimals);
    },
  };
}

function sent(transactions: SentTransaction[]) {
  return { transactions: transactions.map((tx) => ({ hash: tx.hash, gasUsed: tx.gasUsed.toString() })) };
}
