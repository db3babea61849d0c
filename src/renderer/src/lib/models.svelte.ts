import { errorMessage } from './error-message';
import type { HearthApi } from '../../../shared/contract';
import type {
  CatalogItem,
  DownloadProgress,
  FirstRun,
  InstalledModel,
  ModelRole,
} from '../../../shared/contract/models';

export type ImportOutcome =
  | { kind: 'imported'; model: InstalledModel }
  | { kind: 'confirm'; message: string }
  | { kind: 'failed'; message: string };

/** The Models page's view of the engine: catalog, installed files, downloads in flight. */
export class ModelsState {
  #api: HearthApi;
  #catalog = $state.raw<CatalogItem[]>([]);
  #installed = $state.raw<InstalledModel[]>([]);
  #downloads = $state.raw<DownloadProgress[]>([]);
  #firstRun = $state.raw<FirstRun | null>(null);
  #error = $state<string | null>(null);
  #loading = $state(true);
  #offline = $state(false);

  constructor(api: HearthApi) {
    this.#api = api;
  }

  get catalog(): CatalogItem[] {
    return this.#catalog;
  }
  get installed(): InstalledModel[] {
    return this.#installed;
  }
  get downloads(): DownloadProgress[] {
    return this.#downloads;
  }
  get firstRun(): FirstRun | null {
    return this.#firstRun;
  }
  get error(): string | null {
    return this.#error;
  }
  get loading(): boolean {
    return this.#loading;
  }

  /** The latest progress of the download of a catalog entry, if any. */
  downloadOf(catalogId: string): DownloadProgress | undefined {
    return this.#downloads.findLast((d) => d.catalogId === catalogId);
  }

  /** Subscribes to engine events; returns the cleanup for `$effect`. */
  subscribe(): () => void {
    const offProgress = this.#api.models.onDownloadProgress((p) => {
      this.#downloads = [...this.#downloads.filter((d) => d.id !== p.id), p];
    });
    const offChanged = this.#api.models.onChanged(() => void this.load());
    return () => {
      offProgress();
      offChanged();
    };
  }

  async load(): Promise<void> {
    await this.#run(async () => {
      const [catalog, installed, downloads, firstRun] = await Promise.all([
        this.#api.models.catalog(),
        this.#api.models.installed(),
        this.#api.models.downloads(),
        this.#api.models.firstRun(),
      ]);
      this.#catalog = catalog;
      this.#installed = installed;
      this.#downloads = downloads;
      this.#firstRun = firstRun;
    });
    this.#loading = false;
  }

  download(catalogId: string): Promise<void> {
    return this.#run(async () => void (await this.#api.models.download({ catalogId })));
  }
  cancel(id: string): Promise<void> {
    return this.#run(async () => void (await this.#api.models.cancelDownload({ id })));
  }
  /** Starts the first-run downloads; an offline machine is remembered for the welcome to say so. */
  async setUp(): Promise<void> {
    try {
      await this.#api.models.setUp();
    } catch (error) {
      if ((error as Error).name === 'OfflineError') this.#offline = true;
      else this.#error = (error as Error).message;
    }
  }
  /** True once a request to the model host failed because the machine is offline. */
  get offline(): boolean {
    return (
      this.#offline || this.#firstRun?.online === false || this.#downloads.some((d) => d.error?.name === 'OfflineError')
    );
  }
  remove(file: string): Promise<void> {
    return this.#run(async () => {
      await this.#api.models.remove({ file });
      await this.load();
    });
  }
  /**
   * Imports a file; the outcome is for the import form to show beside its field. A re-import
   * with another role comes back as `confirm`, to be asked before it is sent with `changeRole`.
   */
  async import(path: string, role?: ModelRole, changeRole = false): Promise<ImportOutcome> {
    try {
      const model = await this.#api.models.import({
        path,
        ...(role ? { role } : {}),
        ...(changeRole ? { changeRole } : {}),
      });
      await this.load();
      return { kind: 'imported', model };
    } catch (error) {
      const message = errorMessage(error);
      return (error as Error).name === 'ModelRoleChangeError'
        ? { kind: 'confirm', message }
        : { kind: 'failed', message };
    }
  }

  async #run(work: () => Promise<void>): Promise<void> {
    this.#error = null;
    try {
      await work();
    } catch (error) {
      this.#error = errorMessage(error);
    }
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** "12 tokens/s" for an estimate; whole numbers above 10, one decimal below. */
export function formatSpeed(tokensPerSecond: number): string {
  return `${tokensPerSecond >= 10 ? Math.round(tokensPerSecond) : tokensPerSecond.toFixed(1)} tokens/s`;
}
