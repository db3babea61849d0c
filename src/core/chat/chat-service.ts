import { randomUUID } from 'node:crypto';
import type { Contract } from '../../shared/contract';
import type { ChatMessage, Conversation } from '../../shared/contract/chat';
import type { ServiceOf } from '../../shared/contract/define';
import type { Settings } from '../../shared/settings';
import { DisposedError, type Disposable } from '../disposable';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import { NoModelChosenError, type ModelSlots, type ModelStore } from '../models';
import { ChatBusyError } from './chat-busy-error';
import { ChatGenerator, type GenerateRequest, type GenerateResult } from './chat-generator';
import { ConversationNotFoundError } from './conversation-not-found-error';
import { ConversationStore, newConversation, type StoredConversation } from './conversation-store';
import { conversationToMarkdown } from './markdown-export';
import { searchConversations } from './search';

export interface ChatServiceOptions {
  /** Folder for conversation files. */
  dir: string;
  slots: ModelSlots;
  models: ModelStore;
  events: EventBus;
  log: Logger;
  settings: { get(): Settings };
}

interface ActiveAnswer {
  messageId: string;
  text: string;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * The `chat` namespace and the engine's one path to the chat model. Conversations are saved
 * whenever a message is complete; answers stream as `chat.token` events.
 */
export class ChatService implements Disposable {
  readonly store: ConversationStore;
  private _generator: ChatGenerator | null = null;
  private _generatorLoading: Promise<ChatGenerator> | null = null;
  private readonly _active = new Map<string, ActiveAnswer>();
  private _disposed = false;

  constructor(private readonly _o: ChatServiceOptions) {
    this.store = new ConversationStore(_o.dir);
  }

  /**
   * The generator for the chat model (settings.models.chatModel unless `model` names another
   * installed file), loaded on first use and reused while the model stays the same.
   */
  async generator(model?: string): Promise<ChatGenerator> {
    if (this._disposed) throw new DisposedError('The chat service');
    const file = model ?? this._o.settings.get().models.chatModel;
    if (!file) throw new NoModelChosenError('chat');
    const previous = this._generatorLoading;
    const loading = (async () => {
      const current = await previous?.catch(() => null);
      if (current && !current.disposed && current.loaded.file === file && !current.model.disposed) return current;
      await current?.dispose();
      const loaded = await this._o.slots.load('chat', file);
      const facts = await this._o.models.facts(file);
      this._generator = await ChatGenerator.create(loaded, { hasChatTemplate: facts.hasChatTemplate });
      return this._generator;
    })();
    this._generatorLoading = loading;
    return loading;
  }

  /**
   * One generation outside any conversation (answers over files, the local API): the chat
   * settings fill what the request leaves out.
   */
  async generate(request: GenerateRequest & { model?: string }): Promise<GenerateResult> {
    const generator = await this.generator(request.model);
    const s = this._o.settings.get().chat;
    return generator.generate({
      maxTokens: s.maxTokens,
      temperature: s.temperature,
      topP: s.topP,
      ...request,
    });
  }

  async get(id: string): Promise<Conversation> {
    const c = await this.store.get(id);
    const active = this._active.get(id);
    return {
      ...structuredClone(c),
      messageCount: c.messages.length,
      generating: active ? { messageId: active.messageId, text: active.text } : null,
    };
  }

  async send(input: { conversationId: string | null; text: string; model?: string; maxTokens?: number }) {
    const conversation = input.conversationId
      ? await this.store.get(input.conversationId)
      : newConversation(randomUUID(), input.text);
    this._ensureIdle(conversation.id);
    conversation.messages.push({ id: randomUUID(), role: 'user', text: input.text, createdAt: Date.now() });
    // The answer starts while the message is being saved: an fsync costs more than the first
    // token on small models. The answer's own save waits for this one (see _answer).
    const saved = this.store.save(conversation);
    const started = this._answer(conversation, input.model, input.maxTokens, saved);
    await saved;
    this._o.events.emit('chat.changed', { conversationId: conversation.id });
    return started;
  }

  async regenerate(conversationId: string) {
    const conversation = await this.store.get(conversationId);
    this._ensureIdle(conversationId);
    while (conversation.messages.at(-1)?.role === 'assistant') conversation.messages.pop();
    if (conversation.messages.length === 0) throw new ConversationNotFoundError(conversationId);
    await this.store.save(conversation);
    return this._answer(conversation, conversation.messages.findLast((m) => m.model)?.model);
  }

  async edit(input: { conversationId: string; messageId: string; text: string }) {
    const conversation = await this.store.get(input.conversationId);
    this._ensureIdle(input.conversationId);
    const index = conversation.messages.findIndex((m) => m.id === input.messageId && m.role === 'user');
    if (index < 0) throw new ConversationNotFoundError(`${input.conversationId}/${input.messageId}`);
    conversation.messages.splice(index + 1);
    conversation.messages[index] = { ...conversation.messages[index]!, text: input.text };
    await this.store.save(conversation);
    return this._answer(conversation);
  }

  /** Stops the running answer of a conversation; resolves once the partial answer is saved. */
  async stop(conversationId: string): Promise<void> {
    const active = this._active.get(conversationId);
    if (!active) return;
    active.controller.abort();
    await active.done;
  }

  /** Resolves when the conversation's running answer (if any) is saved. */
  async settled(conversationId: string): Promise<void> {
    await this._active.get(conversationId)?.done;
  }

  private _ensureIdle(conversationId: string): void {
    if (this._active.has(conversationId)) throw new ChatBusyError(conversationId);
  }

  private _answer(
    conversation: StoredConversation,
    model?: string,
    maxTokens?: number,
    saved: Promise<void> = Promise.resolve(),
  ): { conversationId: string; messageId: string } {
    const messageId = randomUUID();
    const controller = new AbortController();
    const active: ActiveAnswer = { messageId, text: '', controller, done: Promise.resolve() };
    const conversationId = conversation.id;
    this._active.set(conversationId, active);
    const chat = this._o.settings.get().chat;
    active.done = (async () => {
      try {
        const generator = await this.generator(model);
        const result = await generator.generate({
          messages: [
            ...(chat.systemPrompt ? [{ role: 'system' as const, text: chat.systemPrompt }] : []),
            ...conversation.messages,
          ],
          maxTokens: maxTokens ?? chat.maxTokens,
          temperature: chat.temperature,
          topP: chat.topP,
          signal: controller.signal,
          onToken: (text) => {
            active.text += text;
            this._o.events.emit('chat.token', { conversationId, messageId, text });
          },
        });
        const message: ChatMessage = {
          id: messageId,
          role: 'assistant',
          text: result.text,
          createdAt: Date.now(),
          model: generator.loaded.file,
          ...(result.stopReason === 'abort' ? { stopped: true } : {}),
        };
        await saved;
        conversation.messages.push(message);
        await this.store.save(conversation);
        this._active.delete(conversationId);
        this._o.events.emit('chat.done', { conversationId, message });
      } catch (error) {
        await saved.catch(() => undefined);
        this._active.delete(conversationId);
        const e = error as Error;
        this._o.log.warn({ event: 'chat-answer-failed', error: e.message });
        this._o.events.emit('chat.failed', { conversationId, messageId, error: { name: e.name, message: e.message } });
      }
    })();
    return { conversationId, messageId };
  }

  api(): ServiceOf<Contract['chat']> {
    return {
      list: () => this.store.list(),
      get: ({ id }) => this.get(id),
      rename: async ({ id, title }) => {
        const c = await this.store.get(id);
        c.title = title;
        await this.store.save(c);
        this._o.events.emit('chat.changed', { conversationId: id });
        return null;
      },
      remove: async ({ id }) => {
        await this.stop(id);
        await this.store.remove(id);
        this._o.events.emit('chat.changed', { conversationId: id });
        return null;
      },
      send: (input) => this.send(input),
      stop: async ({ conversationId }) => {
        await this.stop(conversationId);
        return null;
      },
      regenerate: ({ conversationId }) => this.regenerate(conversationId),
      edit: (input) => this.edit(input),
      search: async ({ query }) => searchConversations(await this.store.all(), query),
      exportMarkdown: async ({ id }) => conversationToMarkdown(await this.store.get(id)),
    };
  }

  get disposed(): boolean {
    return this._disposed;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    for (const a of this._active.values()) a.controller.abort();
    await Promise.allSettled([...this._active.values()].map((a) => a.done));
    const generator = await this._generatorLoading?.catch(() => null);
    await generator?.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
