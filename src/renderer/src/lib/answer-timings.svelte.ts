import { SvelteMap } from 'svelte/reactivity';

/** How fast an answer came: measured here from the streamed events, since the contract does not carry it. */
export interface AnswerTiming {
  /** From asking to the first streamed piece, in ms (includes reading the prompt). */
  firstTokenMs: number;
  /** Streamed pieces per second after the first one; null when there was only one piece. */
  tokensPerSecond: number | null;
}

interface Live {
  messageId: string | null;
  askedAt: number;
  firstAt: number | null;
  pieces: number;
}

/**
 * Timing of the answers streamed while this page is open. Each `token` event carries one piece of
 * generated text (one token, or a few when a character spans tokens), so pieces per second is the
 * tokens per second the user sees. Answers from before the page opened have no timing.
 */
export class AnswerTimings {
  readonly #byMessage = new SvelteMap<string, AnswerTiming>();
  #live: Live | null = null;

  get(messageId: string): AnswerTiming | undefined {
    return this.#byMessage.get(messageId);
  }

  /** The user asked for an answer (send, regenerate, edit): the clock starts now. */
  asked(): void {
    this.#live = { messageId: null, askedAt: performance.now(), firstAt: null, pieces: 0 };
  }

  token(messageId: string): void {
    const now = performance.now();
    const live = this.#live;
    if (!live) return;
    // A new message id means the answer restarted (another provider took over): count afresh.
    if (live.messageId !== messageId) this.#live = { messageId, askedAt: live.askedAt, firstAt: now, pieces: 1 };
    else live.pieces++;
  }

  done(messageId: string): void {
    const live = this.#live;
    if (!live || live.messageId !== messageId || live.firstAt === null) return;
    this.#live = null;
    const seconds = (performance.now() - live.firstAt) / 1000;
    const timing: AnswerTiming = {
      firstTokenMs: live.firstAt - live.askedAt,
      tokensPerSecond: live.pieces > 1 && seconds > 0 ? (live.pieces - 1) / seconds : null,
    };
    this.#byMessage.set(messageId, timing);
  }
}
