import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDocx } from '../fixtures/library/generate';
import { writeWingReport } from '../fixtures/library/wing-report';
import { indexedHome } from '../helpers/indexed-home';
import { tabTo } from '../helpers/keyboard';
import { startUiSession, type UiSession } from '../helpers/ui-session';

const SHOTS = 'test-results/screenshots';
const SIZES = [
  { width: 1280, height: 800 },
  { width: 760, height: 520 },
];
const PARAGRAPHS = [
  'The lighthouse keeper polished the brass lantern every evening before sunset, trimmed the wick, wound the clockwork that turned the lens, and logged each passing ship in a leather book.',
  'Orchard growers in the valley graft apricot branches onto plum rootstock, because plum roots tolerate the heavy clay soil that drowns apricot roots after the long spring rains.',
  'The choir rehearses madrigals on Thursday nights in the old granary, where the oak beams give the sopranos a warm echo and the conductor keeps time with a walking stick.',
  'A blacksmith quenches the glowing horseshoe in brine rather than plain water, which hardens the iron faster, darkens its surface and makes the shoe last through a wet winter.',
  'The miller grinds barley on windy days only, and on calm days he mends the canvas sails of the mill with a sailmaker needle and tarred thread.',
];

describe('Library search opens the passage in its file (`hearth serve`, Chromium)', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let ui: UiSession;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    home = await indexedHome({
      prefix: 'hearth-viewer-e2e-',
      settings: { library: { chunkTokens: 64, chunkOverlap: 16 } },
      writeFiles: async (docs) => {
        await writeWingReport(docs, ['Appendix\nThe balance was calibrated before each run.']);
        await writeFile(join(docs, 'village.docx'), makeDocx([{ heading: 'Village life', paragraphs: PARAGRAPHS }]));
        await writeFile(
          join(docs, 'wing-notes.md'),
          '# Notes\n\nThe swept wing needs vortex generators near the tip.\n',
        );
      },
    });
    ui = await startUiSession(home.path);
  }, 120_000);
  afterAll(async () => {
    await ui?.close();
    await home?.cleanup();
  });

  async function search(size: { width: number; height: number }, query: string): Promise<Page> {
    const page = await ui.context.newPage();
    await page.setViewportSize(size);
    await page.goto(ui.hearth.url);
    await page.getByRole('link', { name: 'Library' }).click();
    await page.getByRole('searchbox', { name: 'Search your library' }).fill(query);
    await page.getByRole('searchbox', { name: 'Search your library' }).press('Enter');
    await page.getByTestId('search-results').waitFor();
    return page;
  }

  /** Whether the element's top edge shows inside the window and inside every scrolling box around it. */
  function inView(locator: Locator): Promise<boolean> {
    return locator.evaluate((element) => {
      const top = element.getBoundingClientRect().top;
      for (let box = element.parentElement; box; box = box.parentElement) {
        const rect = box.getBoundingClientRect();
        if (box.scrollHeight > box.clientHeight && (top < rect.top || top > rect.bottom)) return false;
      }
      return top >= 0 && top <= element.ownerDocument.documentElement.clientHeight;
    });
  }

  for (const size of SIZES) {
    it(`groups hits by file and shows a PDF hit on its page, highlighted, at ${size.width}×${size.height}`, async () => {
      const page = await search(size, 'swept wing stalled');
      const files = page.getByTestId('search-results').locator(':scope > li');
      // Two files hold the words; each is listed once with its passages under it.
      await expect(files.count()).resolves.toBe(2);
      await expect(files.first().locator('strong').textContent()).resolves.toBe('wing-report.pdf');
      await page.getByTestId('search-results').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SHOTS}/library-search-${size.width}x${size.height}.png` });
      await files
        .first()
        .getByRole('button', { name: /wing-report\.pdf, page 2/ })
        .click();
      const viewer = page.getByRole('dialog', { name: 'wing-report.pdf in context' });
      await viewer.waitFor();
      const sheet = viewer.getByTestId('pdf-page');
      await expect.poll(() => sheet.locator('.box.passage').count(), { timeout: 30_000 }).toBeGreaterThan(0);
      await expect(sheet.getAttribute('data-page')).resolves.toBe('2');
      await expect(sheet.locator('.box.term').count()).resolves.toBeGreaterThanOrEqual(2);
      await expect(viewer.getByText('Page 2 of 3').isVisible()).resolves.toBe(true);
      // The highlighted passage is in view inside the viewer.
      await expect.poll(() => inView(sheet.locator('.box.passage').first())).toBe(true);
      await page.screenshot({ path: `${SHOTS}/library-viewer-pdf-${size.width}x${size.height}.png` });
      await page.keyboard.press('Escape');
      await expect(viewer.isVisible()).resolves.toBe(false);
      await page.close();
    });

    it(`shows a DOCX hit among its neighbouring passages at ${size.width}×${size.height}`, async () => {
      const page = await search(size, 'blacksmith horseshoe');
      await page
        .getByRole('button', { name: /village\.docx/ })
        .first()
        .click();
      const viewer = page.getByRole('dialog', { name: 'village.docx in context' });
      const text = viewer.getByTestId('text-context');
      await text.waitFor();
      await expect.poll(() => inView(text.locator('mark.passage').first())).toBe(true);
      const passage = (await text.locator('mark.passage').allTextContents()).join('');
      expect(passage).toMatch(/blacksmith quenches/);
      await expect(text.textContent()).resolves.toMatch(/madrigals/);
      await expect(text.locator('mark.term').allTextContents()).resolves.toEqual(
        expect.arrayContaining(['blacksmith', 'horseshoe']),
      );
      await page.screenshot({ path: `${SHOTS}/library-viewer-docx-${size.width}x${size.height}.png` });
      await viewer.getByRole('button', { name: 'Close the document' }).click();
      await page.close();
    });
  }

  it('searches and reads a hit in its file by keyboard alone, at 900×700', async () => {
    const page = await ui.context.newPage();
    await page.setViewportSize({ width: 900, height: 700 });
    await page.goto(ui.hearth.url);
    await tabTo(page, page.getByRole('link', { name: 'Library' }));
    await page.keyboard.press('Enter');
    const box = page.getByRole('searchbox', { name: 'Search your library' });
    await tabTo(page, box);
    await page.keyboard.type('blacksmith horseshoe');
    await page.keyboard.press('Enter');
    await page.getByTestId('search-results').waitFor();
    await tabTo(page, page.getByRole('button', { name: /village\.docx/ }).first());
    await page.keyboard.press('Enter');
    const viewer = page.getByRole('dialog', { name: 'village.docx in context' });
    await viewer.getByTestId('text-context').locator('mark.passage').first().waitFor();
    await page.screenshot({ path: `${SHOTS}/library-viewer-keyboard-900x700.png` });
    await page.keyboard.press('Escape');
    await expect.poll(() => viewer.isVisible()).toBe(false);
    await page.close();
  });

  /** Drops one file named `name` on the window, as the system would after a drag from a file manager. */
  const drop = (page: Page, name: string) =>
    page.evaluate(`(() => {
      const data = new DataTransfer();
      data.items.add(new File(['x'], ${JSON.stringify(name)}));
      for (const type of ['dragenter', 'dragover', 'drop'])
        window.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    })()`);

  it('says in the browser that dropping a folder needs the desktop app, and where to type the path', async () => {
    const page = await ui.context.newPage();
    await page.setViewportSize({ width: 760, height: 520 });
    await page.goto(ui.hearth.url);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await drop(page, 'notes');
    const message = page.getByTestId('drop-message');
    await expect(message.textContent()).resolves.toMatch(/needs the Hearth desktop app.*Folder or file path/s);
    await page.screenshot({ path: `${SHOTS}/drop-browser-760x520.png` });
    await page.close();
  });

  it('adds a dropped folder when the desktop preload tells its path', async () => {
    const extra = join(home.path, 'dropped');
    await mkdir(extra, { recursive: true });
    await writeFile(join(extra, 'harbour.md'), '# Harbour\n\nThe ferry leaves at noon when the tide allows.\n');
    const page = await ui.context.newPage();
    // Stands in for the desktop preload's bridge (Electron's webUtils.getPathForFile), which a browser lacks.
    await page.addInitScript(`window.hearthFiles = { pathFor: () => ${JSON.stringify(extra)} }`);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(ui.hearth.url);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await drop(page, 'dropped');
    await expect(page.getByTestId('drop-message').textContent()).resolves.toMatch(/Added dropped to “My files”/);
    await page.getByRole('heading', { level: 1, name: 'Library' }).waitFor();
    await page.getByRole('heading', { name: 'My files' }).waitFor();
    await page.close();
  });
});
