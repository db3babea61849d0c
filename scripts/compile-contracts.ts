/**
 * `npm run contracts`: compiles contracts/*.sol with the pinned solc and writes the artifacts
 * (contracts/artifacts/*.json, and src/core/chain/artifacts/*.ts for the shipped contracts).
 * The outputs are checked in; tests/unit/chain/contract-artifacts.test.ts fails when they are
 * stale, so run this after any change to a .sol file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { compileContracts, renderArtifacts } from './contracts/compile';

for (const [file, text] of renderArtifacts(compileContracts())) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote ${relative(process.cwd(), file)}`);
}
