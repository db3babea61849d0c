import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConversationStore } from '../../../src/core/chat';
import { newConversation } from '../../../src/core/chat/conversation-store';
import { openLocalAi, STORIES, TINY_LLAMA } from './local-ai-fixture';

describe('chat on real models', () => {
  let env: Awaited<ReturnType<typeof openLocalAi>>;

  beforeAll(async () => {
    env = await openLocalAi({ chat: { maxTokens: 24, temperature: 0 } });
    const stories = await env.ai.models.import(STORIES, 'chat');
    await env.ai.models.import(TINY_LLAMA, 'chat');
    await env.settings.update({ models: { chatModel: stories.file } });
  }, 60_000);
  afterAll(async () => env?.close());

  function collect(conversationId: string) {
    const tokens: string[] = [];
    const stop = env.events.on('chat.token', (t) => {
      if (t.conversationId === conversationId) tokens.push(t.text);
    });
    return { tokens, stop };
  }

  it('streams an answer from a model without a chat template and saves it', async () => {
    const events: string[] = [];
    const off = env.events.onAny((name) => events.push(name));
    const { conversationId, messageId } = await env.ai.chat.send({ conversationId: null, text: 'Tell me a story.' });
    await env.ai.chat.settled(conversationId);
    off();
    const conversation = await env.ai.chat.get(conversationId);
    expect(conversation.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    const answer = conversation.messages[1]!;
    expect(answer.id).toBe(messageId);
    expect(answer.text.length).toBeGreaterThan(0);
    expect(answer.model).toBe('stories260K.gguf');
    expect(events.filter((e) => e === 'chat.token').length).toBeGreaterThan(1);
    expect(events.at(-1)).toBe('chat.done');
    // Read back from disk by a fresh store, as after a restart.
    const reread = await new ConversationStore(env.ai.chat.store.dir).get(conversationId);
    expect(reread.messages).toEqual(conversation.messages);
  });

  it('runs a one-off generation with its own system prompt and prompt', async () => {
    const pieces: string[] = [];
    const result = await env.ai.chat.generate({
      system: 'You write short stories.',
      prompt: 'Once upon a time',
      maxTokens: 16,
      onToken: (t) => pieces.push(t),
    });
    expect(result.text).toBe(pieces.join(''));
    expect(result.firstTokenMs).not.toBeNull();
    expect(['end', 'maxTokens']).toContain(result.stopReason);
    const generator = await env.ai.chat.generator();
    expect(generator.contextSize).toBeGreaterThan(0);
    expect(generator.countTokens('Once upon a time')).toBeGreaterThan(1);
  });

  it('stops at once and keeps the text generated so far', async () => {
    // The random model rarely ends by itself: without Stop it would write 30,000 tokens.
    await env.settings.update({ chat: { maxTokens: 30_000 } });
    const { conversationId } = await env.ai.chat.send({
      conversationId: null,
      text: 'Go on forever',
      model: 'llama-2-tiny-random.gguf',
    });
    const { tokens, stop } = collect(conversationId);
    await new Promise<void>((resolve) => {
      const off = env.events.on('chat.token', () => {
        if (tokens.length >= 5) {
          off();
          resolve();
        }
      });
    });
    await env.ai.chat.stop(conversationId);
    const countAtStop = tokens.length;
    await new Promise((r) => setTimeout(r, 300));
    stop();
    expect(tokens.length).toBe(countAtStop);
    const conversation = await env.ai.chat.get(conversationId);
    const answer = conversation.messages.at(-1)!;
    expect(answer.stopped).toBe(true);
    expect(answer.text).toBe(tokens.join(''));
    expect(conversation.generating).toBeNull();
    await env.settings.update({ chat: { maxTokens: 24 } });
  });

  it('regenerates, edits and resends, searches and exports', async () => {
    const { conversationId } = await env.ai.chat.send({
      conversationId: null,
      text: 'A story about a cat named Whiskers',
    });
    await env.ai.chat.settled(conversationId);
    const before = await env.ai.chat.get(conversationId);

    const again = await env.ai.chat.regenerate(conversationId);
    await env.ai.chat.settled(conversationId);
    const regenerated = await env.ai.chat.get(conversationId);
    expect(regenerated.messages).toHaveLength(2);
    expect(regenerated.messages[1]!.id).toBe(again.messageId);
    expect(regenerated.messages[1]!.id).not.toBe(before.messages[1]!.id);
    // The answer it replaced is kept as an earlier version, and a second regeneration keeps both.
    expect(regenerated.messages[1]!.earlier?.map((v) => v.text)).toEqual([before.messages[1]!.text]);
    await env.ai.chat.regenerate(conversationId);
    await env.ai.chat.settled(conversationId);
    const third = (await env.ai.chat.get(conversationId)).messages[1]!;
    expect(third.earlier?.map((v) => v.text)).toEqual([before.messages[1]!.text, regenerated.messages[1]!.text]);

    await env.ai.chat.send({ conversationId, text: 'And then?' });
    await env.ai.chat.settled(conversationId);
    expect((await env.ai.chat.get(conversationId)).messages).toHaveLength(4);
    const firstUser = regenerated.messages[0]!;
    await env.ai.chat.edit({ conversationId, messageId: firstUser.id, text: 'A story about a dog named Rex' });
    await env.ai.chat.settled(conversationId);
    const edited = await env.ai.chat.get(conversationId);
    expect(edited.messages).toHaveLength(2);
    expect(edited.messages[0]!.text).toBe('A story about a dog named Rex');

    const api = env.ai.chat.api();
    const ctx = { door: 'cli' as const };
    const hits = await api.search({ query: 'dog REX' }, ctx);
    expect(hits.map((h) => h.conversationId)).toContain(conversationId);
    expect(await api.search({ query: 'Whiskers' }, ctx)).toEqual([]);
    const exported = await api.exportMarkdown({ id: conversationId }, ctx);
    expect(exported.fileName).toBe('a-story-about-a-cat-named-whiskers.md');
    expect(exported.markdown).toContain('## You');
    expect(exported.markdown).toContain(edited.messages[1]!.text);
  });

  it('marks a question left unanswered by a kill as interrupted, and does not send it again', async () => {
    // What a kill mid-answer leaves on disk: the question saved, its answer never.
    const cut = newConversation('interrupted-chat', 'A story about a fox');
    cut.messages.push({ id: 'q1', role: 'user', text: 'A story about a fox', createdAt: Date.now() });
    await env.ai.chat.store.save(cut);
    const loaded = await env.ai.chat.get(cut.id);
    expect(loaded.messages.map((m) => m.interrupted ?? false)).toEqual([true]);

    const generator = await env.ai.chat.generator();
    const generate = vi.spyOn(generator, 'generate');
    try {
      await env.ai.chat.send({ conversationId: cut.id, text: 'A story about a bear' });
      await env.ai.chat.settled(cut.id);
      const sent = generate.mock.calls[0]![0].messages!.filter((m) => m.role !== 'system').map((m) => m.text);
      expect(sent).toEqual(['A story about a bear']);
    } finally {
      generate.mockRestore();
    }
    const after = await env.ai.chat.get(cut.id);
    expect(after.messages.map((m) => [m.role, m.interrupted ?? false])).toEqual([
      ['user', true],
      ['user', false],
      ['assistant', false],
    ]);
    const reread = await new ConversationStore(env.ai.chat.store.dir).get(cut.id);
    expect(reread.messages[0]!.interrupted).toBe(true);
  });
});
