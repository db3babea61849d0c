import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ChatService,
  ConversationStore,
  conversationToMarkdown,
  createNetworkGenerator,
  networkPrompt,
  type NetworkGenerateRequest,
  type NetworkGenerator,
} from '../../../src/core/chat';
import { EventBus } from '../../../src/core/events';
import type { ModelSlots, ModelStore } from '../../../src/core/models';
import { chatContract } from '../../../src/shared/contract/chat';
import type { NetworkResult } from '../../../src/shared/contract/network';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { tempDir } from '../../helpers/temp-dir';

// A seam test: the chat service with a fake NetworkGenerator; no model, no node.
const MODEL = 'a'.repeat(64);
const SECRET_SYSTEM_PROMPT = 'SYSTEM-MARKER-never-sent';

describe('chats bound to a network model', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function create(network: NetworkGenerator) {
    const dir = await tempDir('hearth-netchat-');
    const events = new EventBus();
    const settings = {
      ...DEFAULT_SETTINGS,
      // No local model at all: a local answer fails, so a network answer cannot be mistaken for one.
      models: { ...DEFAULT_SETTINGS.models, chatModel: null },
      chat: { ...DEFAULT_SETTINGS.chat, systemPrompt: SECRET_SYSTEM_PROMPT, maxTokens: 100_000 },
    };
    const chat = new ChatService({
      dir: join(dir.path, 'chats'),
      slots: {} as ModelSlots,
      models: {} as ModelStore,
      events,
      log: pino({ level: 'silent' }),
      settings: { get: () => settings },
      network,
    });
    cleanups.push(async () => {
      await chat.dispose();
      await dir.cleanup();
    });
    const seen: { name: string; payload: unknown }[] = [];
    events.onAny((name, payload) => seen.push({ name, payload }));
    return { chat, events, seen, dir: join(dir.path, 'chats') };
  }

  /** A generator that streams the given pieces and records what it was asked. */
  function scripted(pieces: string[]) {
    const requests: NetworkGenerateRequest[] = [];
    const generator: NetworkGenerator = async (request) => {
      requests.push(request);
      for (const piece of pieces) request.onToken(piece, 1);
      return { text: pieces.join(''), stopReason: 'end', peerId: 'peer-1' };
    };
    return { generator, requests };
  }

  it('needs an explicit acknowledgement, in the contract and in the service', async () => {
    const fake = scripted(['never']);
    const { chat } = await create(fake.generator);
    const input = v.safeParse(chatContract.calls.useNetwork.input, {
      conversationId: null,
      model: MODEL,
      name: 'big.gguf',
      acknowledged: false,
    });
    expect(input.success).toBe(false);
    await expect(
      chat.useNetwork({ conversationId: null, model: MODEL, name: 'big.gguf', acknowledged: false }),
    ).rejects.toMatchObject({ name: 'NetworkConsentError' });
    // Not opted in: the message goes to the (missing) local model, never to the network.
    const { conversationId } = await chat.send({ conversationId: null, text: 'hello' });
    await chat.settled(conversationId);
    expect(fake.requests).toEqual([]);
    expect((await chat.get(conversationId)).network).toBeNull();
  });

  it('streams a network answer as chat tokens, sends only the messages, and saves the binding', async () => {
    const fake = scripted(['Once', ' upon', ' a time']);
    const { chat, seen, dir } = await create(fake.generator);
    const opted = await chat.useNetwork({ conversationId: null, model: MODEL, name: 'big.gguf', acknowledged: true });
    expect(opted.network).toMatchObject({ model: MODEL, name: 'big.gguf' });
    expect(opted.title).toBe('New chat');

    const { conversationId, messageId } = await chat.send({ conversationId: opted.id, text: 'Tell me a story' });
    expect(conversationId).toBe(opted.id);
    await chat.settled(conversationId);
    const tokens = seen.filter((e) => e.name === 'chat.token').map((e) => e.payload);
    expect(tokens).toEqual(['Once', ' upon', ' a time'].map((text) => ({ conversationId, messageId, text })));
    const conversation = await chat.get(conversationId);
    expect(conversation.title).toBe('Tell me a story');
    expect(conversation.messages[1]).toMatchObject({
      id: messageId,
      role: 'assistant',
      text: 'Once upon a time',
      model: 'big.gguf',
      network: { peerId: 'peer-1' },
    });

    await chat.send({ conversationId, text: 'And then?' });
    await chat.settled(conversationId);
    const prompt = fake.requests[1]!.prompt;
    // Exactly the conversation's own turns: no system prompt, no library text, nothing else.
    expect(prompt).toBe('User: Tell me a story\n\nAssistant: Once upon a time\n\nUser: And then?\n\nAssistant:');
    expect(prompt).not.toContain(SECRET_SYSTEM_PROMPT);
    expect(fake.requests[1]).toMatchObject({ model: MODEL, maxTokens: 4096 });

    const reread = await new ConversationStore(dir).get(conversationId);
    expect(reread.network).toMatchObject({ model: MODEL, name: 'big.gguf' });
    expect(conversationToMarkdown(reread).markdown).toContain(' - big.gguf on the Hearth network\n\nOnce upon a time');
  });

  it('keeps the audit verdict with the answer, so a failed one can be flagged', async () => {
    const { chat } = await create(async (request) => {
      request.onToken('Fake', 1);
      return { text: 'Fake', stopReason: 'end', peerId: 'cheater', audit: 'failed' };
    });
    const opted = await chat.useNetwork({ conversationId: null, model: MODEL, name: 'big.gguf', acknowledged: true });
    const { conversationId } = await chat.send({ conversationId: opted.id, text: 'Hi' });
    await chat.settled(conversationId);
    expect((await chat.get(conversationId)).messages[1]!.network).toEqual({ peerId: 'cheater', audit: 'failed' });
  });

  it('stops at once: the network job is cancelled and the partial answer saved', async () => {
    let signal: AbortSignal | undefined;
    const { chat, seen } = await create(async (request) => {
      signal = request.signal;
      request.onToken('Partial', 1);
      // A provider that never finishes on its own.
      await new Promise((resolve) => request.signal.addEventListener('abort', resolve));
      return { text: 'Partial', stopReason: 'abort', peerId: null };
    });
    const { id } = await chat.useNetwork({ conversationId: null, model: MODEL, name: 'big.gguf', acknowledged: true });
    await chat.send({ conversationId: id, text: 'Go on forever' });
    await expect.poll(() => seen.some((e) => e.name === 'chat.token')).toBe(true);
    await chat.stop(id);
    expect(signal?.aborted).toBe(true);
    expect((await chat.get(id)).messages[1]).toMatchObject({
      text: 'Partial',
      stopped: true,
      network: { peerId: null },
    });
  });

  it('restarts the stream under a new message id when another provider takes over', async () => {
    const { chat, seen } = await create(async (request) => {
      request.onToken('lost', 1);
      request.onToken('Fresh', 2);
      request.onToken(' start', 2);
      return { text: 'Fresh start', stopReason: 'end', peerId: 'peer-2' };
    });
    const { id } = await chat.useNetwork({ conversationId: null, model: MODEL, name: 'big.gguf', acknowledged: true });
    const started = await chat.send({ conversationId: id, text: 'hi' });
    await chat.settled(id);
    const tokens = seen.filter((e) => e.name === 'chat.token').map((e) => e.payload as { messageId: string });
    expect(tokens[0]!.messageId).toBe(started.messageId);
    expect(tokens[1]!.messageId).not.toBe(started.messageId);
    const answer = (await chat.get(id)).messages[1]!;
    expect(answer).toMatchObject({ id: tokens[1]!.messageId, text: 'Fresh start' });
  });

  it('reports a network failure as chat.failed, and goes back to local on request', async () => {
    let calls = 0;
    const { chat, seen } = await create(async () => {
      calls++;
      throw Object.assign(new Error('No provider on the network serves this model right now. Try again later.'), {
        name: 'NoProviderError',
      });
    });
    const { id } = await chat.useNetwork({ conversationId: null, model: MODEL, name: 'big.gguf', acknowledged: true });
    await chat.send({ conversationId: id, text: 'hi' });
    await chat.settled(id);
    const failed = seen.find((e) => e.name === 'chat.failed')!.payload;
    expect(failed).toMatchObject({ conversationId: id, error: { name: 'NoProviderError' } });

    const local = await chat.useLocal(id);
    expect(local.network).toBeNull();
    await chat.send({ conversationId: id, text: 'again' });
    await chat.settled(id);
    expect(calls).toBe(1);
  });

  it('loads conversation files saved before network models existed', async () => {
    const { chat, dir } = await create(scripted([]).generator);
    await mkdir(dir, { recursive: true });
    const now = Date.now();
    await writeFile(
      join(dir, 'old.json'),
      JSON.stringify({
        id: 'old',
        title: 'Old',
        createdAt: now,
        updatedAt: now,
        messages: [{ id: 'm1', role: 'user', text: 'hi', createdAt: now }],
      }),
    );
    const old = await chat.get('old');
    expect(old.network).toBeNull();
    expect(old.messages).toHaveLength(1);
    expect(chat.store.skipped).toEqual([]);
  });
});

describe('networkPrompt', () => {
  it('leaves out the oldest turns when the conversation is too long', () => {
    const messages = [
      { role: 'user' as const, text: 'x'.repeat(50) },
      { role: 'assistant' as const, text: 'y'.repeat(50) },
      { role: 'user' as const, text: 'last' },
    ];
    const prompt = networkPrompt(messages, 90);
    expect(prompt).toBe(`Assistant: ${'y'.repeat(50)}\n\nUser: last\n\nAssistant:`);
    expect(networkPrompt([{ role: 'user', text: 'z'.repeat(200) }], 40)).toHaveLength(40);
  });
});

describe('createNetworkGenerator', () => {
  function fakeNetwork(running: boolean) {
    const events = new EventBus();
    const cancelled: string[] = [];
    let finish: ((r: NetworkResult) => void) | undefined;
    const network = {
      status: async () => ({ running }) as never,
      generate: (input: { jobId: string }) => {
        // Another job's tokens must not leak into this one.
        events.emit('network.token', { jobId: 'someone-else', text: 'X', attempt: 1 });
        events.emit('network.token', { jobId: input.jobId, text: 'Hel', attempt: 1 });
        events.emit('network.token', { jobId: input.jobId, text: 'lo', attempt: 1 });
        return new Promise<NetworkResult>((resolve) => (finish = resolve));
      },
      cancel: async ({ jobId }: { jobId: string }) => {
        cancelled.push(jobId);
        return { cancelled: true };
      },
    };
    return {
      generator: createNetworkGenerator({ network, events }),
      cancelled,
      finish: (r: NetworkResult) => finish?.(r),
    };
  }

  const request = (signal: AbortSignal, tokens: string[]): NetworkGenerateRequest => ({
    model: MODEL,
    prompt: 'User: hi\n\nAssistant:',
    maxTokens: 16,
    signal,
    onToken: (text) => tokens.push(text),
  });

  it('refuses while the node is not running, without starting it', async () => {
    const { generator } = fakeNetwork(false);
    await expect(generator(request(new AbortController().signal, []))).rejects.toMatchObject({
      name: 'NetworkNotRunningError',
    });
  });

  it('streams its own job and maps the result', async () => {
    const fake = fakeNetwork(true);
    const tokens: string[] = [];
    const answer = fake.generator(request(new AbortController().signal, tokens));
    await expect.poll(() => tokens.length).toBe(2);
    fake.finish({
      jobId: 'x',
      text: 'Hello',
      peerId: 'peer-9',
      attempts: 1,
      promptTokens: 4,
      completionTokens: 2,
      totalMs: 5,
      stopReason: 'max-tokens',
      audit: 'not-sampled',
    });
    await expect(answer).resolves.toEqual({
      text: 'Hello',
      stopReason: 'maxTokens',
      peerId: 'peer-9',
      audit: 'not-sampled',
    });
    expect(tokens).toEqual(['Hel', 'lo']);
  });

  it('cancels the job and returns the text so far without waiting for the network', async () => {
    const fake = fakeNetwork(true);
    const controller = new AbortController();
    const tokens: string[] = [];
    const answer = fake.generator(request(controller.signal, tokens));
    await expect.poll(() => tokens.length).toBe(2);
    controller.abort();
    await expect(answer).resolves.toEqual({ text: 'Hello', stopReason: 'abort', peerId: null });
    expect(fake.cancelled).toHaveLength(1);
    expect(fake.cancelled[0]).toMatch(/^chat-/);
  });
});
