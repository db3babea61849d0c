import type { TokenCounter } from './chunker';
import { Embedder, type EmbedModelInfo } from './embedder';
import { modelTokenCounter } from './tokenizer';

/** An embedding model ready to index with: the worker that makes vectors and its tokenizer. */
export interface LoadedEmbedModel {
  path: string;
  embedder: Embedder;
  countTokens: TokenCounter;
  dispose: () => Promise<void>;
}

export type EmbedModelLoad = { ok: true; model: LoadedEmbedModel } | { ok: false; problem: string };

/** Loads an embedding model, or says why it could not (missing file, not a model, too little memory). */
export async function loadEmbedModel(path: string, threads: number): Promise<EmbedModelLoad> {
  // Both load llama.cpp (seconds on a cold start); do it side by side.
  const [embedder, counter] = await Promise.allSettled([
    Embedder.create({ modelPath: path, threads }),
    modelTokenCounter(path),
  ]);
  if (embedder.status === 'fulfilled' && counter.status === 'fulfilled') {
    const dispose = async () => {
      await embedder.value.dispose();
      await counter.value.dispose();
    };
    return { ok: true, model: { path, embedder: embedder.value, countTokens: counter.value.count, dispose } };
  }
  if (embedder.status === 'fulfilled') await embedder.value.dispose();
  if (counter.status === 'fulfilled') await counter.value.dispose();
  const reason = embedder.status === 'rejected' ? embedder.reason : (counter as PromiseRejectedResult).reason;
  return { ok: false, problem: reason instanceof Error ? reason.message : String(reason) };
}

/** Same model: the vectors of one can be searched with the other. */
export function sameEmbedModel(a: EmbedModelInfo | null, b: EmbedModelInfo | null): boolean {
  return (
    (a === null && b === null) ||
    (a !== null && b !== null && a.name === b.name && a.bytes === b.bytes && a.dimension === b.dimension)
  );
}
