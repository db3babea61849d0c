import { join } from 'node:path';
import type { Settings, SettingsPatch } from '../../shared/settings';
import { ChatService, type NetworkGenerator } from '../chat';
import { StackOwner } from '../dispose-stack';
import { LocalApiServer } from '../doors/local-api';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import { LlamaRuntime, ModelSlots, ModelStore, ModelsService } from '../models';
import { modelsDir } from '../paths';
import type { SecretStore } from '../secrets';
import type { OnStateDamage } from '../state';

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
 * runtime, the models folder, one loaded model per role, the models and chat services, and the
 * OpenAI-compatible local API (a door onto chat and models, which starts only when
 * settings.api.enabled). Part of the engine's composition root, not of any one capability.
 */
export class LocalAi extends StackOwner {
  readonly runtime: LlamaRuntime;
  readonly store: ModelStore;
  readonly slots: ModelSlots;
  readonly models: ModelsService;
  readonly chat: ChatService;
  readonly api: LocalApiServer;

  constructor(options: LocalAiOptions) {
    super('Local AI');
    const { settings, events, log } = options;
    const stack = this._stack;
    this.runtime = stack.use(
      new LlamaRuntime({ gpu: options.gpu ?? 'auto', threads: () => settings.get().models.threads }),
    );
    this.store = new ModelStore(modelsDir(options.dataDir), options.onDamage);
    this.slots = stack.use(new ModelSlots({ runtime: this.runtime, store: this.store }));
    this.models = stack.use(
      new ModelsService({
        runtime: this.runtime,
        store: this.store,
        slots: this.slots,
        events,
        log,
        settings,
        apiInfo: () => this.api.info(),
      }),
    );
    this.chat = stack.use(
      new ChatService({
        dir: join(options.dataDir, 'chats'),
        slots: this.slots,
        models: this.store,
        events,
        log,
        settings,
        network: options.network,
        onDamage: options.onDamage,
      }),
    );
    this.api = stack.use(
      new LocalApiServer({
        chat: this.chat,
        slots: this.slots,
        store: this.store,
        settings,
        events,
        log,
        secrets: options.secrets,
      }),
    );
  }
}
