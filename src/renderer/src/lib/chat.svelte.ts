import { AnswerTimings } from './answer-timings.svelte';
import { errorMessage } from './error-message';
import type { HearthApi } from '../../../shared/contract';
import type { Conversation, ConversationSummary } from '../../../shared/contract/chat';

export interface SearchHit {
  conversationId: string;
  title: string;
  messageId: string;
  snippet: string;
}

/** How long a deleted conversation can be brought back before it is deleted for good. */
export const UNDO_DELETE_MS = 5000;

/** The Chat page's state: the conversation list, the open conversation and its streaming answer. */
export class ChatState {
  #api: HearthApi;
  #conversations = $state.raw<ConversationSummary[]>([]);
  #current = $state.raw<Conversation | null>(null);
  #streaming = $state<{ messageId: string; text: string } | null>(null);
  /** Tokens that arrived since the last frame: the answer is re-rendered (Markdown and all) once a frame, not once a token. */
  #arrived: { messageId: string; text: string } | null = null;
  #frame = 0;
  #hits = $state.raw<SearchHit[] | null>(null);
  #error = $state<string | null>(null);
  /** A conversation the user deleted that is still on disk until the undo time runs out. */
  #removing = $state.raw<{ id: string; title: string; wasOpen: boolean } | null>(null);
  #removeTimer: ReturnType<typeof setTimeout> | undefined;
  readonly timings = new AnswerTimings();

  constructor(api: HearthApi) {
    this.#api = api;
  }

  get conversations(): ConversationSummary[] {
    const removing = this.#removing;
    return removing ? this.#conversations.filter((c) => c.id !== removing.id) : this.#conversations;
  }
  /** The deleted conversation that can still be brought back with undoRemove(). */
  get removing(): { id: string; title: string } | null {
    return this.#removing;
  }
  get current(): Conversation | null {
    return this.#current;
  }
  /** The answer being written right now in the open conversation. */
  get streaming(): { messageId: string; text: string } | null {
    return this.#streaming;
  }
  get hits(): SearchHit[] | null {
    return this.#hits;
  }
  get error(): string | null {
    return this.#error;
  }

  /** Sets the streaming answer at once, dropping tokens still waiting for a frame. */
  #setStreaming(value: { messageId: string; text: string } | null): void {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#arrived = null;
    this.#streaming = value;
  }

  subscribe(): () => void {
    const offs = [
      this.#api.chat.onToken((t) => {
        this.timings.token(t.messageId);
        if (t.conversationId !== this.#current?.id) return;
        const base = this.#arrived ?? this.#streaming;
        this.#arrived =
          base?.messageId === t.messageId
            ? { messageId: t.messageId, text: base.text + t.text }
            : { messageId: t.messageId, text: t.text };
        this.#frame ||= requestAnimationFrame(() => {
          this.#frame = 0;
          if (this.#arrived) this.#streaming = this.#arrived;
          this.#arrived = null;
        });
      }),
      this.#api.chat.onDone((d) => {
        this.timings.done(d.message.id);
        if (d.conversationId === this.#current?.id) void this.open(d.conversationId);
        void this.loadList();
      }),
      this.#api.chat.onFailed((f) => {
        if (f.conversationId !== this.#current?.id) return;
        this.#setStreaming(null);
        this.#error = f.error.message;
      }),
      this.#api.chat.onChanged(() => void this.loadList()),
    ];
    return () => offs.forEach((off) => off());
  }

  async loadList(): Promise<void> {
    await this.#run(async () => void (this.#conversations = await this.#api.chat.list()));
  }

  async open(id: string): Promise<void> {
    await this.#run(async () => {
      const conversation = await this.#api.chat.get({ id });
      this.#current = conversation;
      this.#setStreaming(conversation.generating);
    });
  }

  newChat(): void {
    this.#current = null;
    this.#setStreaming(null);
    this.#error = null;
  }

  async send(text: string): Promise<void> {
    await this.#start(() => this.#api.chat.send({ conversationId: this.#current?.id ?? null, text }));
  }
  async regenerate(): Promise<void> {
    const id = this.#current?.id;
    if (id) await this.#start(() => this.#api.chat.regenerate({ conversationId: id }));
  }
  async edit(messageId: string, text: string): Promise<void> {
    const id = this.#current?.id;
    if (id) await this.#start(() => this.#api.chat.edit({ conversationId: id, messageId, text }));
  }

  /**
   * Binds the open chat (or a new one) to a network model. Call only after the user confirmed
   * that the provider sees this chat.
   */
  async useNetwork(model: { sha256: string; name: string }): Promise<void> {
    await this.#run(async () => {
      this.#current = await this.#api.chat.useNetwork({
        conversationId: this.#current?.id ?? null,
        model: model.sha256,
        name: model.name,
        acknowledged: true,
      });
      await this.loadList();
    });
  }
  async useLocal(): Promise<void> {
    const id = this.#current?.id;
    if (id) await this.#run(async () => void (this.#current = await this.#api.chat.useLocal({ conversationId: id })));
  }

  async stop(): Promise<void> {
    const id = this.#current?.id;
    if (id) await this.#run(async () => void (await this.#api.chat.stop({ conversationId: id })));
  }

  async rename(title: string): Promise<void> {
    const id = this.#current?.id;
    if (!id) return;
    await this.#run(async () => {
      await this.#api.chat.rename({ id, title });
      if (this.#current?.id === id) this.#current = { ...this.#current, title };
      await this.loadList();
    });
  }

  /** Hides the conversation at once and deletes it after UNDO_DELETE_MS unless undoRemove() is called. */
  async remove(id: string): Promise<void> {
    await this.finishRemove();
    const wasOpen = this.#current?.id === id;
    const title = this.#conversations.find((c) => c.id === id)?.title ?? 'Conversation';
    this.#removing = { id, title, wasOpen };
    if (wasOpen) this.newChat();
    this.#removeTimer = setTimeout(() => void this.finishRemove(), UNDO_DELETE_MS);
  }

  async undoRemove(): Promise<void> {
    const removing = this.#removing;
    clearTimeout(this.#removeTimer);
    this.#removing = null;
    if (removing?.wasOpen && !this.#current) await this.open(removing.id);
  }

  /** Deletes the conversation waiting for undo now (the page is closing, or another one is deleted). */
  async finishRemove(): Promise<void> {
    const removing = this.#removing;
    if (!removing) return;
    clearTimeout(this.#removeTimer);
    await this.#run(async () => {
      await this.#api.chat.remove({ id: removing.id });
      await this.loadList();
    });
    if (this.#removing === removing) this.#removing = null;
  }

  async search(query: string): Promise<void> {
    if (!query.trim()) {
      this.#hits = null;
      return;
    }
    await this.#run(async () => void (this.#hits = await this.#api.chat.search({ query })));
  }

  async exportMarkdown(): Promise<{ fileName: string; markdown: string } | null> {
    const id = this.#current?.id;
    return id ? this.#api.chat.exportMarkdown({ id }) : null;
  }

  async #start(call: () => Promise<{ conversationId: string; messageId: string }>): Promise<void> {
    this.timings.asked();
    await this.#run(async () => {
      const started = await call();
      this.#setStreaming({ messageId: started.messageId, text: '' });
      const conversation = await this.#api.chat.get({ id: started.conversationId });
      this.#current = conversation;
      if (conversation.generating) this.#setStreaming(conversation.generating);
      await this.loadList();
    });
  }

  async #run(work: () => Promise<void>): Promise<void> {
    this.#error = null;
    try {
      await work();
    } catch (error) {
      this.#error = errorMessage(error);
    }
  }
}
