import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolve } from 'node:path';
import { getLlama, type LlamaModel } from 'node-llama-cpp';
import { standaloneQuery } from '../../src/core/ask/standalone-query';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { AskPipeline } from '../../src/core/ask/ask-pipeline';
import { LibraryRetriever } from '../../src/core/ask/library-retriever';
import type { Generator, RetrievedChunk } from '../../src/core/ask/seams';
import { Library } from '../../src/core/library';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { answerModel, type AnswerModel } from '../helpers/answer-model';
import { tempDir } from '../helpers/temp-dir';
import { loadCranfield, ndcgAt, recallAt, writeCorpus, type Cranfield } from './cranfield';

/**
 * `npm run bench:ask`: Cranfield indexed through the library's real ingestion path (one file
 * per document, full text); every query through the ask pipeline's
 * retrieval stage versus the library's plain search in the same run (recall@5, nDCG@10), the
 * same for follow-up questions that lean on the conversation, the relevance gate's pass rate
 * (every query has judged documents), and, for a sample of questions answered by the stories
 * model, how many answers have citations that all resolve to the sources supplied.
 */

const MODELS = resolve('../shared/models');
const GENERATION_SAMPLE = Number(process.env.ASK_BENCH_SAMPLE ?? 12);
/** A follow-up that names nothing: only the conversation says what it is about. */
const FOLLOW_UP = 'And what has been found about that?';

interface Query {
  n: number;
  text: string;
}

function docIds(chunks: readonly Pick<RetrievedChunk, 'path'>[]): string[] {
  const seen: string[] = [];
  for (const chunk of chunks) {
    const id = /(\d+)\.txt$/.exec(chunk.path)![1]!;
    if (!seen.includes(id)) seen.push(id);
  }
  return seen;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const round = (x: number) => Math.round(x * 10_000) / 10_000;

describe('ask on Cranfield', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let model: LlamaModel;
  let library: Library;
  let retriever: LibraryRetriever;
  let answers: AnswerModel;
  let generator: Generator;
  let queries: Query[];
  let qrels: Cranfield['qrels'];
  const results: Record<string, unknown> = {};

  beforeAll(async () => {
    dir = await tempDir('hearth-ask-bench-');
    const cranfield = await loadCranfield();
    queries = cranfield.queries.map((text, i) => ({ n: i + 1, text }));
    qrels = cranfield.qrels;
    const llama = await getLlama({ gpu: false });
    model = await llama.loadModel({ modelPath: `${MODELS}/stories260K.gguf` });
    answers = await answerModel({ model }, { modelPath: `${MODELS}/stories260K.gguf`, contextSize: 1024 });
    generator = answers.generator;
    const folder = join(dir.path, 'cranfield');
    await writeCorpus(folder, cranfield.docs);
    const started = performance.now();
    library = await Library.open({
      dir: join(dir.path, 'library'),
      settings: () => ({ ...DEFAULT_SETTINGS.library, watch: false }),
      // The library marks the stories model's vectors weak and fuses them with weight 0, so
      // embedding 1,400 files with it (25+ minutes on a busy 2-core box) would not change a rank.
      embedModelPath: null,
      watch: false,
    });
    await library.addSource('cranfield', folder);
    await library.whenIdle();
    retriever = new LibraryRetriever(library);
    results.indexSeconds = round((performance.now() - started) / 1000);
    results.documents = cranfield.docs.length;
    results.queries = queries.length;
    console.log(
      `indexed ${cranfield.docs.length} Cranfield documents through the library in ${String(results.indexSeconds)} s`,
    );
  });

  afterAll(async () => {
    await mkdir('bench-results', { recursive: true });
    await writeFile('bench-results/ask.json', `${JSON.stringify(results, null, 2)}\n`);
    await answers?.dispose();
    await library?.dispose();
    await model?.dispose();
    await dir?.cleanup();
  });

  it('retrieval: ask stage vs the library plain search (recall@5, nDCG@10), direct and follow-up', async () => {
    const pipeline = new AskPipeline({ retriever, generator });
    const metric = () => ({ r5: [] as number[], n10: [] as number[] });
    const scores = { askDirect: metric(), plainDirect: metric(), askFollowUp: metric(), plainFollowUp: metric() };
    const scope = { collections: ['cranfield'], folders: [], files: [] };
    let gatePassed = 0;
    const record = (name: keyof typeof scores, ranked: string[], judged: Map<string, number>) => {
      scores[name].r5.push(recallAt(ranked, judged, 5));
      scores[name].n10.push(ndcgAt(ranked, judged, 10));
    };
    for (const query of queries) {
      const judged = qrels.get(query.n) ?? new Map<string, number>();
      const ask = await pipeline.retrieve(query.text, { scope });
      if (ask.some((chunk) => chunk.relevant)) gatePassed += 1;
      record('askDirect', docIds(ask), judged);
      record('plainDirect', docIds(await library.search(query.text, { collection: 'cranfield', top: 10 })), judged);
      const conversation = [{ role: 'user' as const, text: query.text }];
      const followUp = await pipeline.retrieve(standaloneQuery(FOLLOW_UP, conversation), { scope });
      record('askFollowUp', docIds(followUp), judged);
      record('plainFollowUp', docIds(await library.search(FOLLOW_UP, { collection: 'cranfield', top: 10 })), judged);
    }
    const table = Object.fromEntries(
      Object.entries(scores).map(([name, s]) => [
        name,
        { 'recall@5': round(mean(s.r5)), 'nDCG@10': round(mean(s.n10)) },
      ]),
    );
    console.table(table);
    const gateRate = round(gatePassed / queries.length);
    console.log(
      `relevance gate passed on ${gatePassed}/${queries.length} questions (all have judged documents): ${gateRate}`,
    );
    results.retrieval = table;
    results.gatePassRate = gateRate;
  });

  it('citations: share of generated answers whose citations all resolve to supplied sources', async () => {
    const pipeline = new AskPipeline({ retriever, generator }, { answerTokens: 64 });
    const sample = queries
      .filter((_, i) => i % Math.max(1, Math.floor(queries.length / GENERATION_SAMPLE)) === 0)
      .slice(0, GENERATION_SAMPLE);
    let answered = 0;
    let withCitations = 0;
    let allResolve = 0;
    let dropped = 0;
    let cited = 0;
    const started = performance.now();
    for (const query of sample) {
      const answer = await pipeline.answer({ answerId: `b${query.n}`, question: query.text });
      if (answer.outcome !== 'answered') continue;
      answered += 1;
      cited += answer.cited.length;
      dropped += answer.droppedCitations;
      if (answer.cited.length + answer.droppedCitations > 0) withCitations += 1;
      if (answer.droppedCitations === 0) allResolve += 1;
    }
    const figures = {
      sampled: sample.length,
      answered,
      answersWithAnyCitation: withCitations,
      answersWhoseCitationsAllResolve: allResolve,
      allResolveRate: round(allResolve / Math.max(1, answered)),
      citationsKept: cited,
      citationsDropped: dropped,
      secondsPerAnswer: round((performance.now() - started) / 1000 / Math.max(1, sample.length)),
    };
    console.table(figures);
    results.citations = figures;
  });
});
