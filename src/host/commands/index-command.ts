import type { Command } from 'commander';
import { createEngine, defaultDataDir } from '../../core';
import { engineLibraryOf } from '../../core/library';
import { print, printable, printableJson } from '../terminal-text';
import { printNotices } from './print-notices';

interface IndexOptions {
  collection: string;
  embedModel?: string;
  json?: boolean;
}

/** `hearth index <path>...`: add folders or files to a collection, index them, and exit. */
export function registerIndex(program: Command): void {
  program
    .command('index')
    .description('Index folders or files into a library collection, then exit.')
    .argument('<path...>', 'folders or files to index')
    .option('-c, --collection <name>', 'collection to add them to (created if new)', 'default')
    .option(
      '--embed-model <file.gguf>',
      'embedding model (a .gguf path or an installed file name); default: the configured one',
    )
    .option('--json', 'print one JSON summary as the last line: {"files","chunks","errors","seconds"}')
    .action(async (paths: string[], options: IndexOptions) => {
      const started = performance.now();
      const engine = await createEngine({ dataDir: defaultDataDir(), host: 'headless' });
      try {
        const holder = engineLibraryOf(engine.services.library);
        holder.configure({ embedModel: options.embedModel, watch: false });
        const library = await holder.get();
        const stop = engine.events.on('library.progress', (p) => {
          if (p.phase === 'idle') return;
          const eta = p.progress.etaSeconds === null ? '' : `, about ${Math.ceil(p.progress.etaSeconds)} s left`;
          process.stderr.write(
            printable(
              `${p.phase}: ${p.files.done}/${p.files.total} files, ${p.chunks} chunks, ${p.errors} errors${eta}\n`,
            ),
          );
        });
        let collectionId = '';
        for (const path of paths) collectionId = (await library.addSource(options.collection, path)).id;
        await library.whenIdle();
        stop();
        printNotices(engine);
        const collection = (await library.collections()).find((c) => c.id === collectionId)!;
        const summary = {
          files: collection.files,
          chunks: collection.chunks,
          errors: collection.errors,
          seconds: Math.round((performance.now() - started) / 10) / 100,
        };
        if (options.json) print(printableJson(summary));
        else {
          for (const problem of await library.files(collectionId, true)) {
            print(`${problem.state === 'error' ? 'error' : 'skipped'}: ${problem.path}: ${problem.message}`);
          }
          print(
            `Indexed ${summary.files} files (${summary.chunks} chunks, ${summary.errors} errors) into "${collection.name}" in ${summary.seconds} s.`,
          );
        }
      } finally {
        await engine.dispose();
      }
    });
}
