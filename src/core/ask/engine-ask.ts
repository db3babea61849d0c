import type { Contract } from '../../shared/contract';
import type { ServiceOf } from '../../shared/contract/define';
import type { ChatService } from '../chat';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import type { ModelSlots, ModelStore } from '../models';
import { join } from 'node:path';
import type { OnStateDamage } from '../state';
import { AskHistory } from './ask-history';
import { createAskService } from './ask-service';
import { generatorFromChat } from './chat-generator-adapter';
import { LibraryRetriever, type RetrieverLibrary } from './library-retriever';
import { LlamaReranker } from './llama-reranker';
import type { Reranker } from './seams';

export interface EngineAskOptions {
  events: EventBus;
  log: Logger;
  /** The library, opened on first use. */
  library: () => Promise<RetrieverLibrary>;
  chat: Pick<ChatService, 'generator'>;
  /** Where installed models and their roles are listed, and how one is loaded for a role. */
  models: { store: Pick<ModelStore, 'list'>; slots: Pick<ModelSlots, 'load'> };
  /** Opens a cited file (the desktop app's shell); default: the system viewer, started without a shell. */
  openFile?: (path: string) => Promise<void>;
  /** The data folder: finished asks are kept under `asks/` to be reopened. None: not kept. */
  dataDir?: string;
  /** Told about damaged ask files after they were set aside. */
  onDamage?: OnStateDamage;
}

/**
 * The `ask` service as the engine runs it: the library's search as the retriever, the chat
 * model as the generator, and the first installed reranker (if any) between them.
 */
export function createEngineAsk(options: EngineAskOptions): ServiceOf<Contract['ask']> & { dispose(): Promise<void> } {
  let retriever: LibraryRetriever | null = null;
  let reranker: { file: string; reranker: LlamaReranker } | null = null;

  async function installedReranker(): Promise<Reranker | null> {
    const file = (await options.models.store.list()).find((m) => m.role === 'reranker')?.file;
    if (!file) return null;
    if (reranker?.file === file && !reranker.reranker.disposed) return reranker.reranker;
    try {
      const loaded = await options.models.slots.load('reranker', file);
      reranker = { file, reranker: await LlamaReranker.create(loaded.model, { threads: loaded.threads }) };
      return reranker.reranker;
    } catch (error) {
      // A broken or unsuitable reranker must not stop answers; they are written without it.
      options.log.warn({ event: 'ask-reranker-unavailable', file, error: String(error) });
      return null;
    }
  }

  const service = createAskService({
    events: options.events,
    retriever: async () => (retriever ??= new LibraryRetriever(await options.library())),
    generator: () => generatorFromChat(options.chat),
    reranker: installedReranker,
    openFile: options.openFile,
    history: options.dataDir ? new AskHistory(join(options.dataDir, 'asks'), options.onDamage) : undefined,
  });
  return {
    ...service,
    dispose: async () => {
      await service.dispose();
      await reranker?.reranker.dispose();
    },
  };
}
