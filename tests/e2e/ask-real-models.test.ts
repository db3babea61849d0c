import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/core';
import { makePdf } from '../fixtures/library/generate';
import { EVAL_MODELS_HINT, evalModels } from '../helpers/eval-models';
import { tempDir } from '../helpers/temp-dir';
import { startUiSession, type UiSession } from '../helpers/ui-session';

/**
 * The ask flow with real models, end to end: SmolLM2-135M-Instruct answers and all-MiniLM-L6-v2
 * embeds, behind `hearth serve`, driven in Chromium. The toy-model e2e (ask.test.ts) proves the
 * plumbing; this one proves a real small model, given the retrieved passage, writes the fact and
 * the UI points at the file and page that hold it. Then Gemma 3 270M, a base model too weak to be
 * trusted alone, is chosen on the Models page: what the user reads (its answer, or the quote Ask
 * shows beside it) holds the fact.
 */

const SHOTS = 'test-results/screenshots';
const QUESTION = 'What is the maximum load of the bridge?';
const FACT = /42 tonnes/i;

const chat = evalModels.chat;
const embedding = evalModels.embedding;
/** Gemma 3 270M, a base model: imported beside SmolLM2 when cached, for the second test. */
const gemma = evalModels.gemma;
const missing = !chat || !embedding;
if (missing) console.log(`ask-real-models e2e skipped: the evaluation models are not cached. ${EVAL_MODELS_HINT}`);

async function writeDocuments(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(
    join(folder, 'bridge-inspection.pdf'),
    await makePdf([
      'Harlow bridge inspection report\nThis report covers the yearly inspection of the Harlow bridge over the river Stort.\nThe inspection team visited the site in March.',
      'Load rating\nThe maximum load of the Harlow bridge is 42 tonnes.\nVehicles heavier than that must use the ring road.',
      'Maintenance\nThe expansion joints need cleaning.\nThe railings were repainted green last autumn.',
    ]),
  );
  await writeFile(
    join(folder, 'garden.md'),
    '# Garden notes\n\nThe apple tree was planted in 2019.\nTomatoes need watering every evening in July.\n',
  );
}

describe.skipIf(missing)('asking real files with real models in the UI over `hearth serve`', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let ui: UiSession;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    home = await tempDir('hearth-ask-real-e2e-');
    const docs = join(home.path, 'docs');
    await writeDocuments(docs);
    const engine = await createEngine({ dataDir: home.path });
    try {
      const cli = { door: 'cli' as const };
      const chatModel = (await engine.dispatch('models.import', { path: chat!, role: 'chat' }, cli)) as {
        file: string;
      };
      if (gemma) await engine.dispatch('models.import', { path: gemma, role: 'chat' }, cli);
      const embedModel = (await engine.dispatch('models.import', { path: embedding!, role: 'embedding' }, cli)) as {
        file: string;
      };
      await engine.dispatch(
        'settings.update',
        { models: { chatModel: chatModel.file, embeddingModel: embedModel.file, threads: 1 }, chat: { maxTokens: 64 } },
        cli,
      );
      engine.library.configure({ watch: false });
      await engine.dispatch('library.addSource', { collection: 'work', path: docs }, cli);
      await (await engine.library.get()).whenIdle();
    } finally {
      await engine.dispose();
    }
    ui = await startUiSession(home.path);
  }, 90_000);

  afterAll(async () => {
    await ui?.close();
    await home?.cleanup();
  });

  it('answers with the fact from page 2 of the PDF and cites that file and page', async () => {
    const page = await ui.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(ui.hearth.url);
    await page.getByRole('link', { name: 'Chat' }).click();
    await page.getByRole('button', { name: 'Ask your files' }).click();
    const ask = page.getByRole('region', { name: 'Ask your files' });
    await ask.getByLabel('Question', { exact: true }).fill(QUESTION);
    await ask.getByRole('button', { name: 'Ask', exact: true }).click();

    const answer = ask.getByTestId('ask-answer');
    await answer.waitFor({ timeout: 60_000 });
    await expect.poll(() => answer.textContent(), { timeout: 60_000, interval: 500 }).toMatch(FACT);
    // Wait for the answer to finish (the Stop button goes away) before reading its citations.
    await expect.poll(() => ask.getByRole('button', { name: 'Stop' }).count(), { timeout: 60_000 }).toBe(0);

    // Only page 2 passes the relevance gate, so every source shown is that passage of that file.
    const sources = ask.getByTestId('ask-source');
    await sources.first().waitFor();
    const shown = await sources.allTextContents();
    expect(shown.length).toBeGreaterThan(0);
    for (const text of shown) expect(text).toMatch(/bridge-inspection\.pdf.*page 2/s);

    // Any citation chip the model wrote names that file and page; clicking it (or, when the
    // model wrote none, the source's "Show in file") opens that page in the viewer, and the
    // selected source shows the exact passage with the fact. "Open file" hands the whole file to the system viewer in the app (not at the
    // page); the browser door cannot open local files and says so, keeping the passage in view.
    // Now and then SmolLM2 copies its source list: the app then hides that text and shows the quote,
    // which must hold the fact.
    const echoed = (await ask.getByTestId('ask-echoed').count()) > 0;
    if (echoed) await expect(ask.getByTestId('ask-quote').textContent()).resolves.toMatch(FACT);
    const chips = answer.getByRole('button', { name: /^Source \d+:/ });
    const chipLabels = echoed
      ? []
      : await chips.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''));
    const said = echoed ? '(copied its sources; the quote holds the fact)' : (await answer.textContent())?.trim();
    console.log(`REAL-MODEL ANSWER: ${said}\nCITATIONS: ${chipLabels.join(' | ')}`);
    for (const label of chipLabels) expect(label).toMatch(/bridge-inspection\.pdf, page 2\b/);
    if (chipLabels.length > 0) await chips.first().click();
    else {
      await sources.first().getByRole('button').first().click();
      await ask.locator('[data-testid="ask-source"].selected').getByRole('button', { name: 'Show in file' }).click();
    }
    // The citation opens the PDF in the viewer at page 2, the cited passage highlighted.
    const viewer = page.getByRole('dialog', { name: 'bridge-inspection.pdf in context' });
    await expect.poll(() => viewer.locator('.box.passage').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect(viewer.getByTestId('pdf-page').getAttribute('data-page')).resolves.toBe('2');
    await page.screenshot({ path: `${SHOTS}/ask-real-models-viewer.png` });
    await page.keyboard.press('Escape');
    await expect.poll(() => viewer.isVisible()).toBe(false);
    const selected = ask.locator('[data-testid="ask-source"].selected');
    await expect(selected.textContent()).resolves.toMatch(/bridge-inspection\.pdf.*page 2/s);
    await expect(selected.locator('blockquote').textContent()).resolves.toMatch(FACT);
    await page.screenshot({ path: `${SHOTS}/ask-real-models.png`, fullPage: true });
    await selected.getByRole('button', { name: 'Open file' }).click();
    await expect(ask.getByRole('status').textContent()).resolves.toMatch(/only in the Hearth app/);
    expect(errors).toEqual([]);
    await page.close();
  }, 150_000);

  it.skipIf(!gemma)(
    'with a base model chosen on the Models page, the answer or the quote beside it holds the fact',
    async () => {
      const page = await ui.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(ui.hearth.url);
      await page.getByRole('link', { name: 'Models' }).click();
      await page.getByRole('button', { name: /^Use gemma-3-270m.* for chat$/ }).click();
      await expect
        .poll(
          () =>
            page
              .getByText(/gemma-3-270m/)
              .first()
              .isVisible(),
          { timeout: 10_000 },
        )
        .toBe(true);
      await page.getByRole('link', { name: 'Chat' }).click();
      await page.getByRole('button', { name: 'Ask your files' }).click();
      const ask = page.getByRole('region', { name: 'Ask your files' });
      await ask.getByLabel('Question', { exact: true }).fill(QUESTION);
      await ask.getByRole('button', { name: 'Ask', exact: true }).click();
      await expect.poll(() => ask.getByTestId('ask-source').count(), { timeout: 60_000 }).toBeGreaterThan(0);
      await expect.poll(() => ask.getByRole('button', { name: 'Stop' }).count(), { timeout: 120_000 }).toBe(0);

      const said = ask.getByTestId('ask-answer');
      const answer = (await said.count()) > 0 ? ((await said.last().textContent()) ?? '') : '';
      const quote = ask.getByTestId('ask-quote');
      const quoted = (await quote.count()) > 0 ? ((await quote.last().textContent()) ?? '') : '';
      const echoed = await ask.getByTestId('ask-echoed').count();
      console.log(`GEMMA ANSWER: ${answer.trim() || '(copied its sources)'}\nQUOTE: ${quoted.trim()}`);
      expect(`${answer} ${quoted}`).toMatch(FACT);
      if (echoed > 0 || !FACT.test(answer)) {
        // The quote names its file and page, and its button opens that passage.
        expect(quoted).toMatch(/Quoted from\s*bridge-inspection\.pdf, page 2/);
        await quote.last().getByRole('button').click();
        await expect(ask.locator('[data-testid="ask-source"].selected').textContent()).resolves.toMatch(
          /bridge-inspection\.pdf.*page 2/s,
        );
      }
      for (const [width, height] of [
        [1280, 800],
        [760, 520],
      ] as const) {
        await page.setViewportSize({ width, height });
        await page.screenshot({ path: `${SHOTS}/ask-base-model-${width}x${height}.png`, fullPage: true });
      }
      expect(errors).toEqual([]);
      await page.close();
    },
    240_000,
  );
});
