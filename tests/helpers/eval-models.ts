import { statSync } from 'node:fs';
import { join } from 'node:path';
import { EVAL_MODELS, evalModelsDir, type EvalModel } from '../../scripts/eval-models/manifest';

/**
 * Paths of the real evaluation models fetched by `npm run eval-models`, or null for one that
 * is not in the cache (or has the wrong size: a half-written file). Tests and benches that need
 * a real model skip or say so when it is null; the sha256 is checked by the script, not here.
 */
function cached(id: EvalModel['id']): string | null {
  const model = EVAL_MODELS.find((m) => m.id === id)!;
  const path = join(evalModelsDir(), model.file);
  try {
    return statSync(path).size === model.bytes ? path : null;
  } catch {
    return null;
  }
}

export const evalModels = {
  /** SmolLM2-135M-Instruct, Q4_1: a real instruction-tuned chat model. */
  get chat(): string | null {
    return cached('smollm2');
  },
  /** Gemma 3 270M (base, not instruction-tuned), Q4_K_M. */
  get gemma(): string | null {
    return cached('gemma3');
  },
  /** all-MiniLM-L6-v2 as GGUF (F16): a real 384-dimension sentence-embedding model. */
  get embedding(): string | null {
    return cached('minilm');
  },
};

/** What to tell a person when a bench needs a model that is not cached. */
export const EVAL_MODELS_HINT = `Run \`npm run eval-models\` to fetch the evaluation models into ${evalModelsDir()}.`;
