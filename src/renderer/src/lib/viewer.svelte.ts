import { errorMessage } from './error-message';
import type { HearthApi } from '../../../shared/contract';
import type { PassageContext } from '../../../shared/contract/library';

/** A passage to show in its file: a search hit or an answer's source. */
export interface ViewerTarget {
  path: string;
  chunkId?: string;
  page?: number | null;
  /** Words to mark (the query's). */
  terms: readonly string[];
  /** Opens the file in the system viewer (an answer's source); returns why not, or null when it opened. */
  openFile?: () => Promise<string | null>;
}

/** The document viewer's state: which passage is open and its context from the engine. */
export class ViewerState {
  #api: HearthApi;
  #target = $state.raw<ViewerTarget | null>(null);
  #context = $state.raw<PassageContext | null>(null);
  #error = $state<string | null>(null);
  #loading = $state(false);
  /** Counts opens, so an older answer arriving late does not replace a newer one. */
  #request = 0;

  constructor(api: HearthApi) {
    this.#api = api;
  }

  get target(): ViewerTarget | null {
    return this.#target;
  }
  get context(): PassageContext | null {
    return this.#context;
  }
  get error(): string | null {
    return this.#error;
  }
  get loading(): boolean {
    return this.#loading;
  }

  async open(target: ViewerTarget): Promise<void> {
    const request = ++this.#request;
    this.#target = target;
    this.#context = null;
    this.#error = null;
    this.#loading = true;
    try {
      const context = await this.#api.library.context({
        path: target.path,
        ...(target.chunkId ? { chunkId: target.chunkId } : {}),
        ...(target.page ? { page: target.page } : {}),
        terms: target.terms.slice(0, 50),
      });
      if (request === this.#request) this.#context = context;
    } catch (error) {
      if (request === this.#request) this.#error = errorMessage(error);
    } finally {
      if (request === this.#request) this.#loading = false;
    }
  }

  close(): void {
    this.#request++;
    this.#target = null;
    this.#context = null;
    this.#error = null;
    this.#loading = false;
  }
}
