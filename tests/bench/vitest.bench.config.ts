import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

/**
 * Benchmarks are scripts, not tests: each `tests/bench/<name>.bench.ts` prints its figures,
 * compares them with a baseline measured in the same run and writes bench-results/<name>.json.
 * Run one with `npm run bench:<name>`.
 */
export default defineConfig({
  define: { __HEARTH_VERSION__: JSON.stringify(version) },
  test: {
    include: ['tests/bench/**/*.bench.ts'],
    testTimeout: 0,
    hookTimeout: 0,
    fileParallelism: false,
    reporters: ['verbose'],
  },
});
