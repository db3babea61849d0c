import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hexToBytes } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger, ledgerFile } from '../../src/core/network/ledger';
import { WALLET_SECRET } from '../../src/core/network/receipts';
import { createSecretStore } from '../../src/core/secrets';
import { tempDir } from '../helpers/temp-dir';
import { startUiSession, type UiSession } from '../helpers/ui-session';
import { ledgerParties } from '../integration/rewards/ledger-fixtures';

/** The Earnings view of a data folder whose ledger was edited while Hearth was closed. */
describe('a damaged ledger on the Contribute page', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let ui: UiSession;
  let damaged: string;

  beforeAll(async () => {
    home = await tempDir();
    const p = await ledgerParties();
    await createSecretStore({ dir: join(home.path, 'secrets') }).set(WALLET_SECRET, Buffer.from(hexToBytes(p.nodeKey)));
    const file = ledgerFile(home.path);
    await mkdir(join(home.path, 'network'), { recursive: true });
    const { ledger } = await Ledger.open(file, { signer: p.node });
    await ledger.appendReceipt('earned', await p.earned(1), p.binding);
    await ledger.appendReceipt('earned', await p.earned(2), p.binding);
    await ledger.dispose();
    damaged = (await readFile(file, 'utf8')).replace('"price":"1000"', '"price":"1000000000000"');
    await writeFile(file, damaged);
    ui = await startUiSession(home.path);
  });
  afterAll(async () => {
    await ui?.close();
    await home?.cleanup();
  });

  it('names the damaged line, keeps the signed balance, and starts a new ledger when the user says so', async () => {
    const page = await ui.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(ui.hearth.url);
    await page.getByRole('link', { name: 'Contribute' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The earnings ledger is damaged' });
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toMatch(/Line 2 \(job-1\): The entry does not match its hash/);
    await expect(alert.textContent()).resolves.toContain('The balance shown is the last one this computer signed.');
    // For people reviewing the view; a failed screenshot is no failure of the behaviour.
    await alert.screenshot({ path: 'test-results/screenshots/ledger-damaged.png' }).catch(() => undefined);

    await alert.getByRole('button', { name: 'Keep the damaged file aside…' }).click();
    await alert.getByRole('button', { name: 'Keep it aside and start a new ledger' }).click();
    await page.getByText('A new ledger has started.').waitFor();
    await alert.waitFor({ state: 'detached' });
    const kept = (await readdir(join(home.path, 'network'))).filter((n) => /^ledger\.jsonl\.damaged-\d+$/.test(n));
    expect(kept).toHaveLength(1);
    await expect(readFile(join(home.path, 'network', kept[0]!), 'utf8')).resolves.toBe(damaged);

    await page.getByRole('switch', { name: 'New peer id each session' }).click();
    await expect
      .poll(async () => JSON.parse(await readFile(join(home.path, 'settings.json'), 'utf8')).network.freshPeerId)
      .toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
