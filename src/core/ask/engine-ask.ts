import { join } from 'node:path';
import type { Contract } from '../../shared/contract';
import type { ServiceOf } from '../../shared/contract/define';
import type { ChatService } from '../chat';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import type { ModelSlots, ModelStore } from '../models';
import { DisposeStack } from '../dispose-stack';
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
  let disposed = false;

  async function installedReranker(): Promise<Reranker | null> {
    const file = (await options.models.store.list()).find((m) => m.role === 'reranker')?.file;
    if (!file || disposed) return null;
    if (reranker?.file === file && !reranker.reranker.disposed) return reranker.reranker;
    try {
      const loaded = await options.models.slots.load('reranker', file);
      const created = await LlamaReranker.create(loaded.model, { threads: loaded.threads });
      // A reranker made while the engine closed, or replaced by another file, is closed here:
      // nothing else holds its ranking context.
      if (disposed) {
        await created.dispose();
        return null;
      }
      const replaced = reranker;
      reranker = { file, reranker: created };
      await replaced?.reranker.dispose();
      return created;
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
  const stack = new DisposeStack('Ask');
  stack.defer(async () => {
    disposed = true;
    await reranker?.reranker.dispose();
    reranker = null;
    retriever = null;
  });
  // Running answers are aborted and awaited before the reranker they may be using closes.
  stack.use(service);
  return { ...service, dispose: () => stack.dispose() };
}
