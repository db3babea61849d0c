import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainPayments } from '../../src/core/chain/chain-payments';
import { loadOrCreateWallet } from '../../src/core/network/receipts/wallet';
import { createSecretStore } from '../../src/core/secrets';
import { startAnvil, type Anvil } from '../helpers/anvil';
import { tempDir } from '../helpers/temp-dir';
import { startUiSession, type UiSession } from '../helpers/ui-session';
import { hearthCreditAbi } from '../../src/core/chain/artifacts/hearthCredit';
import {
  deployEscrow,
  requester as payer,
  TOKEN,
  writeAs,
  type EscrowFixture,
} from '../integration/chain/escrow-fixture';

/** The Earnings view's "On chain" panel with a chain configured: figures, and redeem behind a gas confirmation. */
describe('the on-chain wallet in Earnings', () => {
  let anvil: Anvil;
  let f: EscrowFixture;
  let home: { path: string; cleanup: () => Promise<void> };
  let ui: UiSession;
  let provider: `0x${string}`;

  beforeAll(async () => {
    anvil = await startAnvil();
    f = await deployEscrow(anvil);
    home = await tempDir();
    await mkdir(home.path, { recursive: true });
    await writeFile(
      join(home.path, 'settings.json'),
      JSON.stringify({
        version: 1,
        chain: { rpcUrl: anvil.url, chainId: anvil.chainId, escrowAddress: f.escrow.address, tokenAddress: f.token },
      }),
    );
    const wallet = await loadOrCreateWallet(createSecretStore({ dir: join(home.path, 'secrets') }));
    provider = wallet.address;
    const { createTestClient, http, parseEther } = await import('viem');
    await createTestClient({ mode: 'anvil', chain: f.client.chain, transport: http(anvil.url) }).setBalance({
      address: provider,
      value: parseEther('1'),
    });
    await writeAs(f, payer, f.token, hearthCreditAbi, 'mint', [provider, 5n * TOKEN]);
    // A requester with a deposit has paid this node 1.5 tokens by cheque.
    await f.escrow.deposit(payer, 10n * TOKEN);
    const book = new ChainPayments(payer, f.client, join(home.path, 'payer'), 18).book;
    const held = new ChainPayments(wallet, f.client, home.path, 18).held;
    await held.accept(await (await book.reserve(2n * TOKEN)).pay(provider, (3n * TOKEN) / 2n), (3n * TOKEN) / 2n);
    ui = await startUiSession(home.path);
  });
  afterAll(async () => {
    await ui?.close();
    await home?.cleanup();
    await anvil?.stop();
  });

  it('shows what the chain holds and redeems after the user confirms the gas', async () => {
    const page = await ui.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(ui.hearth.url);
    await page.getByRole('link', { name: 'Contribute' }).click();
    const panel = page.getByRole('region', { name: 'On chain' });
    await panel.waitFor();
    // The panel reads the chain after it shows: wait for the figure, do not read it once.
    await expect.poll(() => panel.getByText('Unredeemed cheques').locator('..').textContent()).toContain('1.5');
    await panel.getByRole('button', { name: 'Redeem cheques…' }).click();
    const confirm = panel.getByRole('group', { name: 'Confirm redemption' });
    await confirm.waitFor();
    await expect
      .poll(async () => (await confirm.textContent())!.replace(/\s+/g, ' '))
      .toMatch(/Redeem 1\.5 tokens from 1 requester\(s\) in one transaction, for about 85000 gas/);
    expect(await f.tokenBalance(provider)).toBe(5n * TOKEN);
    await confirm.getByRole('button', { name: 'Redeem' }).click();
    await panel.getByText('Redeemed 1.5 tokens').waitFor();
    expect(await f.tokenBalance(provider)).toBe(5n * TOKEN + (3n * TOKEN) / 2n);
    await expect.poll(() => panel.getByText('Token balance').locator('..').textContent()).toContain('6.5');

    // Deposit 2 tokens: the confirmation names the gas first.
    await panel.getByLabel('Amount (tokens)').fill('2');
    await panel.getByRole('button', { name: 'Deposit…' }).click();
    const transaction = panel.getByRole('group', { name: 'Confirm transaction' });
    await expect
      .poll(async () => (await transaction.textContent())!.replace(/\s+/g, ' '))
      .toMatch(/Deposit 2 tokens, for about \d+ gas/);
    await transaction.getByRole('button', { name: 'Confirm' }).click();
    await panel.getByText(/Deposited 2 tokens \(gas used \d+\)/).waitFor();
    expect(await f.escrow.depositOf(provider)).toBe(2n * TOKEN);
    // Request a withdrawal; taking it before the delay is refused with the contract's reason.
    await panel.getByLabel('Amount (tokens)').fill('0.5');
    await panel.getByRole('button', { name: 'Request withdrawal…' }).click();
    await transaction.getByRole('button', { name: 'Confirm' }).click();
    await panel.getByText(/Withdrawal requested for 0.5 tokens/).waitFor();
    await expect
      .poll(() => panel.getByText('Withdrawal', { exact: true }).locator('..').textContent())
      .toContain('0.5 from');
    await panel.getByRole('button', { name: 'Withdraw…' }).click();
    await panel
      .getByRole('alert')
      .getByText(/The chain refused: .*WithdrawalNotReady/)
      .waitFor();
    expect(errors).toEqual([]);
  });
});
