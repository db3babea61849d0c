import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { getLlama, type Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { AskPipeline, type ScoredChunk } from '../../src/core/ask/ask-pipeline';
import { parseCitations } from '../../src/core/ask/citations';
import type { AskSource } from '../../src/shared/contract/ask';
import { LibraryRetriever } from '../../src/core/ask/library-retriever';
import { generatorFromChat } from '../../src/core/ask/chat-generator-adapter';
import { ChatGenerator } from '../../src/core/chat/chat-generator';
import { checkGgufFile } from '../../src/core/models/gguf-check';
import { bestSentence, quoteHolder } from '../../src/core/ask/supporting-quote';
import { sourceLabel } from '../../src/core/ask/source-label';
import type { RetrieveOptions, RetrievedChunk, Retriever } from '../../src/core/ask/seams';
import { Library } from '../../src/core/library';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { EVAL_MODELS_HINT, evalModels } from '../helpers/eval-models';
import { tempDir } from '../helpers/temp-dir';
import { calibrate, gateSample, type GateSample } from './answers/gate-calibration';
import { checkSet, containsAnswer, loadSet, writeDocuments, type QuestionSet } from './answers/corpus';

/**
 * `npm run bench:answers`: real answers from real models over real documents. The question set
 * (tests/bench/answers/questions.json) asks about licence texts and READMEs from node_modules,
 * written as md, txt, html, pdf and docx and indexed by the library with all-MiniLM-L6-v2.
 * Each question goes through the ask pipeline with SmolLM2-135M-Instruct and with Gemma 3 270M
 * (a base model), on the app's own answer path (the chat model's generator, its prompt format and
 * temperature), and through an extractive baseline in the same run: the best-matching sentence
 * of the top passage that passes the relevance gate. Reported: share of answers that contain the
 * gold answer (in the model's own words, and counting the quote Ask shows beside them), citation precision (a cited passage holds the gold answer), not-found recall on
 * unanswerable questions and false not-found on answerable ones, first-token latency and tokens/s.
 *
 * ANSWERS_LIMIT=n runs the first n answerable and the first n/3 unanswerable questions (spread over
 * the documents); ANSWERS_MODELS=smollm2,gemma3 picks the models (none: the baselines and the gate's calibration only).
 */

const LIMIT = process.env.ANSWERS_LIMIT ? Number(process.env.ANSWERS_LIMIT) : null;
const MODELS = (process.env.ANSWERS_MODELS ?? 'smollm2,gemma3').split(',');
const CONTEXT = 2048;
const ANSWER_TOKENS = 64;

/** Words a model uses when it says the files do not hold the answer. */
const REFUSAL =
  /(not (in|found in|mentioned in|contained in) (the|your) (files|sources)|(files|sources) do(es)? not (say|contain|mention)|no information|cannot find|could not find|not (provided|mentioned|specified))/i;

/**
 * An answer that copies the prompt's source block (its "Sources:" line or a source header such as
 * "bytes-readme.html, lines 1-9") instead of answering: it may hold the gold answer by copying.
 */
export const ECHO = /(^|\n)\s*Sources:|\.(md|txt|html|pdf|docx),? (page \d+|lines \d+)/i;

interface Outcome {
  /** The answer's own text holds the gold answer (an answer that copied its sources does not count). */
  correct: boolean;
  /** What the user reads holds it: the answer's text, or the quote Ask shows beside it. */
  shownCorrect: boolean;
  /** The answer copies the source block (see ECHO). */
  echoed: boolean;
  notFound: boolean;
  citations: number;
  goodCitations: number;
  /** The model's own [n] markers, before Ask checked them against their passages (null: no model). */
  rawCitations: number | null;
  rawGoodCitations: number | null;
  firstTokenMs: number | null;
  tokensPerSecond: number | null;
}

/** Remembers every chunk the pipeline saw, so a citation can be checked against its full text. */
class RecordingRetriever implements Retriever {
  readonly chunks = new Map<string, RetrievedChunk>();
  constructor(private readonly _inner: LibraryRetriever) {}
  async search(query: string, options: RetrieveOptions): Promise<RetrievedChunk[]> {
    const found = await this._inner.search(query, options);
    for (const chunk of found) this.chunks.set(chunk.id, chunk);
    return found;
  }
  documentChunks(path: string): Promise<RetrievedChunk[]> {
    return this._inner.documentChunks(path);
  }
  sampleChunks(count: number): Promise<RetrievedChunk[]> {
    return this._inner.sampleChunks(count);
  }
}

/** The extractive baseline: the sentence of the top relevant passage sharing most query words (what Ask quotes). */
function extractive(question: string, retrieved: readonly ScoredChunk[]): { text: string; chunk: ScoredChunk } | null {
  const top = retrieved.find((chunk) => chunk.relevant);
  return top ? { text: bestSentence(question, top.text), chunk: top } : null;
}

/**
 * What Ask cites when the model's own citations do not hold up: the sentence that best answers the
 * question among the top relevant passages (up to 8, as many as Ask gives the model).
 */
function holderBaseline(
  question: string,
  retrieved: readonly ScoredChunk[],
  file: string | null,
  gold: string | null,
): Outcome {
  const relevant = retrieved.filter((chunk) => chunk.relevant).slice(0, 8);
  const holder = quoteHolder(
    question,
    relevant.map((chunk, i) => ({
      n: i,
      text: chunk.text,
      label: `${sourceLabel(chunk)} ${chunk.headingPath.join(' ')}`,
    })),
  );
  const chunk = holder ? relevant[holder.n]! : null;
  const correct = holder !== null && gold !== null && containsAnswer(holder.text, gold);
  return {
    correct,
    shownCorrect: correct,
    echoed: false,
    notFound: holder === null,
    citations: holder ? 1 : 0,
    goodCitations: chunk && file && gold && basename(chunk.path) === file && containsAnswer(chunk.text, gold) ? 1 : 0,
    rawCitations: null,
    rawGoodCitations: null,
    firstTokenMs: null,
    tokensPerSecond: null,
  };
}

/** Citation precision of the model's own markers, before verification (the figure before 2026-12-02). */
function rawPrecision(answerable: Outcome[]) {
  if (answerable.every((o) => o.rawCitations === null)) return {};
  const citations = answerable.reduce((a, o) => a + (o.rawCitations ?? 0), 0);
  const good = answerable.reduce((a, o) => a + (o.rawGoodCitations ?? 0), 0);
  return { modelCitationPrecision: round(citations ? good / citations : null), modelCitations: citations };
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const round = (x: number | null, digits = 3) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

function summarize(answerable: Outcome[], unanswerable: Outcome[]) {
  const citations = answerable.reduce((a, o) => a + o.citations, 0);
  const good = answerable.reduce((a, o) => a + o.goodCitations, 0);
  const share = (xs: Outcome[], f: (o: Outcome) => boolean) => (xs.length ? xs.filter(f).length / xs.length : null);
  return {
    correct: round(share(answerable, (o) => o.correct)),
    shownCorrect: round(share(answerable, (o) => o.shownCorrect)),
    echoed: round(share(answerable, (o) => o.echoed)),
    citationPrecision: round(citations ? good / citations : null),
    citations,
    ...rawPrecision(answerable),
    answersWithCitations: answerable.filter((o) => o.citations > 0).length,
    notFoundRecall: round(share(unanswerable, (o) => o.notFound)),
    falseNotFound: round(share(answerable, (o) => o.notFound)),
    firstTokenMs: round(mean(answerable.flatMap((o) => (o.firstTokenMs === null ? [] : [o.firstTokenMs]))), 0),
    tokensPerSecond: round(mean(answerable.flatMap((o) => (o.tokensPerSecond === null ? [] : [o.tokensPerSecond]))), 1),
  };
}

describe('answers from real models over real documents', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let set: QuestionSet;
  let llama: Llama;
  let library: Library;
  let retriever: RecordingRetriever;
  let fileOf: Map<string, string>;
  const results: Record<string, unknown> = {};

  beforeAll(async () => {
    if (!evalModels.embedding) throw new Error(`bench:answers needs all-MiniLM-L6-v2. ${EVAL_MODELS_HINT}`);
    set = loadSet();
    const problems = checkSet(set);
    if (problems.length > 0) throw new Error(`The question set has problems:\n${problems.join('\n')}`);
    dir = await tempDir('hearth-answers-bench-');
    const folder = join(dir.path, 'documents');
    await writeDocuments(set, folder);
    fileOf = new Map(set.documents.map((d) => [d.id, d.file]));
    const started = performance.now();
    library = await Library.open({
      dir: join(dir.path, 'library'),
      settings: () => ({ ...DEFAULT_SETTINGS.library, watch: false }),
      embedModelPath: evalModels.embedding,
      embedThreads: 1,
      watch: false,
    });
    await library.addSource('answers', folder);
    await library.whenIdle();
    retriever = new RecordingRetriever(new LibraryRetriever(library));
    llama = await getLlama({ gpu: false });
    results.indexSeconds = round((performance.now() - started) / 1000, 1);
    console.log(`indexed ${set.documents.length} documents with MiniLM in ${String(results.indexSeconds)} s`);
  });

  afterAll(async () => {
    await mkdir('bench-results', { recursive: true });
    await writeFile('bench-results/answers.json', `${JSON.stringify(results, null, 2)}\n`);
    await library?.dispose();
    await dir?.cleanup();
  });

  it('SmolLM2 and Gemma 3 270M through the ask pipeline, and the extractive baseline', async () => {
    const answerable = LIMIT === null ? set.answerable : spread(set.answerable, LIMIT);
    const unanswerable = LIMIT === null ? set.unanswerable : set.unanswerable.slice(0, Math.ceil(LIMIT / 3));
    results.subset = { answerable: answerable.length, unanswerable: unanswerable.length, of: [60, 20] };
    console.log(`asking ${answerable.length} answerable and ${unanswerable.length} unanswerable questions`);
    const table: Record<string, ReturnType<typeof summarize>> = {};
    const perQuestion: Record<string, unknown[]> = {};
    const templates: Record<string, string> = {};

    // The extractive baseline needs only retrieval, the same stage the models answer from.
    const retrievalOnly = new AskPipeline({ retriever, generator: { contextSize: CONTEXT } as never });
    const samples: GateSample[] = [];
    const holderRows: Outcome[][] = [[], []];
    const baseline = async (question: string, file: string | null, gold: string | null): Promise<Outcome> => {
      const retrieved = await retrievalOnly.retrieve(question);
      samples.push(gateSample(question, gold !== null, retrieved));
      holderRows[gold !== null ? 0 : 1]!.push(holderBaseline(question, retrieved, file, gold));
      const picked = extractive(question, retrieved);
      const good =
        picked && file && gold
          ? basename(picked.chunk.path) === file && containsAnswer(picked.chunk.text, gold)
          : false;
      const correct = picked !== null && gold !== null && containsAnswer(picked.text, gold);
      return {
        correct,
        shownCorrect: correct,
        echoed: false,
        notFound: picked === null,
        citations: picked ? 1 : 0,
        goodCitations: good ? 1 : 0,
        rawCitations: null,
        rawGoodCitations: null,
        firstTokenMs: null,
        tokensPerSecond: null,
      };
    };
    table.extractive = summarize(
      await each(answerable, (q) => baseline(q.question, fileOf.get(q.doc)!, q.answer)),
      await each(unanswerable, (q) => baseline(q, null, null)),
    );
    table['extractive, best of 8'] = summarize(holderRows[0]!, holderRows[1]!);
    const nearMiss: GateSample[] = [];
    for (const question of set.nearMiss ?? []) {
      nearMiss.push(gateSample(question, false, await retrievalOnly.retrieve(question)));
    }
    const gate = calibrate(samples, nearMiss);
    console.log('relevance gate: top scores per question (MiniLM vectors)');
    console.table(gate.distribution);
    console.log('relevance gate: coverage share swept');
    console.table(gate.coverageSweep);
    console.log(
      'relevance gate chosen:',
      JSON.stringify(
        { ...gate, distribution: undefined, coverageSweep: undefined },
        (_k, v: unknown) => (typeof v === 'number' ? round(v) : v),
        1,
      ),
    );
    results.gate = gate;

    for (const id of MODELS) {
      const path = id === 'gemma3' ? evalModels.gemma : id === 'smollm2' ? evalModels.chat : null;
      if (id === 'none') continue;
      if (!path) {
        console.log(`${id} skipped: not cached. ${EVAL_MODELS_HINT}`);
        continue;
      }
      const model = await llama.loadModel({ modelPath: path });
      const chat = await ChatGenerator.create(
        { role: 'chat', file: basename(path), path, model, threads: 1, contextSize: CONTEXT },
        { hasChatTemplate: (await checkGgufFile(path)).hasChatTemplate },
      );
      templates[id] = chat.templateName;
      const generator = await generatorFromChat({ generator: () => Promise.resolve(chat) });
      try {
        const pipeline = new AskPipeline({ retriever, generator }, { answerTokens: ANSWER_TOKENS });
        const rows: unknown[] = [];
        const ask = async (question: string, file: string | null, gold: string | null): Promise<Outcome> => {
          const started = performance.now();
          let first: number | null = null;
          let streamed = '';
          const answer = await pipeline.answer(
            { answerId: `q${rows.length}`, question },
            {
              onToken: (text) => {
                first ??= performance.now();
                streamed += text;
              },
            },
          );
          const ended = performance.now();
          const notFound = answer.outcome === 'not-found' || REFUSAL.test(answer.text);
          const holds = (s: AskSource) => {
            const chunk = retriever.chunks.get(s.chunkId);
            return Boolean(file && gold && chunk && basename(s.path) === file && containsAnswer(chunk.text, gold));
          };
          const cited = answer.cited.map((n) => answer.sources.find((s) => s.n === n)!);
          const good = cited.filter(holds).length;
          const own =
            answer.outcome === 'answered'
              ? parseCitations(streamed, new Set(answer.sources.map((s) => s.n))).cited.map((n) =>
                  answer.sources.find((s) => s.n === n)!,
                )
              : [];
          const tokens = answer.outcome === 'answered' ? generator.countTokens(answer.text) : 0;
          rows.push({
            question,
            gold,
            outcome: answer.outcome,
            text: answer.text,
            cited: cited.map((s) => `${basename(s.path)}${s.page ? ` p${s.page}` : ''}`),
            goldFile: file,
            citedHoldingGold: good,
            modelCited: own.map((s) => `${basename(s.path)}${s.page ? ` p${s.page}` : ''}`),
            quote: answer.quote?.text ?? null,
            echoed: answer.echoed ?? false,
          });
          const echoed = answer.outcome === 'answered' && (answer.echoed === true || ECHO.test(answer.text));
          const said =
            answer.outcome === 'answered' && !answer.echoed && gold !== null && containsAnswer(answer.text, gold);
          const quoted = Boolean(answer.quote && gold !== null && containsAnswer(answer.quote.text, gold));
          return {
            correct: said,
            shownCorrect: said || quoted,
            echoed,
            notFound,
            citations: cited.length,
            goodCitations: good,
            rawCitations: own.length,
            rawGoodCitations: own.filter(holds).length,
            firstTokenMs: first === null ? null : first - started,
            tokensPerSecond:
              first !== null && ended > first && tokens > 1 ? (tokens - 1) / ((ended - first) / 1000) : null,
          };
        };
        table[id] = summarize(
          await each(answerable, (q) => ask(q.question, fileOf.get(q.doc)!, q.answer)),
          await each(unanswerable, (q) => ask(q, null, null)),
        );
        perQuestion[id] = rows;
      } finally {
        await chat.dispose();
        await model.dispose();
      }
    }

    console.table(table);
    console.log('prompt formats:', JSON.stringify(templates));
    const gemma = table.gemma3;
    const targets = {
      citationPrecisionAtLeast0_9: Object.fromEntries(
        Object.entries(table).map(([k, v]) => [k, v.citationPrecision !== null && v.citationPrecision >= 0.9]),
      ),
      notFoundRecallAtLeast0_8AndFalseNotFoundAtMost0_1: Object.fromEntries(
        Object.entries(table).map(([k, v]) => [k, (v.notFoundRecall ?? 0) >= 0.8 && (v.falseNotFound ?? 1) <= 0.1]),
      ),
      gemmaAtLeastAsCorrectAsExtractive: gemma ? (gemma.correct ?? 0) >= (table.extractive!.correct ?? 0) : null,
      // The issue's fallback: where the model falls short, the quote shown beside it closes the gap.
      gemmaWithItsQuoteAtLeastAsCorrectAsExtractive: gemma
        ? (gemma.shownCorrect ?? 0) >= (table.extractive!.correct ?? 0)
        : null,
    };
    console.log('targets met:', JSON.stringify(targets, null, 2));
    Object.assign(results, {
      templates,
      contextSize: CONTEXT,
      answerTokens: ANSWER_TOKENS,
      table,
      targets,
      perQuestion,
    });
  });
});

/** `n` questions spread over the set (every k-th), so a subset still covers most documents. */
function spread<T>(items: readonly T[], n: number): T[] {
  if (n >= items.length) return [...items];
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)]!);
}

async function each<T, R>(items: readonly T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await f(item));
  return out;
}
