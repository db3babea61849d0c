import type { AskScope, StageScores } from '../../shared/contract/ask';

/**
 * The seams the ask pipeline is built on. The library (retrieval), the models (generation)
 * and an optional reranker plug in through these; tests stub them here and nowhere else.
 */

/** One retrieved passage with its location and how each retrieval stage scored it. */
export interface RetrievedChunk {
  /** The library chunk's id (unique within the index): the exact passage, never re-found by location. */
  id: string;
  path: string;
  /** 1-based page, slide, sheet or chapter; null for formats without pages. */
  page: number | null;
  pageKind: 'page' | 'slide' | 'sheet' | 'chapter' | null;
  lineStart: number | null;
  lineEnd: number | null;
  headingPath: string[];
  text: string;
  scores: Omit<StageScores, 'coverage' | 'rerank'> & { rerank?: number | null };
}

export interface RetrieveOptions {
  /** Default: the whole library. */
  scope?: AskScope;
  /** How many chunks to return, best first. */
  top: number;
  signal?: AbortSignal;
}

export interface Retriever {
  /** Hybrid search (full text + vectors, fused), best first. */
  search(query: string, options: RetrieveOptions): Promise<RetrievedChunk[]>;
  /** Every chunk of one file in reading order, for whole-document answers. */
  documentChunks(path: string, options?: { signal?: AbortSignal }): Promise<RetrievedChunk[]>;
  /** Up to `count` chunks picked evenly across the scope, for the self-test. */
  sampleChunks(count: number, options?: { scope?: AskScope; signal?: AbortSignal }): Promise<RetrievedChunk[]>;
}

export interface GenerateOptions {
  system: string;
  prompt: string;
  /** Default: a quarter of the context. */
  maxTokens?: number;
  signal?: AbortSignal;
  onToken?: (text: string) => void;
  /** Generation ends at the first of these (a completion-style prompt's end of answer). */
  stopAt?: readonly string[];
}

/** A loaded chat model: knows its token budget and streams text. */
export interface Generator {
  /** Tokens the loaded context holds (prompt plus answer). */
  readonly contextSize: number;
  /**
   * How the model takes a prompt. 'chat' (default): a model with a chat template, given the
   * system prompt and the prompt as turns. 'completion': a base model with none, given
   * `system` and `prompt` as one text to continue.
   */
  readonly style?: 'chat' | 'completion';
  countTokens(text: string): number;
  /** Streams the answer; on abort it resolves with the text so far. */
  generate(options: GenerateOptions): Promise<string>;
}

/** A local cross-encoder: probability (0..1) that each text answers the query. */
export interface Reranker {
  rank(query: string, texts: string[], options?: { signal?: AbortSignal }): Promise<number[]>;
}
