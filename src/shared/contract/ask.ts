import * as v from 'valibot';
import { call, event, namespace } from './define';
import { IdSchema, PathSchema, ProgressSchema } from './common';
import { SearchRanksSchema } from './library';

/** Where an answer may look: empty lists (or no scope) mean the whole library. */
export const AskScopeSchema = v.strictObject({
  collections: v.optional(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(200))), []),
  folders: v.optional(v.array(PathSchema), []),
  files: v.optional(v.array(PathSchema), []),
});

export const ConversationTurnSchema = v.strictObject({
  role: v.picklist(['user', 'assistant']),
  text: v.pipe(v.string(), v.maxLength(100_000)),
});

/** How one source was found; a stage that did not run (or missed it) is null. */
export const StageScoresSchema = v.object({
  ...SearchRanksSchema.entries,
  /** Reciprocal-rank-fusion score of the hybrid search. */
  fused: v.number(),
  /** Local reranker probability (0..1), when a reranker is installed. */
  rerank: v.nullable(v.number()),
  /** Share of the query's content words found in the text (0..1); the relevance gate uses it. */
  coverage: v.number(),
});

export const AskSourceSchema = v.object({
  /** The number the answer cites as [n]. */
  n: v.number(),
  /** The library chunk this source is: the exact passage the model was given. */
  chunkId: v.string(),
  path: v.string(),
  page: v.nullable(v.number()),
  /** What `page` counts: PDF pages, slides, sheets or EPUB chapters. */
  pageKind: v.nullable(v.picklist(['page', 'slide', 'sheet', 'chapter'])),
  lineStart: v.nullable(v.number()),
  lineEnd: v.nullable(v.number()),
  headingPath: v.array(v.string()),
  snippet: v.string(),
  /** The words of the query found in the snippet, for highlighting. */
  matchedTerms: v.array(v.string()),
  scores: StageScoresSchema,
});

/** A sentence quoted word for word from a cited passage, shown beside the model's answer. */
export const AskQuoteSchema = v.object({
  /** The source it comes from. */
  n: v.number(),
  text: v.string(),
});

export const AskOutcomeSchema = v.picklist(['answered', 'not-found', 'cancelled', 'failed']);

export const AskAnswerSchema = v.object({
  answerId: IdSchema,
  question: v.string(),
  /** The standalone search query made from the question and the conversation. */
  query: v.string(),
  mode: v.picklist(['retrieval', 'whole-document']),
  outcome: AskOutcomeSchema,
  /** The answer with unresolvable citations removed; for `not-found`, the honest explanation. */
  text: v.string(),
  sources: v.array(AskSourceSchema),
  /** Source numbers the answer cites, in order of first use. */
  cited: v.array(v.number()),
  /** How many [n] markers pointed at no supplied source and were removed. */
  droppedCitations: v.number(),
  /**
   * Citations checked against their passages: `moved` pointed at a passage that does not say the
   * sentence and now point at the one that does; `removed` had no passage that says it.
   */
  unsupportedCitations: v.optional(v.object({ moved: v.number(), removed: v.number() })),
  /** Citations Ask added to an answer that had none: the passage that says it (the model wrote no [n]). */
  addedCitations: v.optional(v.number()),
  scope: AskScopeSchema,
  /** Why the outcome is what it is (not-found, failed), in words a user can act on. */
  message: v.nullable(v.string()),
  /**
   * The best-matching sentence of the top cited passage, when the answer does not already say it,
   * or of the passage that best answers the question when no citation of the answer held up.
   */
  quote: v.optional(v.nullable(AskQuoteSchema)),
  /**
   * The model copied its list of sources instead of answering (small base models do): the text
   * says nothing, so the app shows `quote` in its place.
   */
  echoed: v.optional(v.boolean()),
});

/** A finished ask in the history list. */
export const AskSummarySchema = v.object({
  answerId: IdSchema,
  question: v.string(),
  outcome: AskOutcomeSchema,
  /** Epoch milliseconds. */
  askedAt: v.number(),
  sources: v.number(),
});

export const SelfTestReportSchema = v.object({
  samples: v.number(),
  foundAt1: v.number(),
  foundAt5: v.number(),
  recallAt5: v.number(),
  /** Passages that were not found in the top 5, for the user to look at. */
  misses: v.array(v.object({ path: v.string(), page: v.nullable(v.number()), question: v.string() })),
  seconds: v.number(),
});

export const askContract = namespace(
  {
    ask: call(
      v.strictObject({
        question: v.pipe(v.string(), v.minLength(1), v.maxLength(10_000)),
        conversation: v.optional(v.array(ConversationTurnSchema), []),
        scope: v.optional(AskScopeSchema, {}),
        /** `auto` detects whole-document questions; `document` answers over one file (map-reduce). */
        mode: v.optional(v.picklist(['auto', 'retrieval', 'document']), 'auto'),
        document: v.optional(PathSchema),
        /**
         * The id this answer's events will carry, chosen by the client so it can tell its own
         * tokens from the first one on (default: one made by the engine). Refused while in use.
         */
        answerId: v.optional(IdSchema),
      }),
      v.object({ answerId: IdSchema }),
      'Ask a question about your files; the answer streams as `token` events and ends with `done`.',
    ),
    result: call(
      v.strictObject({ answerId: IdSchema }),
      AskAnswerSchema,
      'Wait for an answer to finish and return it with its sources (also a finished ask from the history).',
    ),
    cancel: call(v.strictObject({ answerId: IdSchema }), v.null(), 'Stop an answer at once.'),
    history: call(
      v.strictObject({}),
      v.array(AskSummarySchema),
      'Finished asks, newest first; `result` reopens one with its sources.',
    ),
    forget: call(v.strictObject({ answerId: IdSchema }), v.null(), 'Remove an ask from the history.'),
    openSource: call(
      v.strictObject({ answerId: IdSchema, n: v.pipe(v.number(), v.integer(), v.minValue(1)) }),
      v.object({ opened: v.boolean(), reason: v.nullable(v.string()) }),
      'Open the file of source [n] of an answer in its system viewer (app only; the browser shows the snippet).',
    ),
    selfTest: call(
      v.strictObject({
        collection: v.optional(v.string()),
        samples: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500)), 40),
      }),
      SelfTestReportSchema,
      'Sample passages of your files, ask for each, and report how often retrieval finds it (recall@5).',
    ),
  },
  {
    token: event(v.object({ answerId: IdSchema, text: v.string() }), 'A piece of a streamed answer.'),
    sources: event(
      v.object({ answerId: IdSchema, sources: v.array(AskSourceSchema) }),
      'The numbered sources an answer is written from, sent before its first token.',
    ),
    progress: event(
      v.object({
        answerId: IdSchema,
        phase: v.picklist(['retrieving', 'reranking', 'reading', 'writing']),
        progress: ProgressSchema,
      }),
      'Progress of an answer; whole-document answers report each part read.',
    ),
    done: event(AskAnswerSchema, 'An answer finished (answered, not found, cancelled or failed).'),
    selfTestProgress: event(ProgressSchema, 'Progress of the library self-test.'),
  },
  /** What these calls fail with, by name (beside the doors' own errors). */
  ['AskUnavailableError', 'RerankerUnsupportedError'],
);

export type AskScope = v.InferOutput<typeof AskScopeSchema>;
export type AskSource = v.InferOutput<typeof AskSourceSchema>;
export type AskSummary = v.InferOutput<typeof AskSummarySchema>;
export type AskQuote = v.InferOutput<typeof AskQuoteSchema>;
export type AskAnswer = v.InferOutput<typeof AskAnswerSchema>;
export type StageScores = v.InferOutput<typeof StageScoresSchema>;
export type ConversationTurn = v.InferOutput<typeof ConversationTurnSchema>;
export type SelfTestReport = v.InferOutput<typeof SelfTestReportSchema>;
