import type { OnStateDamage } from '../state';
import { randomUUID } from 'node:crypto';
import type { Contract } from '../../shared/contract';
import type { ChatMessage, Conversation, NetworkBinding } from '../../shared/contract/chat';
import type { ServiceOf } from '../../shared/contract/define';
import type { Settings } from '../../shared/settings';
import { DisposedError } from '../disposable';
import { StackOwner } from '../dispose-stack';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import { NoModelChosenError, type ModelSlots, type ModelStore } from '../models';
import { ChatBusyError } from './chat-busy-error';
import { ChatGenerator, type GenerateRequest, type GenerateResult } from './chat-generator';
import { ConversationNotFoundError } from './conversation-not-found-error';
import { ConversationStore, newConversation, type StoredConversation } from './conversation-store';
import { answeredTurns, markInterrupted } from './interrupted-turns';
import { conversationToMarkdown } from './markdown-export';
import { NetworkConsentError } from './network-consent-error';
import type { NetworkGenerateResult, NetworkGenerator } from './network-generator';
import { NetworkNotRunningError } from './network-not-running-error';
import { networkPrompt } from './network-prompt';
import { searchConversations } from './search';

export interface ChatServiceOptions {
  /** Folder for conversation files. */
  dir: string;
  slots: ModelSlots;
  models: ModelStore;
  events: EventBus;
  log: Logger;
  settings: { get(): Settings };
  /** Runs answers of conversations bound to a network model. Default none: sending in one fails. */
  network?: NetworkGenerator;
  /** Told about conversation files that were damaged and set aside. */
  onDamage?: OnStateDamage;
}

/** The network takes at most this many tokens per job (NetworkGenerateSchema). */
const NETWORK_MAX_TOKENS = 4096;

/** What produced an answer, for the saved message. */
interface AnswerOutcome {
  text: string;
  stopReason: 'end' | 'maxTokens' | 'abort';
  model: string;
  network?: { peerId: string | null; audit?: NetworkGenerateResult['audit'] };
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
export class ChatService extends StackOwner {
  readonly store: ConversationStore;
  private _generator: ChatGenerator | null = null;
  private _generatorLoading: Promise<ChatGenerator> | null = null;
  private readonly _active = new Map<string, ActiveAnswer>();

  constructor(private readonly _o: ChatServiceOptions) {
    super('The chat service');
    this.store = new ConversationStore(_o.dir, _o.onDamage);
    // Newest first: answers in progress stop (and save what they wrote), then the model's context closes.
    this._stack.defer(async () => {
      // A generator that failed to load has no context to close; its error went to the answer that asked.
      const generator = await this._generatorLoading?.catch(() => null);
      await generator?.dispose();
    });
    this._stack.defer(async () => {
      for (const a of this._active.values()) a.controller.abort();
      await Promise.allSettled([...this._active.values()].map((a) => a.done));
    });
  }

  /**
   * The generator for the chat model (settings.models.chatModel unless `model` names another
   * installed file), loaded on first use and reused while the model stays the same.
   */
  async generator(model?: string): Promise<ChatGenerator> {
    if (this._stack.disposed) throw new DisposedError('The chat service');
    const file = model ?? this._o.settings.get().models.chatModel;
    if (!file) throw new NoModelChosenError('chat');
    const previous = this._generatorLoading;
    const loading = (async () => {
      // The previous load's failure went to its caller; this load starts afresh.
      const current = await previous?.catch(() => null);
      if (current && !current.disposed && current.loaded.file === file && !current.model.disposed) return current;
      await current?.dispose();
      const loaded = await this._o.slots.load('chat', file);
      const facts = await this._o.models.facts(file);
      this._generator = await ChatGenerator.create(loaded, {
        hasChatTemplate: facts.hasChatTemplate,
        // The first real answer tells the Models page how fast this model is here (no extra benchmark).
        // The speed only replaces an estimate on the Models page: a failed write keeps the estimate.
        onMeasured: (tokensPerSecond) =>
          void this._o.models.recordSpeed(file, { tokensPerSecond, threads: loaded.threads }).catch(() => undefined),
      });
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
    const c = structuredClone(await this.store.get(id));
    const active = this._active.get(id);
    if (!active) markInterrupted(c.messages);
    return {
      ...c,
      messageCount: c.messages.length,
      network: c.network ?? null,
      generating: active ? { messageId: active.messageId, text: active.text } : null,
    };
  }

  async send(input: { conversationId: string | null; text: string; model?: string; maxTokens?: number }) {
    const conversation = input.conversationId
      ? await this.store.get(input.conversationId)
      : newConversation(randomUUID(), input.text);
    this._ensureIdle(conversation.id);
    markInterrupted(conversation.messages);
    // A chat opened by choosing a network model has no title yet: its first message gives it one.
    if (conversation.messages.length === 0) conversation.title = newConversation(conversation.id, input.text).title;
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
    const replaced: ChatMessage[] = [];
    while (conversation.messages.at(-1)?.role === 'assistant') replaced.unshift(conversation.messages.pop()!);
    if (conversation.messages.length === 0) throw new ConversationNotFoundError(conversationId);
    delete conversation.messages.at(-1)!.interrupted; // asked again
    await this.store.save(conversation);
    const local = conversation.messages.findLast((m) => m.model && !m.network);
    return this._answer(conversation, local?.model, undefined, undefined, keptVersions(replaced));
  }

  async edit(input: { conversationId: string; messageId: string; text: string }) {
    const conversation = await this.store.get(input.conversationId);
    this._ensureIdle(input.conversationId);
    const index = conversation.messages.findIndex((m) => m.id === input.messageId && m.role === 'user');
    if (index < 0) throw new ConversationNotFoundError(`${input.conversationId}/${input.messageId}`);
    conversation.messages.splice(index + 1);
    const { interrupted: _asked, ...edited } = conversation.messages[index]!;
    conversation.messages[index] = { ...edited, text: input.text };
    await this.store.save(conversation);
    return this._answer(conversation);
  }

  /**
   * Binds a conversation (a new, empty one when `conversationId` is null) to a network model:
   * from now on its messages go to a provider, who sees them. Only with the user's explicit
   * acknowledgement; never while it is answering.
   */
  async useNetwork(input: {
    conversationId: string | null;
    model: string;
    name: string;
    acknowledged: boolean;
  }): Promise<Conversation> {
    if (input.acknowledged !== true) throw new NetworkConsentError();
    const conversation = input.conversationId
      ? await this.store.get(input.conversationId)
      : newConversation(randomUUID(), '');
    this._ensureIdle(conversation.id);
    conversation.network = { model: input.model, name: input.name, optedInAt: Date.now() };
    await this.store.save(conversation);
    this._o.events.emit('chat.changed', { conversationId: conversation.id });
    return this.get(conversation.id);
  }

  /** Answers the conversation with a local model again. */
  async useLocal(conversationId: string): Promise<Conversation> {
    const conversation = await this.store.get(conversationId);
    this._ensureIdle(conversationId);
    conversation.network = null;
    await this.store.save(conversation);
    this._o.events.emit('chat.changed', { conversationId });
    return this.get(conversationId);
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
    earlier: EarlierAnswer[] = [],
  ): { conversationId: string; messageId: string } {
    const messageId = randomUUID();
    const controller = new AbortController();
    const active: ActiveAnswer = { messageId, text: '', controller, done: Promise.resolve() };
    const conversationId = conversation.id;
    this._active.set(conversationId, active);
    this._o.events.emit('chat.started', { conversationId, messageId });
    active.done = (async () => {
      try {
        const binding = conversation.network;
        const outcome = binding
          ? await this._onNetwork(binding, conversation, active, maxTokens)
          : await this._onThisComputer(conversation, active, model, maxTokens);
        const message: ChatMessage = {
          id: active.messageId,
          role: 'assistant',
          text: outcome.text,
          createdAt: Date.now(),
          model: outcome.model,
          ...(outcome.network ? { network: outcome.network } : {}),
          ...(outcome.stopReason === 'abort' ? { stopped: true } : {}),
          ...(earlier.length > 0 ? { earlier } : {}),
        };
        await saved;
        conversation.messages.push(message);
        await this.store.save(conversation);
        this._active.delete(conversationId);
        this._o.events.emit('chat.done', { conversationId, message });
      } catch (error) {
        // Only waits for the save in flight to land; the answer's own failure is reported below.
        await saved.catch(() => undefined);
        // A failed regeneration puts the answer it replaced back: nothing the user had is lost.
        const previous = earlier.at(-1);
        if (previous) {
          conversation.messages.push({
            id: randomUUID(),
            role: 'assistant',
            ...previous,
            ...(earlier.length > 1 ? { earlier: earlier.slice(0, -1) } : {}),
          });
          // The answer's own failure is reported below; a failed save of the restored answer is logged beside it.
          await this.store
            .save(conversation)
            .catch((saveError: unknown) =>
              this._o.log.warn({
                event: 'chat-restore-not-saved',
                conversationId,
                reason: (saveError as Error).message,
              }),
            );
          this._o.events.emit('chat.changed', { conversationId });
        }
        this._active.delete(conversationId);
        const e = error as Error;
        this._o.log.warn({ event: 'chat-answer-failed', error: e.message });
        this._o.events.emit('chat.failed', {
          conversationId,
          messageId: active.messageId,
          error: { name: e.name, message: e.message },
        });
      }
    })();
    return { conversationId, messageId };
  }

  private async _onThisComputer(
    conversation: StoredConversation,
    active: ActiveAnswer,
    model: string | undefined,
    maxTokens: number | undefined,
  ): Promise<AnswerOutcome> {
    const chat = this._o.settings.get().chat;
    const generator = await this.generator(model);
    const result = await generator.generate({
      messages: [
        ...(chat.systemPrompt ? [{ role: 'system' as const, text: chat.systemPrompt }] : []),
        ...answeredTurns(conversation.messages),
      ],
      maxTokens: maxTokens ?? chat.maxTokens,
      temperature: chat.temperature,
      topP: chat.topP,
      signal: active.controller.signal,
      onToken: (text) => this._streamed(conversation.id, active, text),
    });
    return { text: result.text, stopReason: result.stopReason, model: generator.loaded.file };
  }

  /**
   * The conversation's own messages, and nothing else, go to a provider. When a provider fails
   * mid-answer and another starts over, the answer continues under a new message id so a
   * client showing the stream replaces the abandoned text.
   */
  private async _onNetwork(
    binding: NetworkBinding,
    conversation: StoredConversation,
    active: ActiveAnswer,
    maxTokens: number | undefined,
  ): Promise<AnswerOutcome> {
    if (!this._o.network) throw new NetworkNotRunningError();
    const chat = this._o.settings.get().chat;
    let attempt: number | null = null;
    const result = await this._o.network({
      model: binding.model,
      prompt: networkPrompt(answeredTurns(conversation.messages)),
      maxTokens: Math.min(maxTokens ?? chat.maxTokens, NETWORK_MAX_TOKENS),
      temperature: chat.temperature,
      signal: active.controller.signal,
      onToken: (text, next) => {
        if (attempt !== null && next !== attempt && active.text) {
          active.messageId = randomUUID();
          active.text = '';
        }
        attempt = next;
        this._streamed(conversation.id, active, text);
      },
    });
    return {
      text: result.text,
      stopReason: result.stopReason,
      model: binding.name,
      network: { peerId: result.peerId, ...(result.audit ? { audit: result.audit } : {}) },
    };
  }

  private _streamed(conversationId: string, active: ActiveAnswer, text: string): void {
    active.text += text;
    this._o.events.emit('chat.token', { conversationId, messageId: active.messageId, text });
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
      useNetwork: (input) => this.useNetwork(input),
      useLocal: ({ conversationId }) => this.useLocal(conversationId),
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
}

type EarlierAnswer = NonNullable<ChatMessage['earlier']>[number];

/** Regenerate keeps this many earlier answers to one question; the oldest go first. */
const KEPT_VERSIONS = 10;

/** The answers Regenerate replaces, with the versions they kept themselves, oldest first. */
function keptVersions(replaced: readonly ChatMessage[]): EarlierAnswer[] {
  return replaced
    .flatMap((m) => [
      ...(m.earlier ?? []),
      ...(m.text ? [{ text: m.text, createdAt: m.createdAt, ...(m.model ? { model: m.model } : {}) }] : []),
    ])
    .slice(-KEPT_VERSIONS);
}
