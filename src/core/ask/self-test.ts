import type { AskScope, SelfTestReport } from '../../shared/contract/ask';
import type { AskPipeline } from './ask-pipeline';
import { contentWords } from './query-terms';
import type { RetrievedChunk, Retriever } from './seams';

/**
 * A question a user might ask about a passage: the distinctive words of one of its sentences
 * (not the sentence itself, so retrieval has to match meaning words, not copy a string).
 */
export function questionFor(chunk: Pick<RetrievedChunk, 'text'>, words = 6): string | null {
  const sentences = chunk.text.split(/(?<=[.!?])\s+|\n{2,}/).filter((s) => contentWords(s).length >= 4);
  const sentence = sentences[Math.floor(sentences.length / 2)] ?? chunk.text;
  const picked = contentWords(sentence)
    .filter((w) => w.length > 3 && !/^\d+$/.test(w))
    .sort((a, b) => b.length - a.length)
    .slice(0, words);
  return picked.length >= 2 ? `What is said about ${picked.join(' ')}?` : null;
}

export interface SelfTestOptions {
  samples: number;
  scope?: AskScope;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Samples passages, asks for each through the ask retrieval stage, and counts hits in the top 5. */
export async function runSelfTest(
  retriever: Retriever,
  pipeline: Pick<AskPipeline, 'retrieve'>,
  options: SelfTestOptions,
): Promise<SelfTestReport> {
  const started = performance.now();
  const sampled = await retriever.sampleChunks(options.samples, { scope: options.scope, signal: options.signal });
  let asked = 0;
  let foundAt1 = 0;
  let foundAt5 = 0;
  const misses: SelfTestReport['misses'] = [];
  for (const [i, chunk] of sampled.entries()) {
    options.signal?.throwIfAborted();
    const question = questionFor(chunk);
    options.onProgress?.(i, sampled.length);
    if (!question) continue;
    asked += 1;
    const top = (await pipeline.retrieve(question, { scope: options.scope, signal: options.signal })).slice(0, 5);
    const rank = top.findIndex((hit) => hit.id === chunk.id || (hit.path === chunk.path && hit.text === chunk.text));
    if (rank === 0) foundAt1 += 1;
    if (rank >= 0) foundAt5 += 1;
    else if (misses.length < 20) misses.push({ path: chunk.path, page: chunk.page, question });
  }
  options.onProgress?.(sampled.length, sampled.length);
  return {
    samples: asked,
    foundAt1,
    foundAt5,
    recallAt5: asked > 0 ? foundAt5 / asked : 0,
    misses,
    seconds: (performance.now() - started) / 1000,
  };
}
