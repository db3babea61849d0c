import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { createTestClient, http, parseEther } from 'viem';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { hearthCreditAbi } from '../../../src/core/chain/artifacts/hearthCredit';
import { ChainPayments } from '../../../src/core/chain/chain-payments';
import { loadOrCreateWallet } from '../../../src/core/network/receipts/wallet';
import { createSecretStore } from '../../../src/core/secrets';
import { registerWallet } from '../../../src/host/commands/wallet-command';
import { startAnvil, type Anvil } from '../../helpers/anvil';
import { tempDir } from '../../helpers/temp-dir';
import { deployEscrow, requester as other, TOKEN, writeAs, type EscrowFixture } from './escrow-fixture';

const CLI = { door: 'cli' } as const;

/** `hearth wallet …` and `hearth network redeem` against anvil, in a data folder of their own. */
let anvil: Anvil;
let f: EscrowFixture;
let home: { path: string; cleanup: () => Promise<void> };
const previousHome = process.env.HEARTH_HOME;

async function hearth(...args: string[]): Promise<string> {
  const program = new Command('hearth').exitOverride();
  registerWallet(program);
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return lines.join('\n');
}

beforeAll(async () => {
  anvil = await startAnvil();
  f = await deployEscrow(anvil);
  home = await tempDir();
  process.env.HEARTH_HOME = home.path;
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  if (previousHome === undefined) delete process.env.HEARTH_HOME;
  else process.env.HEARTH_HOME = previousHome;
  await home?.cleanup();
  await anvil?.stop();
});

describe('hearth wallet and hearth network redeem', () => {
  it('with no chain configured, says where to configure one', async () => {
    await expect(hearth('wallet', 'status')).rejects.toThrow(/No chain is configured.*"chain" section.*settings\.json/);
  });

  it('deposits, requests a withdrawal, refuses to take it early, and redeems held cheques', async () => {
    await mkdir(home.path, { recursive: true });
    await writeFile(
      join(home.path, 'settings.json'),
      JSON.stringify({
        version: 1,
        chain: { rpcUrl: anvil.url, chainId: anvil.chainId, escrowAddress: f.escrow.address, tokenAddress: f.token },
      }),
    );
    const wallet = await loadOrCreateWallet(createSecretStore({ dir: join(home.path, 'secrets') }));
    await createTestClient({ mode: 'anvil', chain: f.client.chain, transport: http(anvil.url) }).setBalance({
      address: wallet.address,
      value: parseEther('1'),
    });
    await writeAs(f, other, f.token, hearthCreditAbi, 'mint', [wallet.address, 10n * TOKEN]);

    const deposit = JSON.parse(await hearth('wallet', 'deposit', '3', '--json')) as {
      transactions: { gasUsed: string }[];
    };
    expect(deposit.transactions).toHaveLength(2); // approve, then deposit
    const status = JSON.parse(await hearth('wallet', 'status', '--json')) as Record<string, unknown>;
    expect(status).toMatchObject({
      address: wallet.address,
      tokenBalance: '7',
      deposit: '3',
      spendable: '3',
      withdrawal: { amount: '0', readyAt: null },
    });

    await hearth('wallet', 'withdraw', '1');
    expect(JSON.parse(await hearth('wallet', 'status', '--json'))).toMatchObject({
      spendable: '2',
      withdrawal: { amount: '1' },
    });
    await expect(hearth('wallet', 'withdraw', '--complete')).rejects.toThrow(
      /^The chain refused: WithdrawalNotReady\(\d+\)\. The withdrawal delay has not passed yet/,
    );

    // Another requester pays this node with a cheque, which it redeems.
    await f.escrow.deposit(other, 5n * TOKEN);
    const payer = new ChainPayments(other, f.client, join(home.path, 'payer'), 18);
    const self = new ChainPayments(wallet, f.client, home.path, 18);
    await self.held.accept(await (await payer.book.reserve(2n * TOKEN)).pay(wallet.address, 2n * TOKEN), 2n * TOKEN);
    expect(JSON.parse(await hearth('wallet', 'status', '--json'))).toMatchObject({ unredeemedTotal: '2' });
    const redeemed = JSON.parse(await hearth('network', 'redeem', '--all', '--json')) as {
      totalTokens: string;
      pairs: unknown[];
    };
    console.log('hearth network redeem --all --json:', JSON.stringify(redeemed));
    expect(redeemed).toMatchObject({
      totalTokens: '2',
      pairs: [{ requester: other.address, paid: (2n * TOKEN).toString(), unredeemed: '0' }],
    });
    expect(JSON.parse(await hearth('wallet', 'status', '--json'))).toMatchObject({
      tokenBalance: '9',
      unredeemedTotal: '0',
    });
    expect(await hearth('network', 'redeem', '--all')).toMatch(/Nothing to redeem/);

    // The app's wallet service reads the same data folder: another cheque, estimated, then redeemed.
    const { createWalletService } = await import('../../../src/core/chain/wallet-service');
    const { SettingsStore } = await import('../../../src/core/settings');
    const settings = await SettingsStore.open({ file: join(home.path, 'settings.json') });
    try {
      const service = createWalletService({
        dataDir: home.path,
        settings,
        secrets: createSecretStore({ dir: join(home.path, 'secrets') }),
      });
      await self.held.accept(await (await payer.book.reserve(TOKEN)).pay(wallet.address, TOKEN), TOKEN);
      expect(await service.status({}, CLI)).toMatchObject({ unredeemedTotal: '1', tokenBalance: '9' });
      const estimate = await service.estimateRedeem({}, CLI);
      expect(estimate).toMatchObject({ pairs: 1, unredeemedTotal: '1', gas: '85000' });
      expect(Number(estimate.costNative)).toBeGreaterThan(0);
      expect(await service.redeem({}, CLI)).toMatchObject({ totalTokens: '1' });
      expect(await service.status({}, CLI)).toMatchObject({ unredeemedTotal: '0', tokenBalance: '10' });
    } finally {
      await settings.dispose();
    }
  });

  it('the app wallet service reports no chain, and asks none, without chain settings', async () => {
    const empty = await tempDir();
    try {
      const { createWalletService } = await import('../../../src/core/chain/wallet-service');
      const { DEFAULT_SETTINGS } = await import('../../../src/shared/settings');
      const secrets = { get: vi.fn(), set: vi.fn(), delete: vi.fn() };
      const service = createWalletService({
        dataDir: empty.path,
        settings: { get: () => DEFAULT_SETTINGS },
        secrets: secrets as never,
      });
      expect(await service.status({}, CLI)).toBeNull();
      await expect(service.redeem({}, CLI)).rejects.toThrow(/No chain is configured/);
      expect(secrets.get).not.toHaveBeenCalled();
    } finally {
      await empty.cleanup();
    }
  });
});
