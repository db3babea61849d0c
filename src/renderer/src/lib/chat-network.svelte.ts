import type { HearthApi } from '../../../shared/contract';
import type { NetworkProvider } from '../../../shared/contract/network';

/** A model that at least one known provider offers. */
export interface NetworkModel {
  sha256: string;
  name: string;
  providers: number;
}

/** Announcements arrive without a status change; re-read the providers this often while the node runs. */
const REFRESH_MS = 3_000;

/** The Chat page's view of the network: whether the node runs and which models providers offer. */
export class ChatNetworkState {
  #api: HearthApi;
  #running = $state(false);
  #models = $state.raw<NetworkModel[]>([]);

  constructor(api: HearthApi) {
    this.#api = api;
  }

  get running(): boolean {
    return this.#running;
  }
  get models(): NetworkModel[] {
    return this.#models;
  }

  /** Loads once, then follows the node; returns the function that stops following. */
  follow(): () => void {
    void this.refresh();
    const off = this.#api.network.onStatus((status) => {
      if (status.running !== this.#running) void this.refresh();
    });
    const timer = setInterval(() => {
      if (this.#running) void this.refresh();
    }, REFRESH_MS);
    return () => {
      off();
      clearInterval(timer);
    };
  }

  async refresh(): Promise<void> {
    try {
      const status = await this.#api.network.status();
      this.#running = status.running;
      this.#models = status.running ? offeredModels(await this.#api.network.providers({})) : [];
    } catch {
      // The list stays as it was; the next refresh tries again.
    }
  }
}

function offeredModels(providers: NetworkProvider[]): NetworkModel[] {
  const models: NetworkModel[] = [];
  for (const provider of providers) {
    for (const model of provider.models) {
      const known = models.find((m) => m.sha256 === model.sha256);
      if (known) known.providers++;
      else models.push({ sha256: model.sha256, name: model.name, providers: 1 });
    }
  }
  return models.sort((a, b) => a.name.localeCompare(b.name));
}
