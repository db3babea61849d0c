import { watch, type FSWatcher } from 'chokidar';
import { ignoreMatcher } from './scanner';
import type { WorkItem } from './work-queue';

export interface WatchedSource {
  collection: string;
  source: string;
}

export interface LibraryWatcherOptions {
  ignore: () => readonly string[];
  /** Receives queue items for adds, edits and deletes (a rename is a delete plus an add). */
  onChange: (items: WorkItem[]) => void;
}

/** Follows the library's sources with chokidar and turns file events into work items. */
export class LibraryWatcher {
  private readonly _watchers = new Map<WatchedSource, FSWatcher>();

  constructor(private readonly _options: LibraryWatcherOptions) {}

  watch(sources: readonly WatchedSource[]): void {
    for (const entry of sources) {
      const ignored = ignoreMatcher(this._options.ignore());
      const watcher = watch(entry.source, {
        ignoreInitial: true,
        ignored: (path: string) => ignored(path, entry.source),
        // Editors write in several steps; wait until the file stops changing.
        awaitWriteFinish: { stabilityThreshold: 300, pollInterval: 100 },
      });
      const on = (op: 'index' | 'delete') => (path: string) =>
        this._options.onChange([
          op === 'index'
            ? { op, collection: entry.collection, path, force: false }
            : { op, collection: entry.collection, path },
        ]);
      watcher.on('add', on('index')).on('change', on('index')).on('unlink', on('delete')).on('unlinkDir', on('delete'));
      watcher.on('error', () => undefined);
      this._watchers.set(entry, watcher);
    }
  }

  unwatch(predicate: (entry: WatchedSource) => boolean): void {
    for (const [entry, watcher] of this._watchers) {
      if (!predicate(entry)) continue;
      void watcher.close();
      this._watchers.delete(entry);
    }
  }

  /** Resolves when every watcher is ready (initial crawl done). */
  async ready(): Promise<void> {
    await Promise.all(
      [...this._watchers.values()].map(
        (w) => new Promise<void>((resolve) => (w.on('ready', () => resolve()), setTimeout(resolve, 5000))),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this._watchers.values()].map((w) => w.close()));
    this._watchers.clear();
  }
}
