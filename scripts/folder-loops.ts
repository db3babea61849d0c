/**
 * `npx tsx scripts/folder-loops.ts [root]`: the folders under root (default src/core) that
 * import each other. Prints each loop; exits 1 when there is one.
 */
import { folderLoops } from './folder-loops/folder-loops';

const root = process.argv[2] ?? 'src/core';
const loops = folderLoops(root);
console.log(`${loops.length} folder loop(s) in ${root}`);
for (const loop of loops) console.log(`  ${loop.join(' <-> ')}`);
process.exitCode = loops.length > 0 ? 1 : 0;
