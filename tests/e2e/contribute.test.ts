import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpcCall } from '../helpers/rpc-call';
import { tempDir } from '../helpers/temp-dir';
import { startUiSession, type UiSession } from '../helpers/ui-session';

describe('the Contribute page', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let ui: UiSession;

  beforeAll(async () => {
    home = await tempDir();
    ui = await startUiSession(home.path);
  });
  afterAll(async () => {
    await ui?.close();
    await home?.cleanup();
  });

  it('explains what is shared, turns contribution on and shows the live node', async () => {
    const page = await ui.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(ui.hearth.url);
    await page.getByRole('link', { name: 'Contribute' }).click();
    await page.getByRole('heading', { name: 'What this shares' }).waitFor();
    await expect(page.getByText('Never shared:').isVisible()).resolves.toBe(true);
    const state = page.getByTestId('contribution-state');
    await expect(state.textContent()).resolves.toContain('Off');

    // On, with the node stopped: one status, never "ready" beside "not running".
    await page.getByRole('switch', { name: 'Contribute' }).click();
    await page.getByTestId('contribution-state').getByText('Not sharing: the node is stopped').waitFor();
    const saved = JSON.parse(await readFile(join(home.path, 'settings.json'), 'utf8')) as {
      network: { contribute: boolean };
    };
    expect(saved.network.contribute).toBe(true);

    await page.getByLabel('Hours').fill('25-3');
    await page.getByLabel('Hours').press('Tab');
    await page.getByText('Write hours as "22-7"').waitFor();

    await page.getByLabel('Price you ask').fill('1.5');
    await page.getByLabel('Price you ask').press('Tab');
    await page.getByLabel('Most you pay').fill('3');
    await page.getByLabel('Most you pay').press('Tab');
    await page.getByLabel('Answers audited (%)').fill('25');
    await page.getByLabel('Answers audited (%)').press('Tab');
    await expect
      .poll(async () => JSON.parse(await readFile(join(home.path, 'settings.json'), 'utf8')).network)
      .toMatchObject({ pricePer1kTokens: 1.5, maxPricePer1kTokens: 3, auditShare: 0.25 });
    // This machine has no GPU: no GPU controls, and a line that says why.
    await page.getByTestId('no-gpu').waitFor();
    await expect(page.getByRole('switch', { name: 'Lend the GPU' }).count()).resolves.toBe(0);
    await page.getByLabel('Most you pay').fill('');
    await page.getByLabel('Most you pay').press('Tab');
    await expect
      .poll(
        async () => JSON.parse(await readFile(join(home.path, 'settings.json'), 'utf8')).network.maxPricePer1kTokens,
      )
      .toBeNull();

    await page.getByRole('button', { name: 'Start node' }).click();
    await page.getByTestId('node-running').getByText('Running', { exact: true }).waitFor({ timeout: 30_000 });
    await expect(page.getByText('Peers', { exact: true }).isVisible()).resolves.toBe(true);
    // Headless hosts report no idleness: a running node with nothing offered says what to do.
    await page.getByTestId('contribution-state').getByText('Running, nothing offered').waitFor();
    await page
      .screenshot({ path: 'test-results/screenshots/contribute-running.png', fullPage: true })
      .catch(() => undefined);
    await page.getByRole('button', { name: 'Stop node' }).click();
    await page.getByTestId('node-running').getByText('Not running').waitFor({ timeout: 30_000 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('warns on every page before an idle desktop starts sharing, and "Not now" waits', async () => {
    const page = await ui.context.newPage();
    await page.goto(ui.hearth.url);
    await page.getByRole('link', { name: 'Library' }).click();
    // What the desktop's powerMonitor reports once the user has been away an hour.
    await rpcCall(ui.hearth, 'network.reportPowerState', { idleSeconds: 3600, onBattery: false });
    const warning = page.getByRole('status').filter({ hasText: 'Sharing starts in' });
    await warning.waitFor();
    await page.screenshot({ path: 'test-results/screenshots/contribute-warning.png' }).catch(() => undefined);
    await warning.getByRole('button', { name: 'Not now (1 hour)' }).click();
    await warning.waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Contribute' }).click();
    await page.getByTestId('contribution-state').getByText('You said not now; waiting 60 more min.').waitFor();
    await page.close();
  });
});
