import type { EventBus, EventName } from '../events';

/** An answer not heard from for this long is taken as finished (a lost `done` must not stop indexing for good). */
const STALE_MS = 30_000;

/** Events that mean the user is using Hearth right now (chatting, asking, indexing). */
const USE_EVENTS: ReadonlySet<string> = new Set<EventName>(['chat.started', 'chat.token', 'ask.token', 'library.progress']);

/**
 * What the user is doing with Hearth, learned from the engine's events alone, so the services
 * that step aside for the user need nothing from the chat, ask or library services. One per
 * engine: the library's indexing yields while an answer is `answering`; contribution to the
 * network pauses at every `onUse`.
 */
export class UserActivity {
  private readonly _open = new Map<string, number>();
  private readonly _listeners = new Set<() => void>();
  private readonly _stop: () => void;

  constructor(
    events: EventBus,
    private readonly _now: () => number = Date.now,
  ) {
    this._stop = events.onAny((name, payload) => {
      this._track(name, payload as { conversationId?: string; answerId?: string });
      if (USE_EVENTS.has(name)) for (const listener of this._listeners) listener();
    });
  }

  /** An answer (chat or ask) has started and not finished: the user waits on the model. */
  get answering(): boolean {
    const now = this._now();
    for (const [key, seen] of this._open) {
      if (now - seen < STALE_MS) return true;
      this._open.delete(key);
    }
    return false;
  }

  /** Calls `listener` each time the user chats, asks or indexes; returns the unsubscribe. */
  onUse(listener: () => void): () => void {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  dispose(): void {
    this._stop();
    this._open.clear();
    this._listeners.clear();
  }

  private _track(name: string, p: { conversationId?: string; answerId?: string }): void {
    switch (name) {
      case 'chat.started':
      case 'chat.token':
        this._open.set(`chat:${p.conversationId}`, this._now());
        break;
      case 'chat.done':
      case 'chat.failed':
        this._open.delete(`chat:${p.conversationId}`);
        break;
      case 'ask.progress':
      case 'ask.sources':
      case 'ask.token':
        this._open.set(`ask:${p.answerId}`, this._now());
        break;
      case 'ask.done':
        this._open.delete(`ask:${p.answerId}`);
        break;
    }
  }
}
