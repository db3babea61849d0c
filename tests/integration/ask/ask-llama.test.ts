import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { getLlama, type Llama, type LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AskPipeline } from '../../../src/core/ask/ask-pipeline';
import { MAP_SYSTEM_PROMPT } from '../../../src/core/ask/prompt';
import { LibraryRetriever } from '../../../src/core/ask/library-retriever';
import { LlamaReranker, RerankerUnsupportedError } from '../../../src/core/ask/llama-reranker';
import { Library } from '../../../src/core/library';
import { LLAMA_OPTIONS } from '../../../src/core/models';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { tempDir } from '../../helpers/temp-dir';
import { makePdf } from '../../fixtures/library/generate';
import { answerModel, type AnswerModel } from '../../helpers/answer-model';
import type { Generator } from '../../../src/core/ask/seams';

const MODELS = resolve('../shared/models');

/** A two-page PDF whose second page holds the fact the questions are about. */
async function writeWingReport(path: string): Promise<void> {
  await writeFile(
    path,
    await makePdf([
      'Wing report\nThis report covers tests of a swept wing.',
      'Results\nThe swept wing stalled at an angle of attack of 14 degrees.\nTip stall began before root stall.',
    ]),
  );
}

describe('ask on real node-llama-cpp and a real library', () => {
  let llama: Llama;
  let storiesModel: LlamaModel;
  let storiesAnswers: AnswerModel;
  let generator: Generator;
  let library: Library;
  let index: LibraryRetriever;
  let dir: { path: string; cleanup: () => Promise<void> };
  let report: string;
  let homeDir: string;

  beforeAll(async () => {
    dir = await tempDir('hearth-ask-');
    const notes = join(dir.path, 'notes');
    homeDir = join(dir.path, 'home');
    const long = join(dir.path, 'long');
    await Promise.all([mkdir(notes), mkdir(homeDir), mkdir(long)]);
    report = join(notes, 'wing-report.pdf');
    await writeWingReport(report);
    await writeFile(
      join(homeDir, 'kitchen.md'),
      '# Kitchen\n\nThe oven needs a new door seal.\nThe fridge hums at night.\n',
    );
    const paragraphs = Array.from(
      { length: 40 },
      (_, i) => `Paragraph ${i} about the swept wing stall and tip vortices.`,
    );
    await writeFile(join(long, 'long.md'), paragraphs.join('\n\n'));
    library = await Library.open({
      dir: join(dir.path, 'index'),
      settings: () => ({ ...DEFAULT_SETTINGS.library, chunkTokens: 96, chunkOverlap: 0 }),
      embedModelPath: `${MODELS}/stories260K.gguf`,
      watch: false,
    });
    await library.addSource('research', notes);
    await library.addSource('home', homeDir);
    await library.addSource('long', long);
    await library.whenIdle();
    index = new LibraryRetriever(library);
    llama = await getLlama({ ...LLAMA_OPTIONS, gpu: false });
    storiesModel = await llama.loadModel({ modelPath: `${MODELS}/stories260K.gguf` });
    storiesAnswers = await answerModel(
      { model: storiesModel },
      { modelPath: `${MODELS}/stories260K.gguf`, contextSize: 1024 },
    );
    generator = storiesAnswers.generator;
  });
  afterAll(async () => {
    await library?.dispose();
    await storiesAnswers?.dispose();
    await storiesModel?.dispose();
    await dir?.cleanup();
  });

  const research = { collections: ['research', 'home'], folders: [], files: [] };

  it('streams an answer from the stories model with sources that carry file, page and lines', async () => {
    const pipeline = new AskPipeline({ retriever: index, generator }, { answerTokens: 48 });
    let streamed = '';
    const answer = await pipeline.answer(
      { answerId: 'a1', question: 'At what angle of attack did the swept wing stall?', scope: research },
      { onToken: (t) => (streamed += t) },
    );
    expect(answer.outcome).toBe('answered');
    expect(streamed.length).toBeGreaterThan(0);
    const results = answer.sources.find((s) => s.page === 2);
    expect(results).toMatchObject({ path: report, pageKind: 'page' });
    expect(results!.lineStart).toBeGreaterThan(0);
    expect(results!.lineEnd).toBeGreaterThanOrEqual(results!.lineStart!);
    expect(results!.snippet).toContain('14 degrees');
    // Full text ranks page 2 first; the stories model is too small to rank, so no vector rank.
    expect(results!.scores).toMatchObject({ lexicalRank: 1, vectorRank: null });
    expect(results!.scores.lexical).toBeGreaterThan(0);
    expect(answer.sources.every((s) => s.path === report)).toBe(true);
  });

  it('answers "not found" when no document is relevant, without generating', async () => {
    const pipeline = new AskPipeline({ retriever: index, generator });
    let streamed = '';
    const answer = await pipeline.answer(
      { answerId: 'a2', question: 'Who won the football championship in 1998?' },
      { onToken: (t) => (streamed += t) },
    );
    expect(answer.outcome).toBe('not-found');
    expect(answer.text).toMatch(/could not find anything/);
    expect(streamed).toBe('');
  });

  it('keeps to the scope: a question about the wing finds nothing in the home collection', async () => {
    const pipeline = new AskPipeline({ retriever: index, generator });
    const home = { collections: ['home'], folders: [], files: [] };
    const answer = await pipeline.answer({ answerId: 'a3', question: 'swept wing stall angle', scope: home });
    expect(answer.outcome).toBe('not-found');
    const inFolder = await pipeline.retrieve('oven door seal', {
      scope: { collections: [], folders: [homeDir], files: [] },
    });
    expect(inFolder[0]?.path).toBe(join(homeDir, 'kitchen.md'));
  });

  it('packs sources by the real 32k-vocabulary token count of llama-2-tiny within its context', async () => {
    const tinyModel = await answerModel(
      { llama },
      { modelPath: `${MODELS}/llama-2-tiny-random.gguf`, contextSize: 256 },
    );
    const tiny = tinyModel.generator;
    try {
      const prompts: string[] = [];
      const recording: Generator = {
        contextSize: tiny.contextSize,
        countTokens: (t) => tiny.countTokens(t),
        generate: (o) => (prompts.push(o.system + o.prompt), tiny.generate(o)),
      };
      const pipeline = new AskPipeline({ retriever: index, generator: recording }, { answerTokens: 32 });
      const answer = await pipeline.answer({
        answerId: 'a4',
        question: 'swept wing stall tip vortices',
        scope: { collections: ['long'], folders: [], files: [] },
      });
      expect(answer.outcome).toBe('answered');
      expect(answer.sources.length).toBeGreaterThan(0);
      expect(tiny.countTokens(prompts[0]!) + 32).toBeLessThanOrEqual(256);
    } finally {
      await tinyModel.dispose();
    }
  });

  it('answers a whole-document request by reading every chunk of the file', async () => {
    const pipeline = new AskPipeline({ retriever: index, generator }, { answerTokens: 24 });
    const phases: string[] = [];
    const answer = await pipeline.answer(
      { answerId: 'a5', question: 'Summarise the wing report', scope: research },
      { onProgress: (phase) => phases.push(phase) },
    );
    expect(answer.mode).toBe('whole-document');
    expect(answer.sources.map((s) => s.page)).toEqual([1, 2]);
    expect(phases).toContain('reading');
  });

  it('reads a long document part by part with progress and a time left, and Stop ends it before the next part', async () => {
    const small = await answerModel(
      { model: storiesModel },
      { modelPath: join(MODELS, 'stories260K.gguf'), contextSize: 256 },
    );
    try {
      const calls: string[] = [];
      const counting: Generator = {
        contextSize: small.generator.contextSize,
        countTokens: (t) => small.generator.countTokens(t),
        generate: (o) => (calls.push(o.system), small.generator.generate(o)),
      };
      const pipeline = new AskPipeline({ retriever: index, generator: counting }, { answerTokens: 24 });
      const request = {
        question: 'Summarise long.md',
        mode: 'document' as const,
        document: join(dir.path, 'long', 'long.md'),
      };
      const reading: { done: number; total: number | null; eta: number | null | undefined }[] = [];
      const full = await pipeline.answer(
        { ...request, answerId: 'a6' },
        { onProgress: (phase, done, total, eta) => phase === 'reading' && reading.push({ done, total, eta }) },
      );
      expect(full).toMatchObject({ mode: 'whole-document', outcome: 'answered' });
      const parts = reading[0]!.total!;
      expect(parts).toBeGreaterThan(2);
      expect(reading.map((r) => r.done)).toEqual(Array.from({ length: parts + 1 }, (_, i) => i));
      expect(reading[0]!.eta).toBeNull();
      expect(reading[1]!.eta).toEqual(expect.any(Number));
      expect(calls).toHaveLength(parts + 1);

      calls.length = 0;
      const stop = new AbortController();
      const afterStop: number[] = [];
      const stopped = await pipeline.answer(
        { ...request, answerId: 'a7' },
        {
          onProgress: (phase, done) => {
            if (stop.signal.aborted) afterStop.push(done);
            if (phase === 'reading' && done === 1) stop.abort();
          },
        },
        stop.signal,
      );
      expect(stopped.outcome).toBe('cancelled');
      // Stop came as part 2 was announced: only part 1 was read, no further part, no combining step.
      expect(calls).toEqual([MAP_SYSTEM_PROMPT]);
      expect(afterStop).toEqual([]);
    } finally {
      await small.dispose();
    }
  });

  it('refuses a model that cannot rerank with a clear error', async () => {
    await expect(LlamaReranker.create(storiesModel)).rejects.toBeInstanceOf(RerankerUnsupportedError);
  });
});
