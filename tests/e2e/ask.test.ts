import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHearth } from '../helpers/hearth-process';
import { writeWingReport } from '../fixtures/library/wing-report';
import { indexedHome } from '../helpers/indexed-home';
import { startUiSession, type UiSession } from '../helpers/ui-session';

const STORIES = resolve('../shared/models/stories260K.gguf');
const SHOTS = 'test-results/screenshots';

async function writeFiles(folder: string): Promise<void> {
  await writeWingReport(folder);
  await writeFile(join(folder, 'kitchen.md'), '# Kitchen\n\nThe oven needs a new door seal.\nThe fridge hums.\n');
}

describe('asking your files in the UI over `hearth serve`', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let ui: UiSession;
  let cliAnswer: Awaited<ReturnType<typeof runHearth>>;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    // Index the fixture folder and choose the chat model with the engine itself, then serve it.
    home = await indexedHome({
      prefix: 'hearth-ask-e2e-',
      chatModel: STORIES,
      settings: { chat: { maxTokens: 48 } },
      writeFiles,
    });
    cliAnswer = await runHearth(['ask', 'At what angle of attack did the swept wing stall?', '--json'], home.path);
    ui = await startUiSession(home.path);
  });
  afterAll(async () => {
    await ui?.close();
    await home?.cleanup();
  });

  async function openAsk(): Promise<Page> {
    const page = await ui.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(ui.hearth.url);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByRole('link', { name: 'Chat' }).click();
    await page.getByRole('button', { name: 'Ask your files' }).click();
    await page.getByRole('region', { name: 'Ask your files' }).waitFor();
    expect(errors).toEqual([]);
    return page;
  }

  it('`hearth ask --json` prints the answer and its sources with path, page and snippet', () => {
    expect(cliAnswer.code, cliAnswer.stderr).toBe(0);
    const result = JSON.parse(cliAnswer.stdout.trim().split('\n').pop()!) as {
      answer: string;
      outcome: string;
      sources: { path: string; page: number | null; snippet: string }[];
    };
    expect(result.outcome).toBe('answered');
    expect(typeof result.answer).toBe('string');
    expect(result.sources).toContainEqual(
      expect.objectContaining({
        chunkId: expect.any(String),
        path: expect.stringMatching(/wing-report\.pdf$/),
        page: 2,
        snippet: expect.stringMatching(/fourteen degrees/),
      }),
    );
  });

  it('streams an answer and shows a source with file, page and highlighted snippet', async () => {
    const page = await openAsk();
    const ask = page.getByRole('region', { name: 'Ask your files' });
    await ask.getByRole('group', { name: 'Scope' }).getByRole('button', { name: 'research' }).waitFor();
    await ask.getByLabel('Question').fill('At what angle of attack did the swept wing stall?');
    await ask.getByRole('button', { name: 'Ask', exact: true }).click();
    const answer = ask.getByTestId('ask-answer');
    await answer.waitFor();
    // The answer streams in token by token; the stories model writes nonsense, but it writes.
    await expect.poll(() => answer.textContent(), { timeout: 60_000 }).toMatch(/\S/);
    const source = ask.getByTestId('ask-source').filter({ hasText: 'wing-report.pdf' }).first();
    await source.waitFor();
    await expect(source.textContent()).resolves.toMatch(/page 2/);
    await source.getByRole('button').first().click();
    const snippet = source.locator('blockquote');
    await expect(snippet.textContent()).resolves.toMatch(/fourteen degrees/);
    await expect(snippet.locator('mark').allTextContents()).resolves.toEqual(expect.arrayContaining(['swept', 'wing']));
    await page.screenshot({ path: `${SHOTS}/ask-answer.png`, fullPage: true });
    // The browser door cannot open local files; it says so and keeps the snippet in view.
    await source.getByRole('button', { name: 'Open file' }).click();
    await expect(ask.getByRole('status').textContent()).resolves.toMatch(/only in the Hearth app/);
    await ask.getByRole('button', { name: 'Why these sources?' }).click();
    await expect(ask.getByRole('region', { name: 'Why these sources' }).textContent()).resolves.toMatch(
      /wing-report\.pdf/,
    );
    await page.close();
  });

  it('says honestly when nothing in the files is relevant', async () => {
    const page = await openAsk();
    const ask = page.getByRole('region', { name: 'Ask your files' });
    await ask.getByLabel('Question').fill('Who won the football championship in 1998?');
    await ask.getByRole('button', { name: 'Ask', exact: true }).click();
    await expect(ask.getByTestId('ask-not-found').textContent()).resolves.toMatch(/could not find anything/);
    await page.close();
  });
});
