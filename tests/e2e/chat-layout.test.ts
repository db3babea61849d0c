import { access, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/core';
import { tempDir } from '../helpers/temp-dir';
import { startUiSession, type UiSession } from '../helpers/ui-session';

const STORIES = resolve('../shared/models/stories260K.gguf');
const TINY = resolve('../shared/models/llama-2-tiny-random.gguf');
const SHOTS = 'test-results/screenshots';
const LONG_TITLE = 'A long conversation about dogs';

/** A saved conversation far taller than any window: 30 questions with long answers. */
async function seedConversation(home: string, id: string, title: string, pairs: number): Promise<void> {
  const now = Date.now();
  const paragraph = 'The little dog ran across the field and found a stick, then another, then a ball. ';
  const messages = Array.from({ length: pairs }, (_, i) => [
    { id: `${id}-u${i}`, role: 'user', text: `Question ${i + 1}: what did the dog do next?`, createdAt: now + i },
    { id: `${id}-a${i}`, role: 'assistant', text: `Answer ${i + 1}. ${paragraph.repeat(6)}`, createdAt: now + i },
  ]).flat();
  await writeFile(
    join(home, 'chats', `${id}.json`),
    JSON.stringify({ id, title, createdAt: now, updatedAt: now, messages }),
  );
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('the Chat page layout', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let ui: UiSession;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    home = await tempDir();
    const engine = await createEngine({ dataDir: home.path });
    for (const model of [STORIES, TINY]) await engine.ai.models.import(model, 'chat');
    // The random model writes until its token limit: long enough to stop it mid-answer.
    await engine.settings.update({
      models: { threads: 1, chatModel: 'llama-2-tiny-random.gguf' },
      chat: { maxTokens: 30_000 },
    });
    await engine.dispose();
    await mkdir(join(home.path, 'chats'), { recursive: true });
    await seedConversation(home.path, 'long', LONG_TITLE, 30);
    await seedConversation(home.path, 'keep', 'Keep me', 2);
    await seedConversation(home.path, 'gone', 'Delete me', 2);
    ui = await startUiSession(home.path);
    await ui.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ui.hearth.url });
  });
  afterAll(async () => {
    await ui?.close();
    await home?.cleanup();
  });

  async function openChat(width: number, height: number): Promise<Page> {
    const page = await ui.context.newPage();
    await page.setViewportSize({ width, height });
    await page.goto(ui.hearth.url);
    await page.getByRole('link', { name: 'Chat' }).click();
    await page.getByRole('heading', { level: 1, name: 'Chat' }).waitFor();
    return page;
  }
  const conversations = (page: Page) => page.getByRole('navigation', { name: 'Conversations' });

  /** Opens a conversation from the list, unfolding the list first when the window is narrow. */
  async function openConversation(page: Page, title: string): Promise<void> {
    if (!(await conversations(page).isVisible()))
      await page.getByRole('button', { name: 'Show conversations' }).click();
    await conversations(page).getByRole('button', { name: title, exact: true }).click();
    await page.getByRole('heading', { level: 2, name: title }).waitFor();
  }

  /** The scrolled heights of the document, the app's main column and the thread. */
  async function heights(page: Page) {
    const sizes = (el: { scrollHeight: number; clientHeight: number; scrollTop: number }) => ({
      scroll: el.scrollHeight,
      client: el.clientHeight,
      top: el.scrollTop,
    });
    return {
      innerHeight: page.viewportSize()!.height,
      document: await page.locator('html').evaluate((el) => el.ownerDocument.scrollingElement!.scrollHeight),
      main: await page.locator('.main').evaluate(sizes),
      thread: await page.locator('[data-following]').evaluate(sizes),
    };
  }

  async function expectInViewport(
    page: Page,
    name: string,
    box: { x: number; y: number; width: number; height: number } | null,
  ) {
    const viewport = page.viewportSize()!;
    expect(box, `${name} is on screen`).not.toBeNull();
    expect(box!.x, `${name} left edge`).toBeGreaterThanOrEqual(0);
    expect(box!.y, `${name} top edge`).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, `${name} right edge`).toBeLessThanOrEqual(viewport.width);
    expect(box!.y + box!.height, `${name} bottom edge`).toBeLessThanOrEqual(viewport.height);
  }

  for (const [width, height] of [
    [1280, 800],
    [760, 520],
    [600, 700],
  ] as const) {
    it(`keeps the composer and header on screen at ${width}×${height}; only the thread scrolls`, async () => {
      const page = await openChat(width, height);
      // The conversation list folds away below 900 px and shows beside the thread above it.
      await expect(conversations(page).isVisible()).resolves.toBe(width > 900);
      await openConversation(page, LONG_TITLE);
      await expect(conversations(page).isVisible()).resolves.toBe(width > 900);
      await page.getByText('Answer 30.').waitFor();
      // The bar at its fullest: title, model picker and Export.
      await page.getByLabel('Model').waitFor();
      await expectInViewport(page, 'the model picker', await page.getByLabel('Model').boundingBox());

      await expectInViewport(page, 'the message box', await page.getByLabel('Message').boundingBox());
      await expectInViewport(page, 'Send', await page.getByRole('button', { name: 'Send' }).boundingBox());
      await expectInViewport(page, 'Export', await page.getByRole('button', { name: 'Export Markdown' }).boundingBox());
      const h = await heights(page);
      expect(h.document).toBeLessThanOrEqual(h.innerHeight + 1);
      expect(h.main.scroll).toBeLessThanOrEqual(h.main.client + 1);
      expect(h.thread.scroll).toBeGreaterThan(h.thread.client * 2);
      // A reopened conversation shows its latest message.
      expect(h.thread.top + h.thread.client).toBeGreaterThanOrEqual(h.thread.scroll - 2);
      // The text has room: the last answer is at least 30 characters wide at 16 px.
      const answer = await page.getByRole('article', { name: 'Assistant' }).last().boundingBox();
      expect(answer!.width).toBeGreaterThan(300);
      await page.screenshot({ path: `${SHOTS}/chat-layout-${width}x${height}.png` });
      // A new user first sees the update question above the page; once answered, the thread gets its room.
      if (width === 760) {
        await page.getByRole('button', { name: 'Not now' }).click();
        await expect.poll(() => page.getByRole('button', { name: 'Not now' }).count()).toBe(0);
        await expectInViewport(page, 'the message box', await page.getByLabel('Message').boundingBox());
        expect((await heights(page)).thread.client).toBeGreaterThan(200);
        await page.screenshot({ path: `${SHOTS}/chat-layout-${width}x${height}-answered.png` });
      }

      if (width <= 900) {
        await page.getByRole('button', { name: 'Show conversations' }).click();
        await conversations(page).waitFor();
        await page.screenshot({ path: `${SHOTS}/chat-layout-${width}x${height}-list.png` });
      }
      await page.close();
    });
  }

  it('follows a streaming answer until scrolled up, jumps back, and stops on Escape', async () => {
    // A new chat: a short prompt, so the answer starts at once; it soon outgrows the window.
    const page = await openChat(1000, 700);
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.getByLabel('Message').fill('Go on and on');
    await page.getByRole('button', { name: 'Send' }).click();
    const streaming = page.locator('article[data-streaming="true"]');
    await streaming.waitFor();
    const thread = page.locator('[data-following]');
    const length = () => streaming.evaluate((el) => el.textContent!.length);
    const overflow = () => thread.evaluate((el) => el.scrollHeight - el.clientHeight);
    await expect.poll(overflow, { timeout: 60_000 }).toBeGreaterThan(400);
    // Text keeps arriving between frames, so "at the end" allows for what one frame may add; a
    // loaded machine paints late, so following is given a few seconds to catch up.
    const atEnd = () =>
      thread.evaluate(
        (el) => el.dataset.following === 'true' && el.scrollTop + el.clientHeight >= el.scrollHeight - 150,
      );
    await expect.poll(atEnd, { timeout: 10_000 }).toBe(true);

    const box = (await thread.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -100_000);
    await page.getByRole('button', { name: 'Jump to latest' }).waitFor();
    // The wheel scroll is animated over a few frames: wait for it to come to rest near the top
    // (headless Chromium sometimes ends its animation a line or two short of 0). Then text keeps
    // arriving below, and the view must not move at all, not even by a frame's worth.
    const top = () => thread.evaluate((el) => el.scrollTop);
    let rest = -1;
    const settled = async () => {
      const now = await top();
      const still = now === rest;
      rest = now;
      return still && now < 200;
    };
    await expect.poll(settled, { timeout: 10_000, interval: 300 }).toBe(true);
    const grown = (await length()) + 200;
    await expect.poll(length, { timeout: 60_000 }).toBeGreaterThan(grown);
    await expect(top()).resolves.toBe(rest);
    await expect(thread.getAttribute('data-following')).resolves.toBe('false');
    await page.screenshot({ path: `${SHOTS}/chat-layout-scrolled-up.png` });

    await page.getByRole('button', { name: 'Jump to latest' }).click();
    await expect.poll(atEnd, { timeout: 10_000 }).toBe(true);
    await expect(page.getByRole('button', { name: 'Jump to latest' }).count()).resolves.toBe(0);

    await page.keyboard.press('Escape');
    await page.getByText('Stopped').waitFor();
    await expect(streaming.count()).resolves.toBe(0);
    const stopped = page.getByRole('article', { name: 'Assistant' }).last();
    await stopped.getByText(/First token \d+(\.\d)? m?s · \d+\.\d tokens\/s/).waitFor();
    await stopped.getByRole('button', { name: 'Copy answer' }).click();
    await stopped.getByText('Copied').waitFor();
    const copied = await page.evaluate(() =>
      (
        globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
      ).navigator.clipboard.readText(),
    );
    expect(copied.length).toBeGreaterThan(300);
    expect(await stopped.textContent()).toContain(copied.slice(0, 40));
    await page.screenshot({ path: `${SHOTS}/chat-layout-stopped.png` });
    await page.close();
  });

  it('shows a high-contrast ring on the control focused from the keyboard', async () => {
    const page = await openChat(1280, 800);
    await page.getByRole('button', { name: 'New chat' }).focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const ring = await page.locator(':focus').evaluate((el) => {
      const style = el.ownerDocument.defaultView!.getComputedStyle(el);
      return { label: el.textContent, style: style.outlineStyle, width: style.outlineWidth, color: style.outlineColor };
    });
    expect(ring).toEqual({ label: 'New chat', style: 'solid', width: '2px', color: 'rgb(29, 78, 216)' });
    await page.screenshot({ path: `${SHOTS}/chat-layout-focus.png`, clip: { x: 200, y: 0, width: 500, height: 300 } });
    await page.close();
  });

  it('cancels an edit on Escape, leaving the message as it was', async () => {
    const page = await openChat(1280, 800);
    await openConversation(page, 'Keep me');
    const question = page.getByRole('article', { name: 'You' }).last();
    const before = await question.textContent();
    await question.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Edit message').fill('Something else entirely');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByLabel('Edit message').count()).toBe(0);
    expect(await question.textContent()).toBe(before);
    // Nothing was asked again: no answer is streaming.
    await expect(page.locator('article[data-streaming="true"]').count()).resolves.toBe(0);
    await page.close();
  });

  it('deletes a conversation only after the undo time, and Undo keeps it', async () => {
    const page = await openChat(1280, 800);
    await openConversation(page, 'Keep me');
    await conversations(page).getByRole('button', { name: 'Delete Keep me' }).click();
    await page.getByRole('status').getByText('Deleted “Keep me”.').waitFor();
    await expect.poll(() => conversations(page).getByRole('button', { name: 'Keep me', exact: true }).count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/chat-layout-undo.png` });
    await page.getByRole('button', { name: 'Undo' }).click();
    await conversations(page).getByRole('button', { name: 'Keep me', exact: true }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Keep me' }).waitFor();

    await conversations(page).getByRole('button', { name: 'Delete Delete me' }).click();
    await expect.poll(() => exists(join(home.path, 'chats', 'gone.json')), { timeout: 20_000 }).toBe(false);
    await expect.poll(() => page.getByRole('status').count()).toBe(0);
    // The undone one outlived the undo time of the other, so it is kept on disk.
    await expect(exists(join(home.path, 'chats', 'keep.json'))).resolves.toBe(true);
    await page.reload();
    await page.getByRole('link', { name: 'Chat' }).click();
    await conversations(page).getByRole('button', { name: 'Keep me', exact: true }).waitFor();
    await expect(conversations(page).getByRole('button', { name: 'Delete me', exact: true }).count()).resolves.toBe(0);
    await page.close();
  });
});
