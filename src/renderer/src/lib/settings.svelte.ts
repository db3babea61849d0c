import { errorMessage } from './error-message';
import { refusalForField } from './refusal-for-field';
import type { HearthApi } from '../../../shared/contract';
import type { NumberLimit } from '../../../shared/setting-limits';
import type { Settings, SettingsPatch } from '../../../shared/settings';

/**
 * The UI's copy of the settings: loaded once, then kept current by `settings.changed`. Problems
 * are kept per field (by the field's id), so each is shown under its own field.
 */
export class SettingsState {
  #api: HearthApi;
  #current = $state.raw<Settings | null>(null);
  #limits = $state.raw<Record<string, NumberLimit>>({});
  #error = $state<string | null>(null);
  #problems = $state<Record<string, string>>({});
  #saving = $state(false);
  #resets = $state(0);

  constructor(api: HearthApi) {
    this.#api = api;
    api.settings.onChanged((settings) => (this.#current = settings));
  }

  get current(): Settings | null {
    return this.#current;
  }
  /** A refusal no field claimed. */
  get error(): string | null {
    return this.#error;
  }
  get saving(): boolean {
    return this.#saving;
  }
  /** Counts "Restore defaults": fields redraw their inputs, dropping wrong text a default equal to the old value would keep. */
  get resets(): number {
    return this.#resets;
  }
  /** True while any field shows a problem: nothing may then say "All changes saved". */
  get unsaved(): boolean {
    return this.#error !== null || Object.keys(this.#problems).length > 0;
  }
  /** The problem shown under the field with this id, if any. */
  problem(field: string): string | null {
    return this.#problems[field] ?? null;
  }
  /** The limits of a numeric setting by dotted path ("chat.temperature"), from the engine's schema. */
  limit(path: string): NumberLimit | undefined {
    return this.#limits[path];
  }

  async load(): Promise<void> {
    const [current, limits] = await Promise.all([this.#api.settings.get(), this.#api.settings.limits()]);
    this.#current = current;
    this.#limits = limits;
  }

  /** A field found its own value wrong before sending it (or is right again): shown under it. */
  setProblem(field: string, message: string | null): void {
    const { [field]: _dropped, ...rest } = this.#problems;
    this.#problems = message ? { ...rest, [field]: message } : rest;
  }

  /**
   * Saves a change. A refusal is kept for `field` when given (its input keeps what was typed),
   * else as the page's error. The door words each refused value with its path: those about
   * `field.path` go under the field, any other under the page.
   */
  async update(patch: SettingsPatch, field?: { id: string; path: string }): Promise<boolean> {
    this.#saving = true;
    this.#error = null;
    try {
      this.#current = await this.#api.settings.update(patch);
      if (field) this.setProblem(field.id, null);
      return true;
    } catch (error) {
      const placed = field ? refusalForField(error, field.path) : { field: null, page: errorMessage(error) };
      if (field) this.setProblem(field.id, placed.field);
      this.#error = placed.page;
      return false;
    } finally {
      this.#saving = false;
    }
  }

  async reset(): Promise<void> {
    this.#current = await this.#api.settings.reset();
    this.#problems = {};
    this.#error = null;
    this.#resets++;
  }
}
