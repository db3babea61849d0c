// A separate process for the crash test, the hostile-files test and the index benchmark: indexes
// (or resumes) a folder and reports progress on stdout, then one JSON line with time and peak
// memory. Mode `report` also prints every file's state and searches for FIND_WORDS.
import { readFile } from 'node:fs/promises';
import { DEFAULT_LIMITS, extractDocument, scanSource } from '../../../src/core/library';
import { indexFile } from '../../../src/core/library/indexer';
import { Library } from '../../../src/core/library/library';
import { LibraryStore } from '../../../src/core/library/store';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';

const [dir, source, mode] = process.argv.slice(2);
const started = performance.now();
let files = 0;
let chunks = 0;
if (mode === 'naive') {
  // The baseline: one file at a time, read → extract → chunk → write, a table write per file.
  const store = await LibraryStore.open(dir!, 1);
  const { files: found } = await scanSource(source!);
  for (const file of found) {
    const result = await indexFile({
      collection: 'naive',
      path: file.path,
      force: true,
      maxBytes: 200 * 1024 * 1024,
      chunkTokens: 512,
      overlapTokens: 64,
      countTokens: (t) => Math.ceil(t.length / 4),
      // The naive baseline reads on the engine thread, as Hearth once did.
      extract: async (path) => extractDocument(path, await readFile(path), DEFAULT_LIMITS),
    });
    await store.write({ documents: [result.document], chunks: result.chunks, removeKeys: [] });
    files++;
    chunks += result.chunks.length;
  }
  await store.commit();
  await store.dispose();
} else {
  const library = await Library.open({
    dir: dir!,
    settings: () => ({ ...DEFAULT_SETTINGS.library, watch: false }),
    watch: false,
    onProgress: (p) => {
      console.log(`progress ${p.files.done}`);
      files = p.files.done;
      chunks = p.chunks;
    },
  });
  if (source) await library.addSource('crash', source);
  await library.whenIdle();
  if (mode === 'report') {
    // Every file's state and message, then a search for each word asked for in FIND_WORDS.
    console.log(`files ${JSON.stringify(await library.files('crash'))}`);
    for (const word of (process.env.FIND_WORDS ?? '').split(',').filter(Boolean)) {
      const hits = await library.search(word, { top: 3 });
      console.log(`found ${JSON.stringify({ word, paths: hits.map((h) => h.path) })}`);
    }
  }
  await library.dispose();
}
console.log('finished');
console.log(
  JSON.stringify({
    seconds: (performance.now() - started) / 1000,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    files,
    chunks,
  }),
);
