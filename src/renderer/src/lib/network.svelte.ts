import { errorMessage } from './error-message';
import { live, type Live } from './live.svelte';
import type { HearthApi } from '../../../shared/contract';
import type { NetworkStatus } from '../../../shared/contract/network';

/**
 * The app's one view of the network node: its status, loaded once and kept current by
 * `network.status`, and the actions that change it. The workspace creates it; the Contribute
 * page and the start warning read it from context.
 */
export class NetworkState {
  #api: HearthApi;
  readonly #status: Live<NetworkStatus>;
  #error = $state<string | null>(null);
  #busy = $state(false);

  constructor(api: HearthApi) {
    this.#api = api;
    this.#status = live(
      () => api.network.status(),
      (update) => api.network.onStatus(update),
    );
  }

  get status(): NetworkStatus | null {
    return this.#status.value;
  }
  /** What the last action (or the first load) could not do, in words. */
  get error(): string | null {
    return this.#error ?? this.#status.error;
  }
  get busy(): boolean {
    return this.#busy;
  }

  /** Loads the status and follows its changes; returns the function that stops following. */
  follow(): () => void {
    return this.#status.follow();
  }
  async start(): Promise<void> {
    await this.#run(() => this.#api.network.start({}));
  }
  async stop(): Promise<void> {
    await this.#run(() => this.#api.network.stop());
  }
  /** "Not now": no sharing for `minutes`. Throws what went wrong, for the caller to show where it asked. */
  async snooze(minutes: number): Promise<void> {
    this.#status.set(await this.#api.network.snooze({ minutes }));
  }

  async #run(action: () => Promise<NetworkStatus>): Promise<void> {
    this.#busy = true;
    this.#error = null;
    try {
      this.#status.set(await action());
    } catch (error) {
      this.#error = errorMessage(error);
    } finally {
      this.#busy = false;
    }
  }
}
