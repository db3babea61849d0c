import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVAL_MODELS, evalModelsDir } from '../../../scripts/eval-models/manifest';

describe('the evaluation-model manifest', () => {
  it('caches outside the repository: HEARTH_EVAL_MODELS, else XDG_CACHE_HOME, else ~/.cache', () => {
    expect(evalModelsDir({ HEARTH_EVAL_MODELS: '/data/models', XDG_CACHE_HOME: '/x' })).toBe('/data/models');
    expect(evalModelsDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/hearth/eval-models');
    expect(evalModelsDir({})).toBe(join(homedir(), '.cache', 'hearth', 'eval-models'));
  });

  it('pins every wheel and names a sha256 and size for every file', () => {
    for (const model of EVAL_MODELS) {
      expect(model.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(model.bytes).toBeGreaterThan(1_000_000);
      expect(model.file).toMatch(/\.gguf$/);
      for (const wheel of model.wheels) expect(wheel.version).toMatch(/^\d+\.\d+\.\d+$/);
    }
    expect(new Set(EVAL_MODELS.map((m) => m.file)).size).toBe(EVAL_MODELS.length);
  });
});
