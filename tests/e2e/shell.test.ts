import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port';
import { tempDir } from '../helpers/temp-dir';
import { startUiSession, type UiSession } from '../helpers/ui-session';

const SHOTS = 'test-results/screenshots';

describe('the UI over `hearth serve`', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let ui: UiSession;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    home = await tempDir();
    ui = await startUiSession(home.path);
  });
  afterAll(async () => {
    await ui?.close();
    await home?.cleanup();
  });

  async function openApp(url = ui.hearth.url): Promise<Page> {
    const page = await ui.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(errors).toEqual([]);
    return page;
  }

  it('renders every page from the navigation', async () => {
    const page = await openApp();
    // The token leaves the address bar once it is read.
    expect(page.url()).not.toContain('token=');
    for (const [label, heading] of [
      ['Chat', 'Chat'],
      ['Library', 'Library'],
      ['Models', 'Models'],
      ['Contribute', 'Contribute'],
      ['Settings', 'Settings'],
    ] as const) {
      await page.getByRole('link', { name: label }).click();
      await expect(page.getByRole('heading', { level: 1, name: heading }).isVisible()).resolves.toBe(true);
      await page.screenshot({ path: `${SHOTS}/${label.toLowerCase()}.png`, fullPage: true });
    }
    await page.close();
  });

  it('asks once whether to check for updates, and keeps the answer', async () => {
    const page = await openApp();
    const prompt = page.getByRole('region', { name: 'Check for updates?' });
    await prompt.waitFor();
    await prompt.getByRole('button', { name: 'Not now' }).click();
    await prompt.waitFor({ state: 'detached' });
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('switch', { name: 'Check for updates' }).getAttribute('aria-checked')).resolves.toBe(
      'false',
    );
    await expect(prompt.count()).resolves.toBe(0);
    await page.close();
  });

  it('keeps a setting changed in the UI across a host restart', async () => {
    let page = await openApp();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Theme').selectOption('dark');
    await page.getByText('All changes saved').waitFor();
    await expect(page.locator('html').getAttribute('data-theme')).resolves.toBe('dark');
    await page.close();

    await ui.restart();
    page = await openApp();
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByLabel('Theme').inputValue()).resolves.toBe('dark');
    await expect(page.locator('html').getAttribute('data-theme')).resolves.toBe('dark');
    await page.screenshot({ path: `${SHOTS}/settings-dark.png`, fullPage: true });
    await page.close();
  });

  it('says what is wrong with a value in words, under its field', async () => {
    const page = await openApp();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Temperature').fill('9');
    await page.getByLabel('Temperature').blur();
    const alert = page.locator('#temperature-problem');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toBe('Temperature must be between 0 and 2.');
    await expect(page.getByLabel('Temperature').inputValue()).resolves.toBe('9');
    await page.close();
  });

  it('turns on the local API from Settings and shows its address and key', async () => {
    const page = await openApp();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Port').fill('0');
    await page.getByLabel('Port').blur();
    await page.locator('main').getByRole('alert').waitFor();
    await page.getByLabel('Port').fill(String(await freePort()));
    await page.getByLabel('Port').blur();
    await page.getByRole('switch', { name: 'OpenAI-compatible API' }).click();
    const details = page.getByRole('definition').filter({ hasText: 'Running' });
    await details.waitFor();
    const baseUrl = await page.getByRole('definition').locator('code').first().textContent();
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    await page.getByRole('button', { name: 'Show' }).click();
    const key = (await page.getByLabel('API key').textContent())!;
    const refused = await fetch(`${baseUrl}/models`);
    expect(refused.status).toBe(401);
    const listed = await fetch(`${baseUrl}/models`, { headers: { authorization: `Bearer ${key}` } });
    expect(listed.status).toBe(200);
    await page.getByRole('switch', { name: 'OpenAI-compatible API' }).click();
    await page.close();
  });

  it('refuses a browser with the wrong token and says why', async () => {
    const page = await ui.context.newPage();
    await page.goto(`${ui.hearth.origin}/#token=${'0'.repeat(64)}`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toMatch(/token is missing or wrong/);
    await page.screenshot({ path: `${SHOTS}/wrong-token.png` });
    await page.close();
  });
});
