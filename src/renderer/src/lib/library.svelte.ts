import { errorMessage } from './error-message';
import { live, type Live } from './live.svelte';
import type { HearthApi } from '../../../shared/contract';
import type {
  Collection,
  FileStatus,
  LibraryProgress,
  LibraryStatus,
  SearchHit,
} from '../../../shared/contract/library';

/**
 * The app's view of the library: collections, live progress, problem files and search results.
 * The workspace creates it once and follows it; the Library page, Ask's scope and drop-to-add
 * read it from context.
 */
export class LibraryState {
  #api: HearthApi;
  readonly #status: Live<LibraryStatus>;
  #progress = $state.raw<Record<string, LibraryProgress>>({});
  #hits = $state.raw<SearchHit[] | null>(null);
  #error = $state<string | null>(null);
  #busy = $state(false);

  constructor(api: HearthApi) {
    this.#api = api;
    this.#status = live(
      () => api.library.status(),
      (update) => {
        const offProgress = api.library.onProgress((p) => {
          this.#progress = { ...this.#progress, [p.collectionId]: p };
          // Reload at the edges of a run so counts, queue and problems are current.
          if (p.phase !== 'indexing' && p.phase !== 'embedding') update();
        });
        const offChanged = api.library.onChanged(() => update());
        return () => {
          offProgress();
          offChanged();
        };
      },
    );
  }

  get collections(): Collection[] {
    return this.#status.value?.collections ?? [];
  }
  get status(): LibraryStatus | null {
    return this.#status.value;
  }
  get hits(): SearchHit[] | null {
    return this.#hits;
  }
  get error(): string | null {
    return this.#error ?? this.#status.error;
  }
  get busy(): boolean {
    return this.#busy;
  }
  progressOf(id: string): LibraryProgress | null {
    return this.#progress[id] ?? null;
  }
  problemsOf(id: string): FileStatus[] {
    return this.#status.value?.problems.filter((p) => p.collectionId === id) ?? [];
  }

  /** Loads and follows progress and changes; returns the function that stops following. */
  follow(): () => void {
    return this.#status.follow();
  }

  /** Adds a folder or file; throws what went wrong, for callers that report it their own way (drop to add). */
  async addSource(collection: string, path: string): Promise<void> {
    await this.#api.library.addSource({ collection, path });
  }

  async #run(action: () => Promise<unknown>): Promise<boolean> {
    this.#busy = true;
    this.#error = null;
    try {
      await action();
      await this.#status.reload();
      return true;
    } catch (error) {
      this.#error = errorMessage(error);
      return false;
    } finally {
      this.#busy = false;
    }
  }

  /** The system's folder dialog (app only); null when cancelled or refused, with the reason in `error`. */
  async pickFolder(): Promise<string | null> {
    this.#error = null;
    try {
      return (await this.#api.app.pickFolder({ title: 'Add a folder to your library' })).path;
    } catch (error) {
      this.#error = errorMessage(error);
      return null;
    }
  }

  addFolder(collection: string, path: string): Promise<boolean> {
    return this.#run(() => this.#api.library.addSource({ collection, path }));
  }
  reindex(id: string): Promise<boolean> {
    return this.#run(() => this.#api.library.reindex({ collection: id, force: true }));
  }
  remove(id: string): Promise<boolean> {
    return this.#run(() => this.#api.library.removeCollection({ collection: id }));
  }
  pause(): Promise<boolean> {
    return this.#run(() => this.#api.library.pause());
  }
  resume(): Promise<boolean> {
    return this.#run(() => this.#api.library.resume());
  }

  async search(query: string): Promise<void> {
    if (!query.trim()) {
      this.#hits = null;
      return;
    }
    this.#error = null;
    try {
      this.#hits = await this.#api.library.search({ query, top: 20 });
    } catch (error) {
      this.#error = errorMessage(error);
    }
  }
}
