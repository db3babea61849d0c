import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileContracts, renderArtifacts } from '../../../scripts/contracts/compile';

describe('contract artifacts', () => {
  it('are exactly what the pinned solc makes from contracts/ today (run npm run contracts if not)', () => {
    const files = renderArtifacts(compileContracts());
    expect(files.size).toBeGreaterThanOrEqual(6);
    for (const [file, text] of files) {
      expect(readFileSync(file, 'utf8'), file).toBe(text);
    }
  }, 120_000);
});
