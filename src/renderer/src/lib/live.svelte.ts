import { errorMessage } from './error-message';

/** Subscribes to the engine's events; `update(value)` puts a value an event carries, `update()` loads again. */
export type Follow<T> = (update: (value?: T) => void) => () => void;

/**
 * A value the engine owns, as the UI sees it: loaded, then kept current by its events. This is
 * "load, then follow updates" written once. It subscribes before it loads, and an answer that
 * arrives after a newer value (an event, or a later load) is dropped, so a change made while
 * the first load was in flight is never overwritten by the older answer.
 */
export class Live<T> {
  #value = $state.raw<T | null>(null);
  #error = $state<string | null>(null);
  /** Counts values put in place; a load applies its answer only if nothing newer came meanwhile. */
  #version = 0;
  #followers = 0;
  #stop: (() => void) | null = null;
  readonly #load: () => Promise<T>;
  readonly #follow: Follow<T>;

  constructor(load: () => Promise<T>, follow: Follow<T>) {
    this.#load = load;
    this.#follow = follow;
  }

  /** Null until the first load (or event) answers. */
  get value(): T | null {
    return this.#value;
  }
  /** Why the last load failed, in words; null once a value arrives. */
  get error(): string | null {
    return this.#error;
  }

  /** Puts a newer value in place, such as the one an action answered with. */
  set(value: T): void {
    this.#version++;
    this.#value = value;
    this.#error = null;
  }

  /** Loads again; resolves when the answer is in place (or dropped as older, or failed into `error`). */
  async reload(): Promise<void> {
    const version = ++this.#version;
    try {
      const value = await this.#load();
      if (version !== this.#version) return;
      this.#value = value;
      this.#error = null;
    } catch (error) {
      if (version === this.#version) this.#error = errorMessage(error);
    }
  }

  /**
   * Follows the events, then loads; returns the function that stops following (for `$effect`).
   * Followers share one subscription: the first one subscribes and loads, the last one to stop
   * unsubscribes, and the value stays for the next follower, who loads it again.
   */
  follow(): () => void {
    if (this.#followers++ === 0) {
      this.#stop = this.#follow((value) => (value === undefined ? void this.reload() : this.set(value)));
      void this.reload();
    }
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      if (--this.#followers > 0) return;
      this.#stop?.();
      this.#stop = null;
    };
  }
}

/** `live(load, follow)`: see Live. */
export function live<T>(load: () => Promise<T>, follow: Follow<T>): Live<T> {
  return new Live(load, follow);
}
