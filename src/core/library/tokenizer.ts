import { LLAMA_OPTIONS } from '../models/llama-options';
import type { TokenCounter } from './chunker';

/**
 * Counts tokens with the embedding model's own vocabulary (loaded vocabulary-only, no
 * weights), so chunks are sized in the tokens the model will see.
 */
export async function modelTokenCounter(
  modelPath: string,
): Promise<{ count: TokenCounter; dispose: () => Promise<void> }> {
  const { getLlama } = await import('node-llama-cpp');
  const llama = await getLlama({ ...LLAMA_OPTIONS, gpu: false });
  const model = await llama.loadModel({ modelPath, vocabOnly: true });
  return {
    count: (text) => model.tokenize(text).length,
    dispose: async () => {
      await model.dispose();
    },
  };
}
