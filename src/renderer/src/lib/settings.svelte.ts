import { errorMessage } from './error-message';
import type { HearthApi } from '../../../shared/contract';
import type { Settings, SettingsPatch } from '../../../shared/settings';

/** The UI's copy of the settings: loaded once, then kept current by `settings.changed`. */
export class SettingsState {
  #api: HearthApi;
  #current = $state.raw<Settings | null>(null);
  #error = $state<string | null>(null);
  #saving = $state(false);

  constructor(api: HearthApi) {
    this.#api = api;
    api.settings.onChanged((settings) => (this.#current = settings));
  }

  get current(): Settings | null {
    return this.#current;
  }
  get error(): string | null {
    return this.#error;
  }
  get saving(): boolean {
    return this.#saving;
  }

  async load(): Promise<void> {
    this.#current = await this.#api.settings.get();
  }

  /** Saves a change; a refusal is kept in `error` for the page to show. */
  async update(patch: SettingsPatch): Promise<boolean> {
    this.#saving = true;
    this.#error = null;
    try {
      this.#current = await this.#api.settings.update(patch);
      return true;
    } catch (error) {
      this.#error = errorMessage(error);
      return false;
    } finally {
      this.#saving = false;
    }
  }

  async reset(): Promise<void> {
    this.#current = await this.#api.settings.reset();
  }
}
