import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpcCall } from '../helpers/rpc-call';
import { tempDir } from '../helpers/temp-dir';
import { startUiSession, type UiSession } from '../helpers/ui-session';

const STORIES = resolve('../shared/models/stories260K.gguf');
const TINY = resolve('../shared/models/llama-2-tiny-random.gguf');
const SHOTS = 'test-results/screenshots';

async function online(): Promise<boolean> {
  try {
    await fetch('https://huggingface.co', { method: 'HEAD', signal: AbortSignal.timeout(4000) });
    return true;
  } catch {
    return false;
  }
}

describe('the Models page', () => {
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

  async function openModels(): Promise<Page> {
    const page = await ui.context.newPage();
    await page.goto(ui.hearth.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
    await page.getByRole('heading', { level: 1, name: 'Models' }).waitFor();
    return page;
  }

  it('welcomes a new user with the best fitting models, and says plainly when offline', async () => {
    const page = await openModels();
    const welcome = page.getByRole('region', { name: 'Set up Hearth' });
    await welcome.waitFor();
    await expect(welcome.textContent()).resolves.toMatch(/chat, .*embedding, /s);
    const download = welcome.getByRole('button', { name: /Download both/ });
    await expect(download.isEnabled()).resolves.toBe(true);
    // Nothing is checked online until the user asks; offline, asking says so plainly.
    await expect(welcome.getByRole('alert').count()).resolves.toBe(0);
    if (!(await online())) {
      await download.click();
      await expect(welcome.getByRole('alert').textContent()).resolves.toContain('This computer is offline');
    }
    // Every catalog entry carries a fit badge for this machine.
    const catalog = page.getByRole('list', { name: 'Catalog' });
    const entries = await catalog.getByRole('listitem').count();
    expect(entries).toBeGreaterThanOrEqual(6);
    await expect(catalog.getByText(/Fits on GPU|Fits in RAM|Too large/).count()).resolves.toBe(entries);
    await page.screenshot({ path: `${SHOTS}/models-first-run.png`, fullPage: true });
    await page.close();
  });

  it('imports a GGUF file by path, uses it, and deletes it', async () => {
    const page = await openModels();
    await page.getByLabel('GGUF file path').fill(`${STORIES}.missing`);
    await page.getByRole('button', { name: 'Import' }).click();
    // The refusal sits under the import field, which keeps the path to correct.
    await expect(page.locator('#import-error').textContent()).resolves.toContain('cannot be read');
    await expect(page.getByLabel('GGUF file path').inputValue()).resolves.toBe(`${STORIES}.missing`);

    await page.getByLabel('GGUF file path').fill(STORIES);
    await page.getByRole('button', { name: 'Import' }).click();
    const installed = page.getByRole('list', { name: 'Installed models' });
    const row = installed.getByRole('listitem').filter({ hasText: 'stories260K.gguf' });
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/Fits in RAM|Fits on GPU/);
    await expect(row.textContent()).resolves.toContain('no chat template');
    // The first chat model is used at once, without a Use click.
    await row.getByText('Active for chat').waitFor();
    // With a chat model in place the welcome goes away.
    await page.getByRole('region', { name: 'Set up Hearth' }).waitFor({ state: 'detached' });
    await page.screenshot({ path: `${SHOTS}/models-installed.png`, fullPage: true });

    await row.getByRole('button', { name: 'Delete stories260K.gguf' }).click();
    await installed.getByText('No models installed yet.').waitFor();
    await page.close();
  });

  it("shows a chat model's speed as an estimate, then as measured by its first answer", async () => {
    // One thread for the toy model; the random model writes to its limit, long enough to measure.
    await rpcCall(ui.hearth, 'settings.update', { models: { threads: 1 }, chat: { maxTokens: 64 } });
    const page = await openModels();
    await page.getByLabel('GGUF file path').fill(TINY);
    await page.getByRole('button', { name: 'Import' }).click();
    const row = page
      .getByRole('list', { name: 'Installed models' })
      .getByRole('listitem')
      .filter({ hasText: 'llama-2-tiny-random.gguf' });
    await row.getByText('Active for chat').waitFor();
    await expect(row.getByTestId('model-speed').textContent()).resolves.toMatch(
      /^about [\d.]+ tokens\/s here \(estimate until its first answer\)$/,
    );

    await page.getByRole('link', { name: 'Chat' }).click();
    await page.getByLabel('Message').fill('Tell me more');
    await page.getByRole('button', { name: 'Send' }).click();
    await page
      .getByRole('article', { name: 'Assistant' })
      .getByText(/tokens\/s/)
      .waitFor({ timeout: 60_000 });

    await page.getByRole('link', { name: 'Models' }).click();
    await expect
      .poll(() => row.getByTestId('model-speed').textContent(), { timeout: 10_000 })
      .toMatch(/^~[\d.]+ tokens\/s on this computer$/);
    await page.screenshot({ path: `${SHOTS}/models-measured-speed.png`, fullPage: true });
    await row.getByRole('button', { name: 'Delete llama-2-tiny-random.gguf' }).click();
    await row.waitFor({ state: 'detached' });
    await page.close();
  });
});
