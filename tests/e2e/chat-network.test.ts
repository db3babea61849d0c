import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/core';
import { startedNodes, startNodeProcess, type NodeProcess } from '../integration/network/network-node-process';
import { rpcCall } from '../helpers/rpc-call';
import { tempDir } from '../helpers/temp-dir';
import { startUiSession, type UiSession } from '../helpers/ui-session';

const STORIES = resolve('../shared/models/stories260K.gguf');
const STORIES_SHA = '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d';
const SHOTS = 'test-results/screenshots';

interface SavedConversation {
  id: string;
  network?: { model: string; name: string } | null;
  messages: { role: string; text: string; network?: { peerId: string | null } }[];
}

async function readConversations(home: string): Promise<SavedConversation[]> {
  const dir = join(home, 'chats');
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.json'));
  return Promise.all(files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as SavedConversation));
}

/**
 * The Chat page with a real provider: one `hearth network node` process on 127.0.0.1 serving
 * stories260K, and the app's own node joined to it through the UI session's host.
 */
describe('a chat on a network model', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let provider: NodeProcess;
  let ui: UiSession;

  beforeAll(async () => {
    home = await tempDir();
    const engine = await createEngine({ dataDir: home.path });
    await engine.ai.models.import(STORIES, 'chat');
    await engine.settings.update({
      models: { threads: 1, chatModel: 'stories260K.gguf' },
      chat: { maxTokens: 32 },
      // Audits are tested elsewhere; here every answer is paid unaudited, the same way each run.
      network: { mdns: false, auditShare: 0 },
    });
    await engine.dispose();
    [provider, ui] = await Promise.all([
      startNodeProcess({
        args: ['--listen', '/ip4/127.0.0.1/tcp/0', '--model', STORIES, '--contribute'],
        settings: { network: { maxThreads: 1, mdns: false } },
      }),
      startUiSession(home.path),
    ]);
  }, 120_000);
  afterAll(async () => {
    await ui?.close();
    await Promise.all([...startedNodes].map((n) => n.kill('SIGKILL')));
    await home?.cleanup();
  });

  const networkOption = (page: Page) =>
    page.locator('optgroup[label="On the network"] option', { hasText: 'stories260K.gguf' });

  it('asks before using the network, streams the answer from the provider, and goes back to local', async () => {
    const page = await ui.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(ui.hearth.url);
    await page.getByRole('link', { name: 'Chat' }).click();
    const picker = page.getByLabel('Model');
    await picker.waitFor();
    await page
      .locator('optgroup[label="On the network"] option', { hasText: 'Start the network on the Contribute page' })
      .waitFor({ state: 'attached' });

    await rpcCall(ui.hearth, 'network.start', {
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [provider.status().addresses[0]!],
    });
    // Discovery takes gossip rounds; on a busy machine that can be slow, never a fixed wait.
    await networkOption(page).waitFor({ state: 'attached', timeout: 60_000 });

    // Escape says no: nothing is bound, nothing is saved.
    await picker.selectOption(`network:${STORIES_SHA}`);
    const dialog = page.getByRole('dialog', { name: 'Use a network model for this chat?' });
    await dialog.waitFor();
    await page.screenshot({ path: `${SHOTS}/chat-network-consent.png` }).catch(() => undefined);
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain('The provider who runs it sees your messages in this chat');
    expect(text).toContain('Your library and files are never sent.');
    expect(text).toContain('audited and paid from your earnings');
    const focused = () => page.evaluate<string | undefined>('document.activeElement?.textContent?.trim()');
    await expect.poll(focused).toBe('Cancel');
    await page.keyboard.press('Tab');
    await expect.poll(focused).toBe('Use the network for this chat');
    await page.keyboard.press('Tab');
    await expect.poll(focused).toBe('Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await picker.inputValue()).toBe('stories260K.gguf');
    expect(await readConversations(home.path)).toEqual([]);

    // Only the explicit button opts in.
    await picker.selectOption(`network:${STORIES_SHA}`);
    await dialog.getByRole('button', { name: 'Use the network for this chat' }).click();
    const badge = page.getByTestId('network-badge');
    await badge.getByText('Network model: stories260K.gguf — the provider sees this chat').waitFor();
    await expect.poll(() => picker.inputValue()).toBe(`network:${STORIES_SHA}`);
    await page.screenshot({ path: `${SHOTS}/chat-network-badge.png`, fullPage: true }).catch(() => undefined);

    await page.getByLabel('Message').fill('Once upon a time');
    await page.getByRole('button', { name: 'Send' }).click();
    const answer = page.locator('article[aria-label="Assistant"][data-streaming="false"]');
    await answer.waitFor({ timeout: 60_000 });
    expect(((await answer.textContent()) ?? '').trim().length).toBeGreaterThan(0);
    expect(await page.getByRole('alert').count()).toBe(0);

    const [saved] = await readConversations(home.path);
    expect(saved!.network).toMatchObject({ model: STORIES_SHA, name: 'stories260K.gguf' });
    expect(saved!.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(saved!.messages[1]!.network?.peerId).toBe(provider.status().peerId);

    // After a reload the chat still says where it runs.
    await page.reload();
    await page.getByRole('link', { name: 'Chat' }).click();
    await page.getByRole('button', { name: 'Once upon a time', exact: true }).click();
    await badge.waitFor();
    await badge.getByRole('button', { name: 'Use a local model' }).click();
    await badge.waitFor({ state: 'detached' });
    await expect.poll(() => picker.inputValue()).toBe('stories260K.gguf');
    await expect.poll(async () => (await readConversations(home.path))[0]!.network).toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  });
});
