import type { EventBus } from '../events';

/** An answer not heard from for this long is taken as finished (a lost `done` must not stop indexing for good). */
const STALE_MS = 30_000;

/**
 * Whether the user is waiting on the chat model: an answer (chat or ask) has started and has
 * not finished. The library's indexing yields between batches while this is true, so on a
 * small machine the answer gets the CPU. Learned from the engine's events alone, so the
 * library needs nothing from the chat or ask services.
 */
export class ChatActivity {
  private readonly _open = new Map<string, number>();
  private readonly _stop: () => void;

  constructor(
    events: EventBus,
    private readonly _now: () => number = Date.now,
  ) {
    this._stop = events.onAny((name, payload) => {
      const p = payload as { conversationId?: string; answerId?: string };
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
    });
  }

  get busy(): boolean {
    const now = this._now();
    for (const [key, seen] of this._open) {
      if (now - seen < STALE_MS) return true;
      this._open.delete(key);
    }
    return false;
  }

  dispose(): void {
    this._stop();
    this._open.clear();
  }
}
