import type { OnStateDamage } from '../state';
import { join } from 'node:path';
import type { Settings, SettingsPatch } from '../../shared/settings';
import type { Disposable } from '../disposable';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import { LlamaRuntime, ModelSlots, ModelStore, ModelsService } from '../models';
import { modelsDir } from '../paths';
import type { SecretStore } from '../secrets';
import { LocalApiServer } from '../api-server';
import { ChatService } from './chat-service';
import type { NetworkGenerator } from './network-generator';

export interface LocalAiOptions {
  dataDir: string;
  settings: { get(): Settings; update(patch: SettingsPatch): Promise<Settings> };
  events: EventBus;
  log: Logger;
  secrets: SecretStore;
  /** Default `auto` (CUDA, Metal, Vulkan, else CPU); tests may force the CPU. */
  gpu?: 'auto' | false;
  /** Answers chats the user bound to a network model. Default none: such chats cannot answer. */
  network?: NetworkGenerator;
  /** Told about damaged state files (models.json, chats) after they were set aside. */
  onDamage?: OnStateDamage;
}

/**
 * Everything local inference needs, created together and disposed in reverse: the shared
 * runtime, the models folder, one loaded model per role, the models and chat services and the
 * OpenAI-compatible local API (which starts only when settings.api.enabled).
 */
export class LocalAi implements Disposable {
  readonly runtime: LlamaRuntime;
  readonly store: ModelStore;
  readonly slots: ModelSlots;
  readonly models: ModelsService;
  readonly chat: ChatService;
  readonly api: LocalApiServer;
  private _disposed = false;

  constructor(options: LocalAiOptions) {
    const { settings, events, log } = options;
    this.runtime = new LlamaRuntime({ gpu: options.gpu ?? 'auto', threads: () => settings.get().models.threads });
    this.store = new ModelStore(modelsDir(options.dataDir), options.onDamage);
    this.slots = new ModelSlots({ runtime: this.runtime, store: this.store });
    this.models = new ModelsService({
      runtime: this.runtime,
      store: this.store,
      slots: this.slots,
      events,
      log,
      settings,
      apiInfo: () => this.api.info(),
    });
    this.chat = new ChatService({
      dir: join(options.dataDir, 'chats'),
      slots: this.slots,
      models: this.store,
      events,
      log,
      settings,
      network: options.network,
      onDamage: options.onDamage,
    });
    this.api = new LocalApiServer({
      chat: this.chat,
      slots: this.slots,
      store: this.store,
      settings,
      events,
      log,
      secrets: options.secrets,
    });
  }

  get disposed(): boolean {
    return this._disposed;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    await this.api.dispose();
    await this.chat.dispose();
    await this.models.dispose();
    await this.slots.dispose();
    await this.runtime.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
