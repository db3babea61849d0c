import type { AskAnswer, AskScope, AskSource, ConversationTurn, StageScores } from '../../shared/contract/ask';
import { cutToTokens, formatSource, packSources, type PackedSource } from './context-packer';
import { parseCitations } from './citations';
import { withoutRepeatedLines } from './repeated-lines';
import {
  COMPLETION_STOP,
  GROUNDED_SYSTEM_PROMPT,
  completionPrompt,
  MAP_SYSTEM_PROMPT,
  REDUCE_SYSTEM_PROMPT,
  groundedPrompt,
  mapPrompt,
  notFoundText,
  reducePrompt,
} from './prompt';
import { contentWords, termCoverage } from './query-terms';
import type { Generator, Reranker, RetrievedChunk, Retriever } from './seams';
import { ReadingPace } from './reading-pace';
import { standaloneQuery } from './standalone-query';
import { quoteHolder, saysMostOf } from './supporting-quote';
import { bestSupport, isSourceEcho, verifyCitations } from './verified-citations';
import { sourceLabel } from './source-label';
import { isWholeDocumentQuestion, pickDocument } from './whole-document';

/**
 * The relevance gate without a reranker: whether a chunk matching `matched` of the query's
 * `total` content words is relevant. Short queries need every word; longer ones a share, and at
 * least two. docs/RETRIEVAL.md ("The relevance gate") has the calibration behind the share.
 */
export function coveragePasses(matched: number, total: number, minCoverage: number): boolean {
  if (total === 0) return false;
  if (total <= 2) return matched >= total;
  return matched >= Math.max(2, Math.ceil(total * minCoverage));
}

/** A retrieved chunk with every stage's score filled in, and whether it passed the gate. */
export interface ScoredChunk extends RetrievedChunk {
  scores: StageScores;
  matchedTerms: string[];
  relevant: boolean;
}

export interface AskPipelineInit {
  /** Chunks fetched from hybrid search before reranking and gating. Default 20. */
  candidates?: number;
  /** Most sources given to the model. Default 8. */
  maxSources?: number;
  /** Reranker probability a chunk needs to count as relevant. Default 0.25. */
  minRerank?: number;
  /** Share of the query's content words a chunk must contain when no reranker runs. Default 0.3. */
  minCoverage?: number;
  /** Longest answer in tokens. Default: a quarter of the context, at most 512. */
  answerTokens?: number;
  /** Time per part of earlier whole-document answers, for the time left shown before reading. */
  pace?: ReadingPace;
}

export interface AskPipelineComponents {
  retriever: Retriever;
  generator: Generator;
  /** Used when installed; null or undefined skips the rerank stage. */
  reranker?: Reranker | null;
}

export interface AskRequest {
  answerId: string;
  question: string;
  conversation?: readonly ConversationTurn[];
  scope?: AskScope;
  mode?: 'auto' | 'retrieval' | 'document';
  document?: string;
}

export interface AskCallbacks {
  onToken?: (text: string) => void;
  onSources?: (sources: AskSource[]) => void;
  /** `etaSeconds`: time left while reading a whole document in parts, once it can be told. */
  onProgress?: (
    phase: 'retrieving' | 'reranking' | 'reading' | 'writing',
    done: number,
    total: number | null,
    etaSeconds?: number | null,
  ) => void;
}

const EMPTY_SCOPE: AskScope = { collections: [], folders: [], files: [] };
const SNIPPET_CHARS = 1200;

function isWholeLibrary(scope: AskScope): boolean {
  return scope.collections.length + scope.folders.length + scope.files.length === 0;
}

function scopeLabel(scope: AskScope): string {
  const parts = [
    ...scope.collections.map((c) => `collection "${c}"`),
    ...scope.folders.map((f) => `folder ${f}`),
    ...scope.files.map((f) => `file ${f}`),
  ];
  return parts.length > 0 ? parts.join(', ') : 'your library';
}

/**
 * Question in, grounded answer out: standalone query, hybrid retrieval, optional rerank, a
 * relevance gate (honest "not found"), packing by the model's token budget, a streamed answer
 * and citations checked against the sources given. Whole-document requests go map-reduce.
 */
export class AskPipeline {
  private readonly _candidates: number;
  private readonly _maxSources: number;
  private readonly _minRerank: number;
  private readonly _minCoverage: number;

  constructor(
    private readonly _components: AskPipelineComponents,
    private readonly _init: AskPipelineInit = {},
  ) {
    this._candidates = _init.candidates ?? 20;
    this._maxSources = _init.maxSources ?? 8;
    this._minRerank = _init.minRerank ?? 0.25;
    this._minCoverage = _init.minCoverage ?? 0.3;
  }

  private get _answerTokens(): number {
    return this._init.answerTokens ?? Math.min(512, Math.floor(this._components.generator.contextSize / 4));
  }

  /** The retrieval stage alone (the bench and the self-test measure exactly this). */
  async retrieve(
    query: string,
    options: { scope?: AskScope; signal?: AbortSignal; callbacks?: AskCallbacks } = {},
  ): Promise<ScoredChunk[]> {
    const { retriever, reranker } = this._components;
    options.callbacks?.onProgress?.('retrieving', 0, 1);
    const found = await retriever.search(query, {
      scope: options.scope,
      top: this._candidates,
      signal: options.signal,
    });
    options.callbacks?.onProgress?.('retrieving', 1, 1);
    let rerankScores: number[] | null = null;
    if (reranker && found.length > 0) {
      options.callbacks?.onProgress?.('reranking', 0, found.length);
      rerankScores = await reranker.rank(
        query,
        found.map((chunk) => chunk.text),
        { signal: options.signal },
      );
      options.callbacks?.onProgress?.('reranking', found.length, found.length);
    }
    const words = contentWords(query);
    const scored = found.map((chunk, i): ScoredChunk => {
      const { matched, coverage } = termCoverage(words, `${chunk.headingPath.join(' ')} ${chunk.path} ${chunk.text}`);
      const rerank = rerankScores ? rerankScores[i]! : null;
      const relevant =
        rerank !== null ? rerank >= this._minRerank : coveragePasses(matched.length, words.length, this._minCoverage);
      return { ...chunk, scores: { ...chunk.scores, rerank, coverage }, matchedTerms: matched, relevant };
    });
    if (rerankScores) scored.sort((a, b) => b.scores.rerank! - a.scores.rerank!);
    return scored;
  }

  async answer(request: AskRequest, callbacks: AskCallbacks = {}, signal?: AbortSignal): Promise<AskAnswer> {
    const scope = request.scope ?? EMPTY_SCOPE;
    const query = standaloneQuery(request.question, request.conversation ?? []);
    const base = { answerId: request.answerId, question: request.question, query, scope };
    const candidates =
      request.mode === 'document' && request.document ? [] : await this.retrieve(query, { scope, signal, callbacks });

    const wantsWhole =
      request.mode === 'document' || (request.mode !== 'retrieval' && isWholeDocumentQuestion(request.question));
    if (wantsWhole) {
      const path = pickDocument(request.question, {
        picked: request.document,
        scopeFiles: scope.files,
        candidates,
        fallback: candidates.find((c) => c.relevant)?.path,
      });
      if (path) return this._wholeDocument(base, path, callbacks, signal);
    }

    const relevant = candidates.filter((chunk) => chunk.relevant);
    if (relevant.length === 0 || signal?.aborted) {
      const cancelled = signal?.aborted ?? false;
      return {
        ...base,
        mode: 'retrieval',
        outcome: cancelled ? 'cancelled' : 'not-found',
        text: cancelled ? '' : notFoundText(request.question.trim(), scopeLabel(scope), isWholeLibrary(scope)),
        sources: [],
        cited: [],
        droppedCitations: 0,
        message: cancelled
          ? 'The answer was stopped.'
          : candidates.length === 0
            ? `Nothing in ${scopeLabel(scope)} matched the question.`
            : `The closest passages in ${scopeLabel(scope)} did not match the question well enough to answer from.`,
      };
    }

    const { generator } = this._components;
    const completion = generator.style === 'completion';
    const system = completion ? '' : GROUNDED_SYSTEM_PROMPT;
    const prompt = (block: string) =>
      completion ? completionPrompt(block, request.question) : groundedPrompt(block, request.question);
    const fixed = generator.countTokens(system) + generator.countTokens(prompt(''));
    const budget = generator.contextSize - this._answerTokens - fixed - 32;
    const packed = packSources(generator, relevant, { budget, maxSources: this._maxSources });
    const sources = packed.sources.map((source) => toAskSource(source, relevant));
    callbacks.onSources?.(sources);
    callbacks.onProgress?.('writing', 0, null);
    const raw = await generator.generate({
      system,
      prompt: prompt(packed.block),
      maxTokens: this._answerTokens,
      signal,
      onToken: callbacks.onToken,
      stopAt: completion ? COMPLETION_STOP : undefined,
    });
    const answer = this._finish(base, 'retrieval', raw, sources, signal);
    if (answer.outcome !== 'answered') return answer;
    return verifiedAnswer(answer, request.question, packed.sources);
  }

  private _finish(
    base: Pick<AskAnswer, 'answerId' | 'question' | 'query' | 'scope'>,
    mode: AskAnswer['mode'],
    raw: string,
    sources: AskSource[],
    signal: AbortSignal | undefined,
  ): AskAnswer {
    const citations = parseCitations(withoutRepeatedLines(raw).text, new Set(sources.map((s) => s.n)));
    const cancelled = signal?.aborted ?? false;
    return {
      ...base,
      mode,
      outcome: cancelled ? 'cancelled' : 'answered',
      text: citations.text.trim(),
      sources,
      cited: citations.cited,
      droppedCitations: citations.dropped,
      message: cancelled ? 'The answer was stopped.' : null,
    };
  }

  /** Map-reduce over every chunk of one document: notes per part, then one combined answer. */
  private async _wholeDocument(
    base: Pick<AskAnswer, 'answerId' | 'question' | 'query' | 'scope'>,
    path: string,
    callbacks: AskCallbacks,
    signal: AbortSignal | undefined,
  ): Promise<AskAnswer> {
    const { generator, retriever } = this._components;
    const chunks = await retriever.documentChunks(path, { signal });
    if (chunks.length === 0) {
      return {
        ...base,
        mode: 'whole-document',
        outcome: 'not-found',
        text: `${path} is not in the library index, so I cannot read it. Add it to a collection first.`,
        sources: [],
        cited: [],
        droppedCitations: 0,
        message: `${path} has no indexed text.`,
      };
    }
    const words = contentWords(base.query);
    const all: PackedSource[] = chunks.map((chunk, i) => ({ n: i + 1, chunk, text: chunk.text }));
    const sources = all.map((source) => {
      const { matched, coverage } = termCoverage(words, source.text);
      return toAskSource(source, [], { coverage, matchedTerms: matched });
    });
    callbacks.onSources?.(sources);

    const answerTokens = this._answerTokens;
    const mapFixed =
      generator.countTokens(MAP_SYSTEM_PROMPT) + generator.countTokens(mapPrompt('', base.question, 99, 99));
    const parts = partition(generator, all, generator.contextSize - answerTokens - mapFixed - 32);
    const pace = this._init.pace ?? new ReadingPace();
    if (parts.length === 1) {
      // One part still takes minutes on a small CPU: say so before the model reads it.
      callbacks.onProgress?.('reading', 0, 1, pace.estimate(1));
      const started = performance.now();
      const raw = await generator.generate({
        system: GROUNDED_SYSTEM_PROMPT,
        prompt: groundedPrompt(parts[0]!, base.question),
        maxTokens: answerTokens,
        signal,
        onToken: callbacks.onToken,
      });
      if (!signal?.aborted) pace.record((performance.now() - started) / 1000);
      return checkedCitations(this._finish(base, 'whole-document', raw, sources, signal), all);
    }

    const notes: string[] = [];
    for (const [i, block] of parts.entries()) {
      // Parts left, and the combining step after them, each take about one part's time.
      callbacks.onProgress?.('reading', i, parts.length, pace.estimate(parts.length - i + 1));
      if (signal?.aborted) return this._finish(base, 'whole-document', '', sources, signal);
      const started = performance.now();
      notes.push(
        await generator.generate({
          system: MAP_SYSTEM_PROMPT,
          prompt: mapPrompt(block, base.question, i + 1, parts.length),
          maxTokens: Math.min(answerTokens, 256),
          signal,
        }),
      );
      if (signal?.aborted) return this._finish(base, 'whole-document', '', sources, signal);
      pace.record((performance.now() - started) / 1000);
    }
    callbacks.onProgress?.('reading', parts.length, parts.length, pace.estimate(1));
    callbacks.onProgress?.('writing', 0, null);
    const reduceFixed =
      generator.countTokens(REDUCE_SYSTEM_PROMPT) + generator.countTokens(reducePrompt([], base.question));
    const perNote =
      Math.floor((generator.contextSize - answerTokens - reduceFixed - 32) / Math.max(1, notes.length)) - 8;
    const fitted = notes.map((note) => cutToTokens(generator, note, Math.max(8, perNote)));
    const raw = signal?.aborted
      ? ''
      : await generator.generate({
          system: REDUCE_SYSTEM_PROMPT,
          prompt: reducePrompt(fitted, base.question),
          maxTokens: answerTokens,
          signal,
          onToken: callbacks.onToken,
        });
    return checkedCitations(this._finish(base, 'whole-document', raw, sources, signal), all);
  }
}

/** The answer with only the citations whose passage says the sentence citing it (`verifyCitations`). */
function checkedCitations(answer: AskAnswer, sources: readonly PackedSource[]): AskAnswer {
  if (answer.outcome !== 'answered') return answer;
  const verified = verifyCitations(answer.text, sources);
  return {
    ...answer,
    text: verified.text.trim(),
    cited: verified.cited,
    unsupportedCitations: { moved: verified.moved, removed: verified.removed },
  };
}

/**
 * Keeps only citations whose passage says the sentence that cites it (see `verifyCitations`).
 * Every answer then points at the passage that best answers the question (`quoteHolder`): an
 * answer with no marker cites it, with an added marker only when that passage also says the
 * answer; an answer left without citations, or one that only copies the source list
 * (`isSourceEcho`), cites it and shows its sentence. So every chip opens a passage that holds
 * what it is attached to, and a weak model's gap is shown beside its answer, not hidden.
 */
function verifiedAnswer(answer: AskAnswer, question: string, sources: readonly PackedSource[]): AskAnswer {
  const quoted = sources.map((s) => ({
    n: s.n,
    text: s.text,
    label: `${sourceLabel(s.chunk)} ${s.chunk.headingPath.join(' ')}`,
  }));
  if (isSourceEcho(answer.text)) {
    const holder = quoteHolder(question, quoted);
    return {
      ...answer,
      cited: holder ? [holder.n] : [],
      quote: holder,
      echoed: true,
      unsupportedCitations: { moved: 0, removed: answer.cited.length },
    };
  }
  const checked = checkedCitations(answer, sources);
  const quote = quoteHolder(question, quoted, checked.cited);
  if (checked.cited.length > 0) {
    return { ...checked, quote: quote && saysMostOf(checked.text, quote.text) ? null : quote };
  }
  if (!quote) return checked;
  // Small models often write no marker: when the passage that answers the question also says
  // the answer, the chip goes on the answer; otherwise the quote is the citation.
  if (bestSupport(checked.text, sources) === quote.n) {
    return {
      ...checked,
      text: `${checked.text} [${quote.n}]`,
      cited: [quote.n],
      addedCitations: 1,
      quote: saysMostOf(checked.text, quote.text) ? null : quote,
    };
  }
  return { ...checked, cited: [quote.n], quote };
}

/** Splits numbered sources, in order, into blocks that each fit `budget` tokens. */
function partition(
  generator: Pick<Generator, 'countTokens'>,
  sources: readonly PackedSource[],
  budget: number,
): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let used = 0;
  for (const source of sources) {
    let text = formatSource(source.n, source.chunk, source.text);
    let cost = generator.countTokens(text);
    if (cost > budget) {
      text = formatSource(source.n, source.chunk, cutToTokens(generator, source.text, budget - 48));
      cost = generator.countTokens(text);
    }
    if (used + cost > budget && current.length > 0) {
      blocks.push(current.join('\n'));
      current = [];
      used = 0;
    }
    current.push(text);
    used += cost;
  }
  if (current.length > 0) blocks.push(current.join('\n'));
  return blocks;
}

function toAskSource(
  source: PackedSource,
  scored: readonly ScoredChunk[],
  fallback?: { coverage: number; matchedTerms: string[] },
): AskSource {
  const match = scored.find((s) => s.id === source.chunk.id);
  const chunk = source.chunk;
  return {
    n: source.n,
    chunkId: chunk.id,
    path: chunk.path,
    page: chunk.page,
    pageKind: chunk.pageKind,
    lineStart: chunk.lineStart,
    lineEnd: chunk.lineEnd,
    headingPath: chunk.headingPath,
    snippet: source.text.length > SNIPPET_CHARS ? `${source.text.slice(0, SNIPPET_CHARS)}…` : source.text,
    matchedTerms: match?.matchedTerms ?? fallback?.matchedTerms ?? [],
    scores: match?.scores ?? {
      lexical: chunk.scores.lexical,
      lexicalRank: chunk.scores.lexicalRank,
      vector: chunk.scores.vector,
      vectorRank: chunk.scores.vectorRank,
      fused: chunk.scores.fused,
      rerank: chunk.scores.rerank ?? null,
      coverage: fallback?.coverage ?? 0,
    },
  };
}
