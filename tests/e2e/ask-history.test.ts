import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWingReport } from '../fixtures/library/wing-report';
import { indexedHome } from '../helpers/indexed-home';
import { rpcCall } from '../helpers/rpc-call';
import { startUiSession, type UiSession } from '../helpers/ui-session';

const STORIES = resolve('../shared/models/stories260K.gguf');
const SHOTS = 'test-results/screenshots';

describe('Ask as a place to work (`hearth serve`, Chromium)', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let ui: UiSession;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    home = await indexedHome({
      prefix: 'hearth-ask-history-e2e-',
      chatModel: STORIES,
      settings: { chat: { maxTokens: 32 } },
      writeFiles: async (docs) => {
        await writeWingReport(docs);
        await writeFile(join(docs, 'kitchen.md'), '# Kitchen\n\nThe oven needs a new door seal.\nThe fridge hums.\n');
      },
    });
    ui = await startUiSession(home.path);
  }, 120_000);
  afterAll(async () => {
    await ui?.close();
    await home?.cleanup();
  });

  async function openPage(size: { width: number; height: number }): Promise<Page> {
    const page = await ui.context.newPage();
    await page.setViewportSize(size);
    await page.goto(ui.hearth.url);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    return page;
  }

  /** Presses Tab until the focused element matches, as a keyboard user would (at most 60 times). */
  async function tabTo(page: Page, describe: string, matches: string): Promise<void> {
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(`((el) => ${matches})(document.activeElement)`)) return;
    }
    throw new Error(`Tab never reached ${describe}`);
  }

  it('asks with the keyboard alone: Shift+Enter breaks the line, Enter asks, the viewer opens and closes', async () => {
    const page = await openPage({ width: 1280, height: 800 });
    await tabTo(page, 'the Chat link', `el.textContent?.trim() === 'Chat'`);
    await page.keyboard.press('Enter');
    await tabTo(page, 'Ask your files', `el.textContent?.trim() === 'Ask your files'`);
    await page.keyboard.press('Enter');
    await tabTo(page, 'the question box', `el.getAttribute('aria-label') === 'Question'`);
    await page.keyboard.type('At what angle of attack');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('did the swept wing stall?');
    await expect(page.getByLabel('Question', { exact: true }).inputValue()).resolves.toBe(
      'At what angle of attack\ndid the swept wing stall?',
    );
    await page.keyboard.press('Enter');
    const ask = page.getByRole('region', { name: 'Ask your files' });
    await expect.poll(() => page.getByLabel('Question', { exact: true }).inputValue()).toBe('');
    // The toy model writes stories, not the fact: the file's own sentence is quoted beside its answer.
    await expect.poll(() => ask.getByTestId('ask-quote').count(), { timeout: 60_000 }).toBe(1);
    await expect(ask.getByTestId('ask-quote').textContent()).resolves.toMatch(
      /wing-report\.pdf, page 2[\s\S]*swept wing stalled at fourteen degrees/,
    );
    // To the source, then "Show in file", by keyboard.
    await tabTo(page, 'source 1', `el.closest('[data-testid="ask-source"]') !== null`);
    await page.keyboard.press('Enter');
    await tabTo(page, 'Show in file', `el.textContent?.trim() === 'Show in file'`);
    await page.keyboard.press('Enter');
    const viewer = page.getByRole('dialog', { name: /in context$/ });
    await viewer.waitFor();
    await expect(page.evaluate('document.activeElement?.closest("dialog") !== null')).resolves.toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => viewer.isVisible()).toBe(false);
    await page.close();
  });

  for (const size of [
    { width: 1280, height: 800 },
    { width: 760, height: 520 },
  ]) {
    it(`reopens an earlier ask with its sources${size.width === 1280 ? ' after a restart' : ''}, at ${size.width}×${size.height}`, async () => {
      // Its own earlier ask, made by another client of the same engine, so no other test must run first.
      const question = `At what angle of attack did the swept wing stall in run ${size.width}`;
      const { answerId } = (await rpcCall(ui.hearth, 'ask.ask', { question })) as { answerId: string };
      await rpcCall(ui.hearth, 'ask.result', { answerId });
      if (size.width === 1280) await ui.restart();
      const page = await openPage(size);
      await page.getByRole('link', { name: 'Chat' }).click();
      await page.getByRole('button', { name: 'Ask your files' }).click();
      const ask = page.getByRole('region', { name: 'Ask your files' });
      await ask.getByRole('button', { name: /Earlier questions \([1-9]/ }).click();
      const history = ask.getByRole('navigation', { name: 'Earlier questions' });
      await history.waitFor();
      await page.screenshot({ path: `${SHOTS}/ask-history-list-${size.width}x${size.height}.png` });
      await history.getByRole('button', { name: new RegExp(`^${question}`) }).click();
      await expect(ask.getByRole('article').first().textContent()).resolves.toContain(question);
      const source = ask.getByTestId('ask-source').filter({ hasText: 'wing-report.pdf' }).first();
      await expect(source.textContent()).resolves.toMatch(/page 2/);
      await expect(ask.getByTestId('ask-quote').textContent()).resolves.toMatch(/fourteen degrees/);
      await page.screenshot({ path: `${SHOTS}/ask-history-${size.width}x${size.height}.png` });

      // "Why these sources?" fits the panel: nothing sticks out to the right or needs a sideways scroll.
      await ask.getByRole('button', { name: 'Why these sources?' }).click();
      const why = ask.getByRole('region', { name: 'Why these sources' });
      await why.scrollIntoViewIfNeeded();
      const fit = await why.evaluate((el) => ({
        right: el.getBoundingClientRect().right,
        overflow: el.scrollWidth - el.clientWidth,
        window: el.ownerDocument.documentElement.clientWidth,
      }));
      expect(fit.overflow).toBeLessThanOrEqual(1);
      expect(fit.right).toBeLessThanOrEqual(fit.window);
      await page.screenshot({ path: `${SHOTS}/ask-why-${size.width}x${size.height}.png` });

      // The source opens in its file at the cited page; "Open file" (the system viewer) is the desktop app's alone.
      await ask.getByRole('button', { name: 'Hide scores' }).click();
      await source.getByRole('button').first().click();
      await source.getByRole('button', { name: 'Show in file' }).click();
      const viewer = page.getByRole('dialog', { name: 'wing-report.pdf in context' });
      await expect.poll(() => viewer.locator('.box.passage').count(), { timeout: 30_000 }).toBeGreaterThan(0);
      await expect(viewer.getByTestId('pdf-page').getAttribute('data-page')).resolves.toBe('2');
      await expect(viewer.getByRole('button', { name: 'Open file' }).count()).resolves.toBe(0);
      await page.screenshot({ path: `${SHOTS}/ask-viewer-${size.width}x${size.height}.png` });
      await page.close();
    });
  }
});
