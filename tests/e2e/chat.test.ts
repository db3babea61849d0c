import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/core';
import type { SettingsPatch } from '../../src/shared/settings';
import { HEARTH_BIN, runHearth } from '../helpers/hearth-process';
import { tempDir } from '../helpers/temp-dir';
import { tabTo } from '../helpers/keyboard';
import { startUiSession, type UiSession } from '../helpers/ui-session';

const STORIES = resolve('../shared/models/stories260K.gguf');
const TINY = resolve('../shared/models/llama-2-tiny-random.gguf');
const SHOTS = 'test-results/screenshots';

/** Imports models and changes settings in-process, as the app would, while no host runs. */
async function prepare(home: string, models: string[], patch: SettingsPatch): Promise<void> {
  const engine = await createEngine({ dataDir: home });
  for (const model of models) await engine.ai.models.import(model, 'chat');
  await engine.settings.update(patch);
  await engine.dispose();
}

async function readConversations(home: string) {
  const dir = join(home, 'chats');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  return Promise.all(
    files.map(
      async (f) =>
        JSON.parse(await readFile(join(dir, f), 'utf8')) as { id: string; messages: { role: string; text: string }[] },
    ),
  );
}

describe('chat from the command line', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    home = await tempDir();
    expect((await runHearth(['models', 'import', STORIES], home.path)).code).toBe(0);
    await prepare(home.path, [TINY], {
      models: { threads: 1, chatModel: 'stories260K.gguf' },
      chat: { maxTokens: 40 },
    });
  });
  afterAll(async () => home?.cleanup());

  it('streams an answer to stdout and keeps every finished message when killed with -9 mid-answer', async () => {
    const first = await runHearth(['chat', 'Tell me a story'], home.path);
    expect(first.code).toBe(0);
    expect(first.stdout.trim().length).toBeGreaterThan(0);
    const conversationId = /\[conversation ([0-9a-f-]+)\]/.exec(first.stderr)![1]!;
    const [before] = await readConversations(home.path);
    expect(before!.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(first.stdout.trim()).toBe(before!.messages[1]!.text.trim());

    // The random model writes until its token limit: plenty of time to kill it mid-answer.
    const child = spawn(
      process.execPath,
      [
        HEARTH_BIN,
        'chat',
        'Keep going',
        '--conversation',
        conversationId,
        '--model',
        'llama-2-tiny-random.gguf',
        '--max-tokens',
        '30000',
      ],
      { env: { ...process.env, HEARTH_HOME: home.path } },
    );
    let streamed = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        streamed += d.toString();
        if (streamed.length > 200) resolve();
      });
      child.on('exit', (code) => reject(new Error(`hearth chat exited (${code}) before it was killed`)));
    });
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    const [after] = await readConversations(home.path);
    expect(after!.messages.slice(0, 2)).toEqual(before!.messages);
    expect(after!.messages.slice(2).map((m) => [m.role, m.text])).toEqual([['user', 'Keep going']]);
  });
});

describe('the Chat page', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let ui: UiSession;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    home = await tempDir();
    await prepare(home.path, [STORIES, TINY], {
      models: { threads: 1, chatModel: 'stories260K.gguf' },
      chat: { maxTokens: 48 },
    });
    // A saved conversation whose answer tries to run script: Markdown must render, the script must not.
    await mkdir(join(home.path, 'chats'), { recursive: true });
    const now = Date.now();
    await writeFile(
      join(home.path, 'chats', 'hostile.json'),
      JSON.stringify({
        id: 'hostile',
        title: 'Hostile answer',
        createdAt: now,
        updatedAt: now - 60_000,
        messages: [
          { id: 'u1', role: 'user', text: 'Show me markdown', createdAt: now },
          {
            id: 'a1',
            role: 'assistant',
            text: '**bold** and `code`\n\n<img src="x" onerror="window.__pwned = true"><script>window.__pwned = true</script>',
            createdAt: now,
          },
        ],
      }),
    );
    ui = await startUiSession(home.path);
  });
  afterAll(async () => {
    await ui?.close();
    await home?.cleanup();
  });

  async function openChat(): Promise<Page> {
    const page = await ui.context.newPage();
    await page.goto(ui.hearth.url);
    await page.getByRole('link', { name: 'Chat' }).click();
    await page.getByRole('heading', { level: 1, name: 'Chat' }).waitFor();
    return page;
  }

  it('renders Markdown and strips script from answers', async () => {
    const page = await openChat();
    await page.getByRole('button', { name: 'Hostile answer', exact: true }).click();
    const answer = page.getByRole('article', { name: 'Assistant' });
    await answer.locator('strong', { hasText: 'bold' }).waitFor();
    await expect(answer.locator('code').textContent()).resolves.toBe('code');
    await expect(answer.locator('img[onerror]').count()).resolves.toBe(0);
    await expect(answer.locator('script').count()).resolves.toBe(0);
    await expect(page.evaluate(() => (globalThis as { __pwned?: boolean }).__pwned ?? false)).resolves.toBe(false);
    await page.close();
  });

  it('streams an answer, regenerates it, stops a long one, and finds it by search', async () => {
    const page = await openChat();
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.getByLabel('Message').fill('Tell me about a little dog');
    await page.getByRole('button', { name: 'Send' }).click();
    const answers = page.getByRole('article', { name: 'Assistant' });
    await page.getByRole('button', { name: 'Regenerate' }).waitFor();
    const first = await answers.last().textContent();
    const firstAnswer = await answers.last().locator('.markdown').textContent();
    expect(first!.trim().length).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/chat-answer.png`, fullPage: true });

    const firstId = await answers.last().getAttribute('data-message-id');
    await page.getByRole('button', { name: 'Regenerate' }).click();
    // The new answer, finished, replaces the old one.
    await page
      .locator(`article[aria-label="Assistant"][data-streaming="false"]:not([data-message-id="${firstId}"])`)
      .waitFor();
    await expect.poll(() => answers.count()).toBe(1);
    await page.getByRole('button', { name: 'Regenerate' }).waitFor();
    // The replaced answer is kept: one step back shows it again.
    const versions = page.getByRole('navigation', { name: 'Versions of this answer' });
    await versions.getByText('Version 2 of 2').waitFor();
    await versions.getByRole('button', { name: 'Earlier version' }).click();
    await versions.getByText('Version 1 of 2').waitFor();
    await expect(answers.last().locator('.markdown').textContent()).resolves.toBe(firstAnswer);
    await versions.getByRole('button', { name: 'Later version' }).click();

    await page.getByLabel('Search chats').fill('little dog');
    await page
      .getByRole('navigation', { name: 'Conversations' })
      .getByText('Tell me about a little dog')
      .first()
      .waitFor();
    await page.getByLabel('Search chats').fill('');

    await page.close();
  });

  it('chats by keyboard alone at 900×700: Enter sends, the answer streams, Regenerate by Enter', async () => {
    const page = await ui.context.newPage();
    await page.setViewportSize({ width: 900, height: 700 });
    await page.goto(ui.hearth.url);
    await tabTo(page, page.getByRole('link', { name: 'Chat' }));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Chat' }).waitFor();
    await tabTo(page, page.getByLabel('Message'));
    await page.keyboard.type('A story about a keyboard');
    await page.keyboard.press('Enter');
    const finished = page.locator('article[aria-label="Assistant"][data-streaming="false"]');
    await finished.last().waitFor();
    await tabTo(page, page.getByRole('button', { name: 'Regenerate' }));
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Versions of this answer' }).getByText('Version 2 of 2').waitFor();
    await page.screenshot({ path: `${SHOTS}/chat-keyboard-900x700.png` });
    await page.close();
  });

  it('renames a conversation', async () => {
    const page = await openChat();
    await page.getByRole('button', { name: 'Hostile answer', exact: true }).click();
    await page.getByRole('button', { name: 'Rename conversation' }).click();
    await page.getByLabel('Conversation title').fill('Markdown check');
    await page.getByLabel('Conversation title').press('Enter');
    await page.getByRole('heading', { level: 2, name: 'Markdown check' }).waitFor();
    await page
      .getByRole('navigation', { name: 'Conversations' })
      .getByRole('button', { name: 'Markdown check', exact: true })
      .waitFor();
    const saved = (await readConversations(home.path)).find((c) => c.id === 'hostile') as { title?: string };
    expect(saved.title).toBe('Markdown check');
    await page.close();
  });

  it('stops a long answer at once and keeps what was written', async () => {
    // The random model writes until its token limit: set both in the UI.
    const page = await openChat();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Longest answer (tokens)').fill('30000');
    await page.getByLabel('Longest answer (tokens)').blur();
    await page.getByText('All changes saved').waitFor();
    await page.getByRole('link', { name: 'Chat' }).click();
    await page.getByLabel('Model').selectOption('llama-2-tiny-random.gguf');
    await expect.poll(() => page.getByLabel('Model').inputValue()).toBe('llama-2-tiny-random.gguf');
    await page.getByLabel('Message').fill('Go on and on');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('article[data-streaming="true"]').waitFor();
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByText('Stopped').waitFor();
    await page.screenshot({ path: `${SHOTS}/chat-stopped.png`, fullPage: true });
    await page.close();
  });
});
