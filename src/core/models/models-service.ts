import { randomUUID } from 'node:crypto';
import { freemem } from 'node:os';
import type { Contract } from '../../shared/contract';
import type { ServiceOf } from '../../shared/contract/define';
import type {
  CatalogEntry,
  CatalogItem,
  DownloadProgress,
  FirstRun,
  InstalledModel,
  ModelRole,
} from '../../shared/contract/models';
import type { Settings, SettingsPatch } from '../../shared/settings';
import { DisposedError } from '../disposable';
import { StackOwner } from '../dispose-stack';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import { loadCatalog } from './catalog';
import { ModelRoleChangeError, OfflineError, UnknownCatalogModelError } from './errors';

const MODEL_HOST = 'https://huggingface.co';
import { downloadFile } from './downloader';
import { fitFromCatalog, fitFromGguf } from './fit';
import { bestFitting, pickReason } from './first-pick';
import { estimateSpeed } from './speed-estimate';
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
    const hw = await this._o.runtime.hardware();
    return Promise.all(
      list.map(async (m) => {
        const facts = await this._o.store.facts(m.file);
        // No estimate (an architecture node-llama-cpp cannot size) shows as an unknown fit, not an error.
        const fit = await fitFromGguf(llama, facts.info, m.role !== 'chat').catch(() => null);
        // A chat model's speed is estimated until its first answer here measures it.
        const estimate = m.role === 'chat' && fit && !m.speed ? estimateSpeed(m.bytes, fit, hw).tokensPerSecond : null;
        return { ...m, fit, ...(estimate !== null ? { speed: { tokensPerSecond: estimate, measured: false } } : {}) };
      }),
    );
  }

  async catalog(): Promise<CatalogItem[]> {
    const installed = new Map((await this.installed()).map((m) => [m.file, m]));
    const hw = await this._o.runtime.hardware();
    const memory = { ramFree: Math.max(hw.ramFree, freemem()), vramFree: hw.vramFree, gpu: hw.gpu !== false };
    return this._catalog.map((entry) => {
      const local = installed.get(entry.file);
      const fit = local?.fit ?? fitFromCatalog(entry, memory);
      return { ...entry, installed: local !== undefined, fit, speed: estimateSpeed(entry.bytes, fit, hw) };
    });
  }

  /** What a new user needs. Makes no network request: Hearth stays offline until asked. */
  async firstRun(): Promise<FirstRun> {
    const items = await this.catalog();
    const installed = await this._o.store.list();
    const hw = await this._o.runtime.hardware();
    const chat = bestFitting(items, 'chat', freemem());
    return {
      needed: !installed.some((m) => m.role === 'chat'),
      online: this._online,
      chat,
      embedding: bestFitting(items, 'embedding', freemem()),
      machine: { cpuCores: hw.cpuCores, gpu: hw.gpu, vramTotal: hw.vramTotal, ramTotal: hw.ramTotal },
      reason: pickReason(chat, hw),
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

  /** The first chat and the first embedding model are chosen for their role; later ones wait for Use. */
  private async _choose(entry: { role: ModelRole; file: string }): Promise<void> {
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

  /**
   * Imports a GGUF file. A file already installed keeps its role unless another is asked for,
   * and then only with `changeRole` (else ModelRoleChangeError, so the UI can ask first); a
   * changed role stops its use in the old one. The first chat or embedding model is chosen.
   */
  async import(path: string, role?: ModelRole, changeRole = false): Promise<InstalledModel> {
    const name = this._o.store.fileNameFor(path);
    const before = (await this._o.store.list()).find((m) => m.file === name);
    if (before && role && before.role !== role && !changeRole) throw new ModelRoleChangeError(name, before.role, role);
    // Loaded in its old role, it would keep serving that role until the next restart.
    if (before && role && before.role !== role) await this._o.slots.unloadFile(name);
    const file = await this._o.store.import(path, role ?? before?.role);
    const found = (await this.installed()).find((m) => m.file === file);
    if (!found) throw new Error(`${file} was imported but cannot be listed.`);
    if (before && before.role !== found.role) await this._forgetChoice(file);
    await this._choose(found);
    this._o.events.emit('models.changed', {});
    return found;
  }

  /** The file is no longer chosen for any role (removed, or its role changed). */
  private async _forgetChoice(file: string): Promise<void> {
    const models = this._o.settings.get().models;
    if (models.chatModel === file) await this._o.settings.update({ models: { chatModel: null } });
    if (models.embeddingModel === file) await this._o.settings.update({ models: { embeddingModel: null } });
  }

  async remove(file: string): Promise<void> {
    await this._o.slots.unloadFile(file);
    await this._o.store.remove(file);
    await this._forgetChoice(file);
    this._o.events.emit('models.changed', {});
  }

  api(): ServiceOf<Contract['models']> {
    return {
      hardware: () => this._o.runtime.hardware(),
      catalog: () => this.catalog(),
      installed: () => this.installed(),
      // The first model of a role is chosen when done, whichever button downloaded it.
      download: async ({ catalogId }) => ({ id: this.download(catalogId, { chooseWhenDone: true }).id }),
      cancelDownload: async ({ id }) => {
        this.cancelDownload(id);
        return null;
      },
      downloads: async () => this.downloads(),
      import: ({ path, role, changeRole }) => this.import(path, role, changeRole),
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
