import { randomUUID } from 'node:crypto';
import { freemem } from 'node:os';
import type { Contract } from '../../shared/contract';
import type { ServiceOf } from '../../shared/contract/define';
import type { CatalogEntry, CatalogItem, DownloadProgress, InstalledModel } from '../../shared/contract/models';
import type { Settings, SettingsPatch } from '../../shared/settings';
import { DisposedError } from '../disposable';
import { StackOwner } from '../dispose-stack';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import { loadCatalog } from './catalog';
import { OfflineError, UnknownCatalogModelError } from './errors';

const MODEL_HOST = 'https://huggingface.co';
import { downloadFile } from './downloader';
import { fitFromCatalog, fitFromGguf } from './fit';
import type { LlamaRuntime } from './llama-runtime';
import type { ModelSlots } from './model-slots';
import type { ModelStore } from './model-store';

export interface ModelsServiceOptions {
  runtime: LlamaRuntime;
  store: ModelStore;
  slots: ModelSlots;
  events: EventBus;
  log: Logger;
  settings: { get(): Settings; update(patch: SettingsPatch): Promise<Settings> };
  /** Default: resources/catalog.json. Tests pass entries pointing at a local server. */
  catalog?: CatalogEntry[];
  /** The local API's address and key, for the `apiInfo` call. */
  apiInfo?: () => Promise<{ running: boolean; baseUrl: string | null; key: string }>;
  /** Whether the model host is reachable; default a HEAD request to huggingface.co. */
  isOnline?: () => Promise<boolean>;
}

interface RunningDownload {
  progress: DownloadProgress;
  controller: AbortController;
  done: Promise<void>;
}

async function reachable(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(4000) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

/** The `models` namespace: catalog with fit, downloads, installed files, first-run setup. */
export class ModelsService extends StackOwner {
  private readonly _catalog: CatalogEntry[];
  private readonly _downloads = new Map<string, RunningDownload>();
  /** Known only after setUp has checked; null until then. */
  private _online: boolean | null = null;

  constructor(private readonly _o: ModelsServiceOptions) {
    super('The models service');
    this._catalog = _o.catalog ?? loadCatalog();
    // Downloads in progress stop and keep their .part file for a resume.
    this._stack.defer(async () => {
      for (const d of this._downloads.values()) d.controller.abort();
      await Promise.allSettled([...this._downloads.values()].map((d) => d.done));
    });
  }

  async installed(): Promise<InstalledModel[]> {
    const llama = await this._o.runtime.getLlama();
    const list = await this._o.store.list();
    return Promise.all(
      list.map(async (m) => {
        const facts = await this._o.store.facts(m.file);
        const fit = await fitFromGguf(llama, facts.info, m.role !== 'chat').catch(() => null);
        return { ...m, fit };
      }),
    );
  }

  async catalog(): Promise<CatalogItem[]> {
    const installed = new Map((await this.installed()).map((m) => [m.file, m]));
    const hw = await this._o.runtime.hardware();
    const memory = { ramFree: Math.max(hw.ramFree, freemem()), vramFree: hw.vramFree, gpu: hw.gpu !== false };
    return this._catalog.map((entry) => {
      const local = installed.get(entry.file);
      return { ...entry, installed: local !== undefined, fit: local?.fit ?? fitFromCatalog(entry, memory) };
    });
  }

  /** The largest catalog model of `role` that fits, preferring ones that fit on the GPU. */
  bestFitting(items: CatalogItem[], role: CatalogEntry['role']): CatalogItem | null {
    const fitting = items.filter((i) => i.role === role && i.fit.verdict !== 'too-large');
    // Leave room for everything else the user runs: pick from models using at most half the RAM budget.
    const modest = fitting.filter((i) => i.fit.verdict === 'gpu' || i.fit.ramBytes <= freemem() / 2);
    const pool = modest.length > 0 ? modest : fitting;
    return (
      pool.sort(
        (a, b) => Number(b.fit.verdict === 'gpu') - Number(a.fit.verdict === 'gpu') || b.paramsB - a.paramsB,
      )[0] ?? null
    );
  }

  /** What a new user needs. Makes no network request: Hearth stays offline until asked. */
  async firstRun(): Promise<{
    needed: boolean;
    online: boolean | null;
    chat: CatalogItem | null;
    embedding: CatalogItem | null;
  }> {
    const items = await this.catalog();
    const installed = await this._o.store.list();
    return {
      needed: !installed.some((m) => m.role === 'chat'),
      online: this._online,
      chat: this.bestFitting(items, 'chat'),
      embedding: this.bestFitting(items, 'embedding'),
    };
  }

  async setUp(): Promise<{ downloads: string[] }> {
    const state = await this.firstRun();
    const pending = [state.chat, state.embedding].filter((i) => i && !i.installed);
    if (pending.length > 0) {
      this._online = await (this._o.isOnline ?? (() => reachable(MODEL_HOST)))();
      if (!this._online) throw new OfflineError(new URL(MODEL_HOST).host);
    }
    const ids: string[] = [];
    for (const item of [state.chat, state.embedding]) {
      if (!item) continue;
      if (item.installed) await this._choose(item);
      else ids.push(this.download(item.id, { chooseWhenDone: true }).id);
    }
    return { downloads: ids };
  }

  private async _choose(entry: CatalogEntry): Promise<void> {
    const current = this._o.settings.get().models;
    if (entry.role === 'chat' && !current.chatModel)
      await this._o.settings.update({ models: { chatModel: entry.file } });
    if (entry.role === 'embedding' && !current.embeddingModel)
      await this._o.settings.update({ models: { embeddingModel: entry.file } });
  }

  downloads(): DownloadProgress[] {
    return [...this._downloads.values()].map((d) => d.progress);
  }

  /** Starts downloading a catalog entry; a second call for one already running returns it. */
  download(catalogId: string, options: { chooseWhenDone?: boolean } = {}): { id: string; done: Promise<void> } {
    if (this._stack.disposed) throw new DisposedError('The models service');
    const entry = this._catalog.find((e) => e.id === catalogId);
    if (!entry) throw new UnknownCatalogModelError(catalogId);
    for (const [id, d] of this._downloads) {
      if (d.progress.catalogId === catalogId && (d.progress.state === 'running' || d.progress.state === 'verifying')) {
        return { id, done: d.done };
      }
    }
    const id = randomUUID();
    const controller = new AbortController();
    const progress: DownloadProgress = {
      id,
      catalogId,
      file: entry.file,
      bytesPerSecond: 0,
      state: 'running',
      error: null,
      progress: { done: 0, total: entry.bytes, etaSeconds: null },
    };
    const update = (patch: Partial<DownloadProgress>) => {
      Object.assign(progress, patch);
      this._o.events.emit('models.downloadProgress', { ...progress, progress: { ...progress.progress } });
    };
    const done = (async () => {
      try {
        const result = await downloadFile({
          url: entry.url,
          target: this._o.store.pathOf(entry.file),
          sha256: entry.sha256,
          expectedBytes: entry.bytes,
          signal: controller.signal,
          onProgress: (p) =>
            update({
              state: p.state,
              bytesPerSecond: p.bytesPerSecond,
              progress: { done: p.done, total: p.total, etaSeconds: p.etaSeconds },
            }),
        });
        await this._o.store.record(entry.file, { role: entry.role, sha256: result.sha256, catalogId });
        update({ state: 'done', progress: { done: result.bytes, total: result.bytes, etaSeconds: 0 } });
        this._o.log.info({ event: 'model-downloaded', file: entry.file, bytes: result.bytes });
        if (options.chooseWhenDone) await this._choose(entry);
        this._o.events.emit('models.changed', {});
      } catch (error) {
        const e = error as Error;
        if (controller.signal.aborted) update({ state: 'cancelled' });
        else {
          this._o.log.warn({ event: 'model-download-failed', file: entry.file, error: e.message });
          update({ state: 'failed', error: { name: e.name, message: e.message } });
        }
      }
    })();
    this._downloads.set(id, { progress, controller, done });
    update({});
    return { id, done };
  }

  cancelDownload(id: string): void {
    this._downloads.get(id)?.controller.abort();
  }

  async import(path: string, role?: CatalogEntry['role']): Promise<InstalledModel> {
    const file = await this._o.store.import(path, role);
    this._o.events.emit('models.changed', {});
    const found = (await this.installed()).find((m) => m.file === file);
    if (!found) throw new Error(`${file} was imported but cannot be listed.`);
    return found;
  }

  async remove(file: string): Promise<void> {
    await this._o.slots.unloadFile(file);
    await this._o.store.remove(file);
    const models = this._o.settings.get().models;
    if (models.chatModel === file) await this._o.settings.update({ models: { chatModel: null } });
    if (models.embeddingModel === file) await this._o.settings.update({ models: { embeddingModel: null } });
    this._o.events.emit('models.changed', {});
  }

  api(): ServiceOf<Contract['models']> {
    return {
      hardware: () => this._o.runtime.hardware(),
      catalog: () => this.catalog(),
      installed: () => this.installed(),
      download: async ({ catalogId }) => ({ id: this.download(catalogId).id }),
      cancelDownload: async ({ id }) => {
        this.cancelDownload(id);
        return null;
      },
      downloads: async () => this.downloads(),
      import: ({ path, role }) => this.import(path, role),
      remove: async ({ file }) => {
        await this.remove(file);
        return null;
      },
      firstRun: () => this.firstRun(),
      setUp: () => this.setUp(),
      apiInfo: async () => {
        if (!this._o.apiInfo) throw new Error('The local API is not available in this build.');
        return this._o.apiInfo();
      },
    };
  }
}
