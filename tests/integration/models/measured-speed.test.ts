import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openLocalAi, TINY_LLAMA } from '../chat/local-ai-fixture';

/** The Models page's speed for a chat model: an estimate until its first real answer measures it. */
describe('measured model speed', () => {
  let env: Awaited<ReturnType<typeof openLocalAi>>;
  let file: string;

  beforeAll(async () => {
    env = await openLocalAi({ chat: { temperature: 0 } });
    file = (await env.ai.models.import(TINY_LLAMA, 'chat')).file;
    await env.settings.update({ models: { chatModel: file } });
  }, 60_000);
  afterAll(async () => env?.close());

  const speed = async () => (await env.ai.models.installed()).find((m) => m.file === file)?.speed;

  it('shows an estimate, then keeps the speed of the first real answer, on disk with the model', async () => {
    const estimate = await speed();
    expect(estimate?.measured).toBe(false);
    expect(estimate?.tokensPerSecond).toBeGreaterThan(0);

    // The random model writes until its limit: 48 tokens, enough to measure.
    const first = await env.ai.chat.generate({ prompt: 'Once upon a time', maxTokens: 48 });
    expect(first.tokens).toBeGreaterThanOrEqual(16);
    expect(first.tokensPerSecond).toBeGreaterThan(0);
    const shown = Math.round(first.tokensPerSecond! * 10) / 10;
    await vi.waitFor(async () => expect(await speed()).toEqual({ tokensPerSecond: shown, measured: true }), {
      timeout: 10_000,
    });
    const index = JSON.parse(await readFile(join(env.dataDir, 'models', 'models.json'), 'utf8')) as Record<
      string,
      { measured?: { tokensPerSecond: number; threads: number } }
    >;
    expect(index[file]?.measured).toMatchObject({ tokensPerSecond: first.tokensPerSecond, threads: 1 });

    // A later answer does not replace the figure first shown.
    const second = await env.ai.chat.generate({ prompt: 'The dog', maxTokens: 48 });
    expect(second.tokensPerSecond).not.toBe(first.tokensPerSecond);
    expect(await speed()).toEqual({ tokensPerSecond: shown, measured: true });

    // Too short to measure: no speed from it.
    const short = await env.ai.chat.generate({ prompt: 'Hi', maxTokens: 4 });
    expect(short.tokensPerSecond).toBeNull();
  });
});
