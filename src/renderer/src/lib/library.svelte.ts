import { errorMessage } from './error-message';
import type { HearthApi } from '../../../shared/contract';
import type {
  Collection,
  FileStatus,
  LibraryProgress,
  LibraryStatus,
  SearchHit,
} from '../../../shared/contract/library';

/** The Library page's state: collections, live progress, problem files and search results. */
export class LibraryState {
  #api: HearthApi;
  #collections = $state.raw<Collection[]>([]);
  #status = $state.raw<LibraryStatus | null>(null);
  #progress = $state.raw<Record<string, LibraryProgress>>({});
  #problems = $state.raw<Record<string, FileStatus[]>>({});
  #hits = $state.raw<SearchHit[] | null>(null);
  #error = $state<string | null>(null);
  #busy = $state(false);

  constructor(api: HearthApi) {
    this.#api = api;
  }

  get collections(): Collection[] {
    return this.#collections;
  }
  get status(): LibraryStatus | null {
    return this.#status;
  }
  get hits(): SearchHit[] | null {
    return this.#hits;
  }
  get error(): string | null {
    return this.#error;
  }
  get busy(): boolean {
    return this.#busy;
  }
  progressOf(id: string): LibraryProgress | null {
    return this.#progress[id] ?? null;
  }
  problemsOf(id: string): FileStatus[] {
    return this.#problems[id] ?? [];
  }

  /** Follows progress and changes; returns the function that stops following. */
  subscribe(): () => void {
    const offProgress = this.#api.library.onProgress((p) => {
      this.#progress = { ...this.#progress, [p.collectionId]: p };
      // Reload at the edges of a run so counts, queue and problems are current.
      if (p.phase !== 'indexing' && p.phase !== 'embedding') void this.load();
    });
    const offChanged = this.#api.library.onChanged(() => void this.load());
    return () => {
      offProgress();
      offChanged();
    };
  }

  async load(): Promise<void> {
    try {
      const status = await this.#api.library.status();
      this.#status = status;
      this.#collections = status.collections;
      const problems: Record<string, FileStatus[]> = {};
      for (const p of status.problems) (problems[p.collectionId] ??= []).push(p);
      this.#problems = problems;
    } catch (error) {
      this.#error = errorMessage(error);
    }
  }

  async #run(action: () => Promise<unknown>): Promise<boolean> {
    this.#busy = true;
    this.#error = null;
    try {
      await action();
      await this.load();
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
