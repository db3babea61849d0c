import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { getLlama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { AskPipeline } from '../../src/core/ask/ask-pipeline';
import { generatorFromChat } from '../../src/core/ask/chat-generator-adapter';
import { LibraryRetriever } from '../../src/core/ask/library-retriever';
import { ChatGenerator } from '../../src/core/chat/chat-generator';
import { Library } from '../../src/core/library';
import { checkGgufFile } from '../../src/core/models/gguf-check';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { EVAL_MODELS_HINT, evalModels } from '../helpers/eval-models';
import { tempDir } from '../helpers/temp-dir';
import { loadSet, writeDocuments } from './answers/corpus';

/**
 * A whole-document summary on Gemma 3 270M, timed on this machine:
 *   npx vitest run --config tests/bench/vitest.bench.config.ts tests/bench/summary.bench.ts
 * The document is the largest of bench:answers' set (the Python licence history, written as
 * docx). SUMMARY_THREADS (default 1) and SUMMARY_CONTEXTS (default 4096,2048; 4096 is the
 * context the app gives a chat model) pick the runs. Each run reports the document's chunks and
 * tokens, the parts read, seconds per part, the first time-left estimate against the truth, the
 * total, and how long Stop took when pressed in the middle of reading the second part.
 */

const THREADS = Number(process.env.SUMMARY_THREADS ?? 1);
const CONTEXTS = (process.env.SUMMARY_CONTEXTS ?? '4096,2048').split(',').map(Number);
const DOCUMENT = 'python-license-history.docx';

describe('a whole-document summary on Gemma 3 270M', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let library: Library;
  let path: string;
  const results: Record<string, unknown> = {};

  beforeAll(async () => {
    if (!evalModels.gemma) throw new Error(`The summary bench needs Gemma 3 270M. ${EVAL_MODELS_HINT}`);
    dir = await tempDir('hearth-summary-bench-');
    const set = loadSet();
    const folder = join(dir.path, 'documents');
    await writeDocuments({ ...set, documents: set.documents.filter((d) => d.file === DOCUMENT) }, folder);
    path = join(folder, DOCUMENT);
    // The whole-document path reads chunks in order; it needs no vectors.
    library = await Library.open({
      dir: join(dir.path, 'library'),
      settings: () => ({ ...DEFAULT_SETTINGS.library, watch: false }),
      watch: false,
    });
    await library.addSource('summary', folder);
    await library.whenIdle();
  });

  afterAll(async () => {
    await mkdir('bench-results', { recursive: true });
    await writeFile('bench-results/summary.json', `${JSON.stringify(results, null, 2)}\n`);
    await library?.dispose();
    await dir?.cleanup();
  });

  it('summarises one document with progress, and stops mid-part', { timeout: 3_600_000 }, async () => {
    const llama = await getLlama({ gpu: false });
    const model = await llama.loadModel({ modelPath: evalModels.gemma! });
    const retriever = new LibraryRetriever(library);
    try {
      for (const contextSize of CONTEXTS) {
        const chat = await ChatGenerator.create(
          {
            role: 'chat',
            file: basename(evalModels.gemma!),
            path: evalModels.gemma!,
            model,
            threads: THREADS,
            contextSize,
          },
          { hasChatTemplate: (await checkGgufFile(evalModels.gemma!)).hasChatTemplate },
        );
        try {
          const generator = await generatorFromChat({ generator: () => Promise.resolve(chat) });
          const chunks = await retriever.documentChunks(path);
          const tokens = chunks.reduce((sum, c) => sum + generator.countTokens(c.text), 0);
          const pipeline = new AskPipeline({ retriever, generator });
          const request = { question: `Summarise ${DOCUMENT}`, mode: 'document' as const, document: path };

          const started = performance.now();
          const marks: { done: number; total: number | null; at: number; eta: number | null }[] = [];
          const answer = await pipeline.answer(
            { ...request, answerId: `s${contextSize}` },
            {
              onProgress: (phase, done, total, eta) => {
                if (phase === 'reading')
                  marks.push({ done, total, at: (performance.now() - started) / 1000, eta: eta ?? null });
              },
            },
          );
          const total = (performance.now() - started) / 1000;
          const parts = marks[0]?.total ?? 1;
          const firstEta = marks.find((m) => m.eta !== null);

          // Stop 3 s into the second part (or halfway through a single part): how long until the answer returns.
          const stopAfter = parts > 1 ? marks[1]!.at + 3 : total / 2;
          const stop = new AbortController();
          let stoppedAt = 0;
          const timer = setTimeout(() => {
            stoppedAt = performance.now();
            stop.abort();
          }, stopAfter * 1000);
          const stopping = pipeline.answer({ ...request, answerId: `x${contextSize}` }, {}, stop.signal);
          const stopped = await stopping;
          clearTimeout(timer);
          const stopSeconds = stoppedAt ? (performance.now() - stoppedAt) / 1000 : null;

          const row = {
            contextSize,
            threads: THREADS,
            chunks: chunks.length,
            tokens,
            parts,
            secondsPerPart: marks.slice(1).map((m, i) => Math.round((m.at - marks[i]!.at) * 10) / 10),
            firstEta: firstEta
              ? { atPart: firstEta.done, saidSeconds: firstEta.eta, trueSeconds: Math.round(total - firstEta.at) }
              : null,
            totalSeconds: Math.round(total * 10) / 10,
            answer: answer.text.slice(0, 300),
            stop: {
              afterSeconds: Math.round(stopAfter * 10) / 10,
              outcome: stopped.outcome,
              secondsAfterStop: stopSeconds === null ? null : Math.round(stopSeconds * 100) / 100,
            },
          };
          console.log(JSON.stringify(row, null, 1));
          results[`context ${contextSize}`] = row;
        } finally {
          await chat.dispose();
        }
      }
    } finally {
      await model.dispose();
    }
  });
});
