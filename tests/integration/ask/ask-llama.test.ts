import { resolve } from 'node:path';
import { getLlama, type Llama, type LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AskPipeline } from '../../../src/core/ask/ask-pipeline';
import { ChunkIndex } from '../../../src/core/ask/chunk-index';
import { LlamaEmbedder } from '../../../src/core/ask/llama-embedder';
import { LlamaGenerator } from '../../../src/core/ask/llama-generator';
import { LlamaReranker, RerankerUnsupportedError } from '../../../src/core/ask/llama-reranker';
import { tempDir } from '../../helpers/temp-dir';

const MODELS = resolve('../shared/models');

const FILES = [
  {
    path: '/notes/wing-report.pdf',
    collection: 'research',
    pageKind: 'page' as const,
    pages: [
      'Wing report\n\nThis report covers tests of a swept wing.',
      'Results\n\nThe swept wing stalled at an angle of attack of 14 degrees.\nTip stall began before root stall.',
    ],
  },
  {
    path: '/notes/kitchen.md',
    collection: 'home',
    pages: '# Kitchen\n\nThe oven needs a new door seal.\nThe fridge hums at night.',
  },
];

describe('ask on real node-llama-cpp and LanceDB', () => {
  let llama: Llama;
  let storiesModel: LlamaModel;
  let generator: LlamaGenerator;
  let embedder: LlamaEmbedder;
  let index: ChunkIndex;
  let dir: { path: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    dir = await tempDir('hearth-ask-');
    llama = await getLlama({ gpu: false });
    storiesModel = await llama.loadModel({ modelPath: `${MODELS}/stories260K.gguf` });
    generator = await LlamaGenerator.create({ model: storiesModel, threads: 1, contextSize: 1024 });
    embedder = await LlamaEmbedder.create(storiesModel, { threads: 1 });
    index = await ChunkIndex.open({ dir: dir.path, embedder });
    await index.add(FILES);
    await index.commit();
  });
  afterAll(async () => {
    await index?.dispose();
    await embedder?.dispose();
    await generator?.dispose();
    await storiesModel?.dispose();
    await dir?.cleanup();
  });

  it('streams an answer from the stories model with sources that carry file, page and lines', async () => {
    const pipeline = new AskPipeline({ retriever: index, generator }, { answerTokens: 48 });
    let streamed = '';
    const answer = await pipeline.answer(
      { answerId: 'a1', question: 'At what angle of attack did the swept wing stall?' },
      { onToken: (t) => (streamed += t) },
    );
    expect(answer.outcome).toBe('answered');
    expect(streamed.length).toBeGreaterThan(0);
    // The stories model's vectors are noise, so fusion may put page 1 first; full text ranks page 2 first.
    const results = answer.sources.find((s) => s.page === 2);
    expect(results).toMatchObject({ path: '/notes/wing-report.pdf', pageKind: 'page', lineStart: 1, lineEnd: 4 });
    expect(results!.snippet).toContain('14 degrees');
    expect(results!.scores.lexicalRank).toBe(1);
    expect(results!.scores.vectorRank).not.toBeNull();
    expect(answer.sources.every((s) => s.path === '/notes/wing-report.pdf')).toBe(true);
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
      scope: { collections: [], folders: ['/notes'], files: [] },
    });
    expect(inFolder[0]?.path).toBe('/notes/kitchen.md');
  });

  it('packs sources by the real 32k-vocabulary token count of llama-2-tiny within its context', async () => {
    const tiny = await LlamaGenerator.load(llama, {
      modelPath: `${MODELS}/llama-2-tiny-random.gguf`,
      contextSize: 256,
    });
    try {
      const long = Array.from(
        { length: 40 },
        (_, i) => `Paragraph ${i} about the swept wing stall and tip vortices.`,
      ).join('\n');
      const big = await ChunkIndex.open({ dir: `${dir.path}/big`, chunkChars: 400 });
      await big.add([{ path: '/long.md', collection: 'c', pages: long }]);
      const prompts: string[] = [];
      const recording = {
        contextSize: tiny.contextSize,
        countTokens: (t: string) => tiny.countTokens(t),
        generate: (o: Parameters<LlamaGenerator['generate']>[0]) => (
          prompts.push(o.system + o.prompt),
          tiny.generate(o)
        ),
      };
      const pipeline = new AskPipeline({ retriever: big, generator: recording }, { answerTokens: 32 });
      const answer = await pipeline.answer({ answerId: 'a4', question: 'swept wing stall tip vortices' });
      expect(answer.outcome).toBe('answered');
      expect(answer.sources.length).toBeGreaterThan(0);
      expect(tiny.countTokens(prompts[0]!) + 32).toBeLessThanOrEqual(256);
      await big.dispose();
    } finally {
      await tiny.dispose();
    }
  });

  it('answers a whole-document request by reading every chunk of the file', async () => {
    const pipeline = new AskPipeline({ retriever: index, generator }, { answerTokens: 24 });
    const phases: string[] = [];
    const answer = await pipeline.answer(
      { answerId: 'a5', question: 'Summarise the wing report' },
      { onProgress: (phase) => phases.push(phase) },
    );
    expect(answer.mode).toBe('whole-document');
    expect(answer.sources.map((s) => s.page)).toEqual([1, 2]);
    expect(phases).toContain('reading');
  });

  it('refuses a model that cannot rerank with a clear error', async () => {
    await expect(LlamaReranker.create(storiesModel)).rejects.toBeInstanceOf(RerankerUnsupportedError);
  });
});
