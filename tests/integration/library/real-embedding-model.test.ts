import { describe, expect, it } from 'vitest';
import { Embedder } from '../../../src/core/library/embedder';
import { evalModels } from '../../helpers/eval-models';

const cosine = (a: number[], b: number[]) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    dot += x * b[i]!;
    na += x * x;
    nb += b[i]! * b[i]!;
  });
  return dot / Math.sqrt(na * nb);
};

// Needs `npm run eval-models` (a real model from PyPI); without it there is nothing to check.
describe.skipIf(!evalModels.embedding)('the converted all-MiniLM-L6-v2 (needs `npm run eval-models`)', () => {
  it('loads as the library embedding model and ranks a paraphrase far above an unrelated sentence', async () => {
    const embedder = await Embedder.create({ modelPath: evalModels.embedding!, threads: 1 });
    try {
      expect(embedder.info).toMatchObject({ dimension: 384, weak: false });
      const [question, paraphrase, unrelated] = await embedder.embed([
        'How do I reset my password?',
        'Steps to change your login password',
        'The weather in Paris is mild',
      ]);
      const related = cosine(question!, paraphrase!);
      const far = cosine(question!, unrelated!);
      // About 0.74 and 0.00: a numpy forward pass over the original safetensors agrees to 3 digits.
      expect(related).toBeGreaterThan(0.6);
      expect(far).toBeLessThan(0.2);
    } finally {
      await embedder.dispose();
    }
  });
});
