import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Contract } from '../../shared/contract';
import type { ServiceOf } from '../../shared/contract/define';
import { DisposedError } from '../disposable';
import { StackOwner } from '../dispose-stack';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import { modelsDir } from '../paths';
import type { NoticeBoard } from '../app';
import type { SettingsStore } from '../settings';
import type { OnStateDamage } from '../state';
import type { UserActivity } from '../activity/user-activity';
import { LibraryError } from './errors';
import { Library } from './library';
import type { WorkerLauncher } from '../workers/worker-launcher';
import { createLibraryService } from './library-service';

export interface EngineLibraryOptions {
  dataDir: string;
  settings: SettingsStore;
  events: EventBus;
  log: Logger;
  /** Where the library tells the user what they need to know (a missing embedding model, say). */
  notices?: Pick<NoticeBoard, 'post'>;
  /** Told about damaged library state files after they were set aside. */
  onDamage?: OnStateDamage;
  /** Starts the document readers (the app's utility processes; headless, Node's fork). */
  workerLauncher?: WorkerLauncher;
  /** What the user is doing: indexing yields between batches while an answer is being written. */
  activity: UserActivity;
}

export interface LibraryOverrides {
  /** A .gguf path or an installed model's file name, instead of settings.models.embeddingModel. */
  embedModel?: string | null;
  /** Follow changes with a watcher. Default: settings.library.watch. */
  watch?: boolean;
}

/** 1 thread on small machines: indexing runs beside the chat model and must not starve it. */
function embedThreads(setting: number): number {
  if (setting > 0) return Math.min(setting, 2);
  return cpus().length >= 8 ? 2 : 1;
}

/**
 * The engine's library: opened on first use (or shortly after start when there is work to
 * resume), configured from settings, its events sent through the engine's bus.
 */
export class EngineLibrary extends StackOwner {
  private _library: Promise<Library> | null = null;
  private _overrides: LibraryOverrides = {};
  private _timer: NodeJS.Timeout | null = null;
  /** The embedding model the open library was opened with, to notice the user choosing another. */
  private _openedWith: string | null = null;
  private _switching: Promise<void> = Promise.resolve();
  private _closing: Promise<void> = Promise.resolve();
  readonly service: ServiceOf<Contract['library']>;

  constructor(private readonly _options: EngineLibraryOptions) {
    super('The library');
    // Closed last: the library (and one being closed for a model switch), once nothing can open it any more.
    this._stack.defer(async () => {
      await this._closing;
      // A library that failed to open has nothing to close; its error went to whoever opened it.
      const library = await this._library?.catch(() => null);
      await library?.dispose();
    });
    const offSettings = _options.events.on('settings.changed', (next) => {
      const chosen = next.models.embeddingModel;
      if (this._library && this._overrides.embedModel === undefined && chosen !== this._openedWith) {
        this._switching = this._switching.then(() => this._reopen(chosen));
      }
    });
    this._stack.defer(async () => {
      offSettings();
      await this._switching;
    });
    this.service = createLibraryService(() => this.get());
    // Resume an interrupted run (or start watching) soon after start, unless a command configures it first.
    const dir = join(_options.dataDir, 'library');
    if (existsSync(join(dir, 'collections.json'))) {
      this._timer = setTimeout(() => {
        // Nobody waits for this open, so log why it failed; each later use of the library gets the same error.
        this.get().catch((error: unknown) =>
          _options.log.warn({ event: 'library-resume-failed', reason: (error as Error).message }),
        );
      }, 1500);
      this._timer.unref();
    }
    this._stack.defer(() => {
      if (this._timer) clearTimeout(this._timer);
    });
  }

  /** Sets options for the library before it opens (the CLI's --embed-model). */
  configure(overrides: LibraryOverrides): void {
    if (this._library) throw new LibraryError('The library is already open; configure it before first use.');
    if (this._timer) clearTimeout(this._timer);
    this._overrides = overrides;
  }

  /** The path of a model named on the command line or in settings (an installed file name or a path). */
  modelPath(name: string): string {
    return isAbsolute(name) || name.includes('/') || name.includes('\\')
      ? name
      : join(modelsDir(this._options.dataDir), name);
  }

  /** A model named on the command line must exist: the user asked for it just now. */
  resolveModelPath(name: string | null | undefined): string | null {
    if (!name) return null;
    const path = this.modelPath(name);
    if (!existsSync(path)) {
      throw new LibraryError(
        `The embedding model ${path} is missing; download it in Models or pass --embed-model with a .gguf path.`,
      );
    }
    return path;
  }

  get(): Promise<Library> {
    if (this._stack.disposed) return Promise.reject(new DisposedError('The library'));
    if (this._timer) clearTimeout(this._timer);
    this._library ??= (async () => {
      await this._closing;
      const { settings, events, log, dataDir } = this._options;
      const current = settings.get();
      const override = this._overrides.embedModel;
      const embedModel = override !== undefined ? override : current.models.embeddingModel;
      this._openedWith = current.models.embeddingModel;
      // A model chosen in settings that is missing or will not load is the library's to report:
      // it keeps its index and tells the user, instead of refusing to open.
      const embedModelPath =
        override !== undefined ? this.resolveModelPath(override) : embedModel ? this.modelPath(embedModel) : null;
      const library = await Library.open({
        dir: join(dataDir, 'library'),
        settings: () => settings.get().library,
        embedModelPath,
        modelsDir: modelsDir(dataDir),
        onNotice: (message) => {
          log.warn({ event: 'library-notice' }, message);
          this._options.notices?.post('warning', message);
        },
        onDamage: this._options.onDamage,
        log,
        reader: { launch: this._options.workerLauncher },
        embedThreads: embedThreads(current.models.threads),
        watch: this._overrides.watch ?? current.library.watch,
        isBusy: () => this._options.activity.answering,
        onProgress: (progress) => events.emit('library.progress', progress),
        onChanged: (collectionId) => events.emit('library.changed', { collectionId }),
      });
      log.info({ event: 'library-open', model: embedModel ?? null });
      return library;
    })();
    return this._library;
  }

  /**
   * The user chose another embedding model: the library reopens with it at once, which starts
   * re-indexing every collection with it (progress as usual, the old index answering until the
   * new one is complete). The library reads its model when it opens, so without this the choice
   * would wait for a restart.
   */
  private async _reopen(chosen: string | null): Promise<void> {
    const old = this._library;
    if (!old || chosen === this._openedWith || this._stack.disposed) return;
    this._options.log.info({ event: 'library-model-changed', model: chosen });
    // Calls that arrive meanwhile wait for the old library to close before the new one opens.
    this._closing = old
      .then((library) => library.dispose())
      .catch((error: unknown) => {
        this._options.log.warn({ event: 'library-close-failed', reason: (error as Error).message });
      });
    this._library = null;
    try {
      await this.get();
    } catch (error) {
      this._options.log.warn({ event: 'library-reopen-failed', reason: (error as Error).message });
      this._options.notices?.post(
        'warning',
        `The library could not switch embedding models: ${(error as Error).message}`,
      );
    }
  }
}

export function openEngineLibrary(options: EngineLibraryOptions): EngineLibrary {
  return new EngineLibrary(options);
}
