import { errorMessage } from './error-message';
import type { HearthApi } from '../../../shared/contract';
import type { NetworkStatus } from '../../../shared/contract/network';

/** The Contribute page's view of the node: loaded once, then kept current by `network.status`. */
export class ContributeState {
  #api: HearthApi;
  #status = $state.raw<NetworkStatus | null>(null);
  #error = $state<string | null>(null);
  #busy = $state(false);

  constructor(api: HearthApi) {
    this.#api = api;
  }

  get status(): NetworkStatus | null {
    return this.#status;
  }
  get error(): string | null {
    return this.#error;
  }
  get busy(): boolean {
    return this.#busy;
  }

  /** Loads the status and follows its changes; returns the function that stops following. */
  follow(): () => void {
    void this.#run(async () => (this.#status = await this.#api.network.status()));
    return this.#api.network.onStatus((status) => (this.#status = status));
  }

  async start(): Promise<void> {
    await this.#run(async () => (this.#status = await this.#api.network.start({})));
  }

  async stop(): Promise<void> {
    await this.#run(async () => (this.#status = await this.#api.network.stop()));
  }

  async #run(action: () => Promise<unknown>): Promise<void> {
    this.#busy = true;
    this.#error = null;
    try {
      await action();
    } catch (error) {
      this.#error = errorMessage(error);
    } finally {
      this.#busy = false;
    }
  }
}

/** "22-7" -> [22, 23, 0, ..., 6]; "" -> [] (any hour); null when it cannot be read. */
export function parseHours(text: string): number[] | null {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const match = /^(\d{1,2})\s*-\s*(\d{1,2})$/.exec(trimmed);
  if (!match) return null;
  const from = Number(match[1]);
  const to = Number(match[2]);
  if (from > 23 || to > 24 || from === to) return null;
  const hours: number[] = [];
  for (let h = from; h !== to % 24; h = (h + 1) % 24) hours.push(h);
  return hours;
}

/** [22, 23, 0, ..., 6] -> "22-7"; [] -> "". */
export function formatHours(hours: readonly number[]): string {
  if (hours.length === 0) return '';
  const start = hours.find((h) => !hours.includes((h + 23) % 24)) ?? hours[0]!;
  return `${start}-${(start + hours.length) % 24}`;
}
