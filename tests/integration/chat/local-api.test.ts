import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalAi, STORIES, TINY_LLAMA } from './local-ai-fixture';

describe('the OpenAI-compatible local API, through the real openai client', () => {
  let env: Awaited<ReturnType<typeof openLocalAi>>;
  let client: OpenAI;
  let baseURL: string;

  beforeAll(async () => {
    env = await openLocalAi({ chat: { maxTokens: 24, temperature: 0 } });
    await env.ai.models.import(STORIES, 'chat');
    await env.ai.models.import(TINY_LLAMA, 'embedding');
    await env.settings.update({
      models: { chatModel: 'stories260K.gguf', embeddingModel: 'llama-2-tiny-random.gguf' },
    });
    // Port 0 is refused by the settings schema; pick a high port unlikely to be taken.
    const port = 20_000 + (process.pid % 20_000);
    await env.settings.update({ api: { enabled: true, port } });
    await env.ai.api.sync();
    const info = await env.ai.api.info();
    expect(info.running).toBe(true);
    baseURL = info.baseUrl!;
    client = new OpenAI({ baseURL, apiKey: info.key, maxRetries: 0 });
  }, 60_000);
  afterAll(async () => env?.close());

  it('is off by default, listens on 127.0.0.1 only, and keeps its key in a 0600 secret file', async () => {
    expect(new URL(baseURL).hostname).toBe('127.0.0.1');
    const secret = await stat(join(env.dataDir, 'secrets', 'local-api-key.key'));
    expect(secret.mode & 0o777).toBe(0o600);
    const fresh = await openLocalAi();
    expect((await fresh.ai.api.info()).running).toBe(false);
    await fresh.close();
  });

  it('refuses requests without the right key', async () => {
    const wrong = new OpenAI({ baseURL, apiKey: 'nope', maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toMatchObject({ status: 401 });
    const bare = await fetch(`${baseURL}/models`);
    expect(bare.status).toBe(401);
  });

  it('lists the installed models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids.sort()).toEqual(['llama-2-tiny-random.gguf', 'stories260K.gguf']);
  });

  it('answers a chat completion, streamed over SSE and whole', async () => {
    const stream = await client.chat.completions.create({
      model: 'stories260K.gguf',
      messages: [{ role: 'user', content: 'Tell me a story' }],
      stream: true,
      max_tokens: 16,
    });
    const pieces: string[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      pieces.push(chunk.choices[0]?.delta.content ?? '');
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(pieces.filter(Boolean).length).toBeGreaterThan(1);
    expect(['stop', 'length']).toContain(finish);

    const whole = await client.chat.completions.create({
      model: 'stories260K.gguf',
      messages: [
        { role: 'system', content: 'You tell stories.' },
        { role: 'user', content: 'Once upon a time' },
      ],
      max_tokens: 8,
    });
    expect(whole.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(whole.usage!.completion_tokens).toBeGreaterThan(0);
    await expect(
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('returns embeddings, as floats and as the base64 the client asks for by default', async () => {
    const result = await client.embeddings.create({ model: 'llama-2-tiny-random.gguf', input: ['a cat', 'a dog'] });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]!.embedding).toHaveLength(8);
    const floats = await client.embeddings.create({
      model: 'llama-2-tiny-random.gguf',
      input: 'a cat',
      encoding_format: 'float',
    });
    expect(floats.data[0]!.embedding).toHaveLength(8);
    floats.data[0]!.embedding.forEach((x, i) => expect(x).toBeCloseTo(result.data[0]!.embedding[i]!, 5));
  });

  it('stops listening when turned off', async () => {
    await env.settings.update({ api: { enabled: false } });
    await env.ai.api.sync();
    await expect(fetch(`${baseURL}/models`)).rejects.toThrow();
  });
});
