import { describe, expect, it } from 'vitest';
import { AskPipeline } from '../../../src/core/ask/ask-pipeline';
import type { GenerateOptions, Generator, RetrievedChunk, Retriever } from '../../../src/core/ask/seams';

function chunk(id: string, path: string, text: string, page: number | null = null): RetrievedChunk {
  return {
    id,
    path,
    page,
    pageKind: page === null ? null : 'page',
    lineStart: 3,
    lineEnd: 7,
    headingPath: ['Results'],
    text,
    scores: { lexical: 2, lexicalRank: 1, vector: null, vectorRank: null, fused: 0.016 },
  };
}

const LIBRARY = [
  chunk('a#0', '/docs/wing.pdf', 'The swept wing stalls at high angle of attack near the tip.', 4),
  chunk('b#0', '/docs/engine.md', 'Turbine blades cool by film cooling holes.'),
];

/** Two passages that share the question's words; only the second answers it. */
const BOTH = [
  chunk('a#0', '/docs/wing.pdf', 'The swept wing stalls near the tip. Turbine notes follow.', 4),
  chunk('b#0', '/docs/turbine.md', 'Turbine blades of the swept wing rig cool by film cooling holes.'),
];
const TURBINE_QUESTION = 'How do turbine blades of the swept wing rig cool?';

/** A retriever stub at the seam: returns the chunks whose text shares a word with the query. */
function stubRetriever(chunks: RetrievedChunk[]): Retriever {
  return {
    search: async (query) =>
      chunks.filter((c) =>
        query
          .toLowerCase()
          .split(/\W+/)
          .some((w) => w.length > 3 && c.text.toLowerCase().includes(w)),
      ),
    documentChunks: async (path) => chunks.filter((c) => c.path === path),
    sampleChunks: async (count) => chunks.slice(0, count),
  };
}

/** A generator stub that records prompts and streams a fixed answer word by word. */
function stubGenerator(answer: (options: GenerateOptions) => string, contextSize = 2048) {
  const calls: GenerateOptions[] = [];
  const generator: Generator = {
    contextSize,
    countTokens: (text) => Math.ceil(text.length / 4),
    generate: async (options) => {
      calls.push(options);
      const text = answer(options);
      for (const piece of text.split(/(?<= )/)) options.onToken?.(piece);
      return text;
    },
  };
  return { generator, calls };
}

describe('AskPipeline', () => {
  it('answers from numbered sources, streams, and maps citations to file, page and lines', async () => {
    const { generator, calls } = stubGenerator(() => 'The tip stalls first [1]. Also [5].');
    const pipeline = new AskPipeline({ retriever: stubRetriever(LIBRARY), generator });
    const tokens: string[] = [];
    const answer = await pipeline.answer(
      { answerId: 'x', question: 'Where does the swept wing stall?' },
      { onToken: (t) => tokens.push(t) },
    );
    expect(answer.outcome).toBe('answered');
    expect(tokens.join('')).toBe('The tip stalls first [1]. Also [5].');
    expect(answer.text).toBe('The tip stalls first [1]. Also.');
    expect(answer.droppedCitations).toBe(1);
    expect(answer.cited).toEqual([1]);
    expect(answer.sources[0]).toMatchObject({ n: 1, path: '/docs/wing.pdf', page: 4, lineStart: 3, lineEnd: 7 });
    expect(answer.sources[0]!.matchedTerms).toEqual(['swept', 'wing', 'stall']);
    expect(calls[0]!.prompt).toContain('[1] wing.pdf, page 4, lines 3-7 (Results)');
    expect(calls[0]!.system).toMatch(/only the numbered sources/);
  });

  it('moves a citation to the passage that says its sentence, and cites the best passage when none holds up', async () => {
    const moved = await new AskPipeline({
      retriever: stubRetriever(BOTH),
      generator: stubGenerator(() => 'Turbine blades cool by film cooling holes [1].').generator,
    }).answer({ answerId: 'x', question: TURBINE_QUESTION });
    expect(moved.text).toBe('Turbine blades cool by film cooling holes [2].');
    expect(moved.cited).toEqual([2]);
    expect(moved.unsupportedCitations).toEqual({ moved: 1, removed: 0 });

    const unsupported = await new AskPipeline({
      retriever: stubRetriever(BOTH),
      generator: stubGenerator(() => 'Penguins carry them [1].').generator,
    }).answer({ answerId: 'y', question: TURBINE_QUESTION });
    expect(unsupported.text).toBe('Penguins carry them.');
    expect(unsupported.cited).toEqual([2]);
    expect(unsupported.quote).toEqual({
      n: 2,
      text: 'Turbine blades of the swept wing rig cool by film cooling holes.',
    });
  });

  it('cites the passage that says an answer with no marker, and shows the echo of a source list as the best quote', async () => {
    const unmarked = await new AskPipeline({
      retriever: stubRetriever(BOTH),
      generator: stubGenerator(() => 'Turbine blades cool by film cooling holes.').generator,
    }).answer({ answerId: 'x', question: TURBINE_QUESTION });
    expect(unmarked.cited).toEqual([2]);
    expect(unmarked.text).toBe('Turbine blades cool by film cooling holes. [2]');
    expect(unmarked.addedCitations).toBe(1);

    // An unmarked answer the passage does not say gets no marker: the quote beside it is the citation.
    const wrong = await new AskPipeline({
      retriever: stubRetriever(BOTH),
      generator: stubGenerator(() => 'The wing stalls near the tip.').generator,
    }).answer({ answerId: 'z', question: TURBINE_QUESTION });
    expect(wrong).toMatchObject({ text: 'The wing stalls near the tip.', cited: [2] });
    expect(wrong.addedCitations).toBeUndefined();
    expect(wrong.quote?.n).toBe(2);
    expect(unmarked.echoed).toBeUndefined();

    const echo = await new AskPipeline({
      retriever: stubRetriever(BOTH),
      generator: stubGenerator(() => 'Sources:\n\n[1] wing.pdf, page 4, lines 3-7 (Results)\nThe swept wing [1]')
        .generator,
    }).answer({ answerId: 'y', question: TURBINE_QUESTION });
    expect(echo.echoed).toBe(true);
    expect(echo.cited).toEqual([2]);
    expect(echo.quote?.n).toBe(2);
    expect(echo.unsupportedCitations).toEqual({ moved: 0, removed: 1 });
  });

  it('prompts a base model (completion style) with a worked example, ending at "Answer:" and stopping at the line', async () => {
    const { generator, calls } = stubGenerator(() => ' The tip stalls first [1].');
    const pipeline = new AskPipeline({
      retriever: stubRetriever(LIBRARY),
      generator: { ...generator, style: 'completion' },
    });
    const answer = await pipeline.answer({ answerId: 'x', question: 'Where does the swept wing stall?' });
    expect(answer.text).toBe('The tip stalls first [1].');
    expect(calls[0]!.system).toBe('');
    expect(calls[0]!.prompt).toMatch(/Answer: The bread bakes for 30 minutes \[1\]\.\n\nSources:\n\[1\] wing\.pdf/);
    expect(calls[0]!.prompt.endsWith('Question: Where does the swept wing stall?\nAnswer:')).toBe(true);
    expect(calls[0]!.stopAt).toEqual(['\n']);
  });

  it('says honestly that nothing was found instead of asking the model', async () => {
    const { generator, calls } = stubGenerator(() => 'made up');
    const pipeline = new AskPipeline({ retriever: stubRetriever(LIBRARY), generator });
    const answer = await pipeline.answer({ answerId: 'x', question: 'What is the recipe for chocolate cake?' });
    expect(answer.outcome).toBe('not-found');
    expect(answer.text).toMatch(/could not find anything/);
    expect(answer.sources).toEqual([]);
    expect(calls).toHaveLength(0);
  });

  it('treats a passage sharing one word of a long question as not relevant', async () => {
    const { generator } = stubGenerator(() => 'x');
    const pipeline = new AskPipeline({ retriever: stubRetriever(LIBRARY), generator });
    const answer = await pipeline.answer({
      answerId: 'x',
      question: 'Which cooling method do ovens use for baking bread loaves?',
    });
    expect(answer.outcome).toBe('not-found');
  });

  it('reorders by the reranker and gates on its probability', async () => {
    const { generator, calls } = stubGenerator(() => 'ok [1]');
    const both = [chunk('a', '/a.md', 'wing stall data'), chunk('b', '/b.md', 'wing stall theory')];
    const reranker = { rank: async () => [0.1, 0.9] };
    const pipeline = new AskPipeline({ retriever: stubRetriever(both), generator, reranker });
    const answer = await pipeline.answer({ answerId: 'x', question: 'wing stall' });
    expect(answer.sources.map((s) => [s.path, s.scores.rerank])).toEqual([['/b.md', 0.9]]);
    expect(calls[0]!.prompt).not.toContain('/a.md');
  });

  it('answers whole-document requests by map-reduce over every chunk, with progress', async () => {
    const doc = Array.from({ length: 30 }, (_, i) =>
      chunk(`r#${i}`, '/docs/report.md', `Section ${i} says ${'finding '.repeat(40)}number ${i}.`),
    );
    const { generator, calls } = stubGenerator(
      (o) => (o.system.includes('combine') ? 'Each section says finding number [1][30] [31].' : 'notes [2]'),
      1024,
    );
    const pipeline = new AskPipeline({ retriever: stubRetriever(doc), generator });
    const progress: string[] = [];
    const answer = await pipeline.answer(
      {
        answerId: 'x',
        question: 'Summarise every finding in the report',
        scope: { collections: [], folders: [], files: [] },
      },
      { onProgress: (phase, done, total) => progress.push(`${phase}:${done}/${total}`) },
    );
    expect(answer.mode).toBe('whole-document');
    expect(answer.sources).toHaveLength(30);
    const mapCalls = calls.filter((c) => c.system.includes('one part'));
    expect(mapCalls.length).toBeGreaterThan(1);
    const cited = new Set(mapCalls.flatMap((c) => [...c.prompt.matchAll(/^\[(\d+)\]/gm)].map((m) => Number(m[1]))));
    expect(cited.size).toBe(30);
    expect(progress).toContain(`reading:${mapCalls.length}/${mapCalls.length}`);
    expect(answer.cited).toEqual([1, 30]);
    expect(answer.droppedCitations).toBe(1);
  });

  it('stops when cancelled and reports it', async () => {
    const controller = new AbortController();
    const { generator } = stubGenerator(() => {
      controller.abort();
      return 'partial';
    });
    const pipeline = new AskPipeline({ retriever: stubRetriever(LIBRARY), generator });
    const answer = await pipeline.answer({ answerId: 'x', question: 'swept wing stall' }, {}, controller.signal);
    expect(answer.outcome).toBe('cancelled');
  });
});
