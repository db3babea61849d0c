import { join } from 'node:path';
import { formatUnits, type Address } from 'viem';
import { loadOrCreateWallet } from '../network/receipts/wallet';
import { createSecretStore } from '../secrets';
import { SettingsStore } from '../settings';
import { createChainPayments, type ChainPayments } from './chain-payments';

/**
 * The wallet of the node that lives in `dataDir`, with the chain from its settings, for the
 * CLI (`hearth wallet …`, `hearth network redeem`). Refuses with what to do when no chain is set.
 */
export async function openChainWallet(dataDir: string): Promise<ChainPayments> {
  const settings = await SettingsStore.open({ file: join(dataDir, 'settings.json') });
  try {
    const payments = await createChainPayments({
      settings: settings.get().chain,
      wallet: () => loadOrCreateWallet(createSecretStore({ dir: join(dataDir, 'secrets') })),
      dataDir,
    });
    if (!payments) {
      throw new Error(
        `No chain is configured, so Hearth has no on-chain wallet to use. Fill in the "chain" section (rpcUrl, chainId, escrowAddress, tokenAddress) of ${join(dataDir, 'settings.json')}, then try again.`,
      );
    }
    return payments;
  } finally {
    await settings.dispose();
  }
}

export interface WalletStatus {
  address: Address;
  chainId: number;
  escrow: Address;
  token: Address;
  decimals: number;
  /** Native balance, for gas. */
  gasBalance: string;
  tokenBalance: string;
  deposit: string;
  /** What new cheques may still promise: the deposit less signed, unredeemed cheques and a pending withdrawal. */
  spendable: string;
  withdrawal: { amount: string; readyAt: string | null };
  /** Cheques this node holds as a provider: per requester, and their unredeemed total. */
  held: { requester: Address; cumulative: string; paid: string; unredeemed: string }[];
  unredeemedTotal: string;
  /** Cheques this node signed as a requester: per provider. */
  signed: { provider: Address; cumulative: string }[];
}

/** Everything `hearth wallet status` shows, amounts as decimal token strings. */
export async function walletStatus(payments: ChainPayments): Promise<WalletStatus> {
  const { escrow, wallet, decimals, client } = payments;
  const tokens = (value: bigint) => formatUnits(value, decimals);
  const [gas, balance, deposit, withdrawal, spendable, held, signed] = await Promise.all([
    client.public.getBalance({ address: wallet.address }),
    escrow.tokenBalance(wallet.address),
    escrow.depositOf(wallet.address),
    escrow.withdrawalOf(wallet.address),
    payments.book.spendable(),
    payments.held.pairs(),
    payments.book.cheques(),
  ]);
  return {
    address: wallet.address,
    chainId: client.config.chainId,
    escrow: client.config.escrow,
    token: client.config.token,
    decimals,
    gasBalance: formatUnits(gas, 18),
    tokenBalance: tokens(balance),
    deposit: tokens(deposit),
    spendable: tokens(spendable),
    withdrawal: {
      amount: tokens(withdrawal.amount),
      readyAt: withdrawal.amount > 0n ? new Date(Number(withdrawal.readyAt) * 1000).toISOString() : null,
    },
    held: held.map((pair) => ({
      requester: pair.requester,
      cumulative: tokens(pair.cumulative),
      paid: tokens(pair.paid),
      unredeemed: tokens(pair.unredeemed),
    })),
    unredeemedTotal: tokens(held.reduce((sum, pair) => sum + pair.unredeemed, 0n)),
    signed: signed.map((cheque) => ({ provider: cheque.provider, cumulative: tokens(cheque.cumulative) })),
  };
}
