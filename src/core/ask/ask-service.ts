import { randomUUID } from 'node:crypto';
import type { Contract } from '../../shared/contract';
import type { AskAnswer, AskScope } from '../../shared/contract/ask';
import type { ServiceOf } from '../../shared/contract/define';
import { openWithSystemViewer } from '../app/open-file';
import type { EventBus } from '../events';
import type { AskHistory } from './ask-history';
import { AskPipeline, type AskPipelineInit } from './ask-pipeline';
import { ReadingPace } from './reading-pace';
import { DoorErrorName } from '../../shared/errors';
import { CallError } from '../call-error';
import { AskUnavailableError } from './errors';
import type { Generator, Reranker, Retriever } from './seams';
import { runSelfTest } from './self-test';

/** What the service needs from the rest of the engine, resolved on each question. */
export interface AskServiceComponents {
  events: Pick<EventBus, 'emit'>;
  /** The library's retriever; throws AskUnavailableError (or returns null) when there is none. */
  retriever: () => Promise<Retriever | null>;
  /** The loaded chat model as a Generator; null when no chat model is installed. */
  generator: () => Promise<Generator | null>;
  /** The installed reranker, or null (the rerank stage is skipped). */
  reranker?: () => Promise<Reranker | null>;
  /** Opens a file in the system viewer (programs are shown in their folder). Default: openWithSystemViewer. */
  openFile?: (path: string) => Promise<void>;
  /** Where finished asks are kept to be reopened; none: answers live only in memory. */
  history?: AskHistory;
}

export interface AskServiceInit extends AskPipelineInit {
  /** Finished answers kept for `result`. Default 50. */
  keepAnswers?: number;
}

interface RunningAnswer {
  controller: AbortController;
  done: Promise<AskAnswer>;
  finished: AskAnswer | null;
  /** The numbered sources, known (and shown) before the answer finishes streaming. */
  sources: AskAnswer['sources'];
}

/**
 * The `ask` namespace: starts answers in the background (their text streams as events),
 * hands out finished answers, cancels, and runs the library self-test.
 */
export function createAskService(
  components: AskServiceComponents,
  init: AskServiceInit = {},
): ServiceOf<Contract['ask']> & { dispose(): Promise<void> } {
  const answers = new Map<string, RunningAnswer>();
  const { events } = components;
  const pace = new ReadingPace();

  async function pipeline(needGenerator: boolean): Promise<{ pipeline: AskPipeline; retriever: Retriever }> {
    const retriever = await components.retriever();
    if (!retriever) {
      throw new AskUnavailableError(
        'library',
        'Asking your files needs a library: add a folder on the Library page first.',
      );
    }
    const generator = needGenerator ? await components.generator() : null;
    if (needGenerator && !generator) {
      throw new AskUnavailableError(
        'chat-model',
        'Asking your files needs a chat model: install one on the Models page.',
      );
    }
    const reranker = (await components.reranker?.()) ?? null;
    const noGenerator: Generator = {
      contextSize: 0,
      countTokens: () => 0,
      generate: () => Promise.reject(new AskUnavailableError('chat-model', 'No chat model is loaded.')),
    };
    return {
      pipeline: new AskPipeline({ retriever, generator: generator ?? noGenerator, reranker }, { pace, ...init }),
      retriever,
    };
  }

  function forget(): void {
    const keep = init.keepAnswers ?? 50;
    for (const id of answers.keys()) {
      if (answers.size <= keep) break;
      answers.delete(id);
    }
  }

  return {
    ask: async (input) => {
      // The client may choose the id, so it can match this answer's events from the first one.
      const answerId = input.answerId ?? randomUUID();
      const { pipeline: ask } = await pipeline(true);
      // Checked after the await, so nothing runs between the check and the answer being recorded.
      if (answers.has(answerId)) {
        throw new CallError(DoorErrorName.InvalidInput, `ask.ask: an answer with id ${answerId} exists; use a new id.`);
      }
      const controller = new AbortController();
      const scope: AskScope = input.scope;
      const done = ask
        .answer(
          { ...input, answerId, scope },
          {
            onToken: (text) => events.emit('ask.token', { answerId, text }),
            onSources: (sources) => {
              const running = answers.get(answerId);
              if (running) running.sources = sources;
              events.emit('ask.sources', { answerId, sources });
            },
            onProgress: (phase, doneCount, total, etaSeconds) =>
              events.emit('ask.progress', {
                answerId,
                phase,
                progress: { done: doneCount, total, etaSeconds: etaSeconds ?? null },
              }),
          },
          controller.signal,
        )
        .catch((error: unknown): AskAnswer => ({
          answerId,
          question: input.question,
          query: input.question,
          mode: 'retrieval',
          outcome: controller.signal.aborted ? 'cancelled' : 'failed',
          text: '',
          sources: [],
          cited: [],
          droppedCitations: 0,
          scope,
          message: error instanceof Error ? error.message : String(error),
        }))
        .then((answer) => {
          const running = answers.get(answerId);
          if (running) running.finished = answer;
          events.emit('ask.done', answer);
          return answer;
        })
        .then(async (answer) => {
          // A stopped ask with nothing written is not worth reopening.
          if (answer.outcome !== 'cancelled' || answer.text)
            // History is a convenience: the answer is delivered whether or not it could be kept.
            await components.history?.save(answer).catch(() => undefined);
          return answer;
        });
      answers.set(answerId, { controller, done, finished: null, sources: [] });
      forget();
      return { answerId };
    },
    result: async ({ answerId }) => {
      const running = answers.get(answerId);
      if (running) return running.done;
      const kept = await components.history?.get(answerId);
      if (!kept) throw new AskUnavailableError('answer', `No answer with id ${answerId}; it may have been removed.`);
      return kept;
    },
    history: async () => (await components.history?.list()) ?? [],
    forget: async ({ answerId }) => {
      await components.history?.remove(answerId);
      return null;
    },
    cancel: async ({ answerId }) => {
      answers.get(answerId)?.controller.abort();
      return null;
    },
    openSource: async ({ answerId, n }, context) => {
      // Only files an answer cited can be opened, so the UI cannot open arbitrary paths.
      const running = answers.get(answerId);
      const kept = running ? null : await components.history?.get(answerId);
      const source = (running?.finished?.sources ?? running?.sources ?? kept?.sources)?.find((s) => s.n === n);
      if (!source) return { opened: false, reason: `Answer ${answerId} has no source [${n}].` };
      if (context.door !== 'ipc') {
        return { opened: false, reason: 'Files open only in the Hearth app; here the snippet is shown instead.' };
      }
      try {
        await (components.openFile ?? openWithSystemViewer)(source.path);
        return { opened: true, reason: null };
      } catch (error) {
        return {
          opened: false,
          reason: `Could not open ${source.path}: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
    },
    selfTest: async ({ collection, samples }) => {
      const { pipeline: ask, retriever } = await pipeline(false);
      return runSelfTest(retriever, ask, {
        samples,
        scope: { collections: collection ? [collection] : [], folders: [], files: [] },
        onProgress: (done, total) => events.emit('ask.selfTestProgress', { done, total, etaSeconds: null }),
      });
    },
    dispose: async () => {
      for (const running of answers.values()) running.controller.abort();
      await Promise.allSettled([...answers.values()].map((running) => running.done));
      answers.clear();
    },
  };
}
