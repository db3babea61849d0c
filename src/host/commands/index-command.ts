import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { HearthApi } from '../../shared/contract';
import type { Collection } from '../../shared/contract/library';
import { withHearth } from '../client/open-hearth';
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
    .description(
      'Index folders or files into a library collection, then exit (through the running Hearth, if one serves this data folder).',
    )
    .argument('<path...>', 'folders or files to index')
    .option('-c, --collection <name>', 'collection to add them to (created if new)', 'default')
    .option(
      '--embed-model <file.gguf>',
      'embedding model (a .gguf path or an installed file name); default: the configured one',
    )
    .option('--json', 'print one JSON summary as the last line: {"files","chunks","errors","seconds"}')
    .action(async (paths: string[], options: IndexOptions) => {
      const started = performance.now();
      const session = {
        command: 'hearth index',
        library: options.embedModel ? { embedModel: options.embedModel } : {},
        needsOwnEngine: options.embedModel
          ? 'It indexes with its own embedding model: run this again without --embed-model, or choose the model with `hearth models use <file>`.'
          : undefined,
      };
      await withHearth(session, async (hearth) => {
        const { api } = hearth;
        let collection: Collection | undefined;
        const stop = api.library.onProgress((p) => {
          if (p.phase === 'idle' || p.collectionId !== collection?.id) return;
          const eta = p.progress.etaSeconds === null ? '' : `, about ${Math.ceil(p.progress.etaSeconds)} s left`;
          process.stderr.write(
            printable(
              `${p.phase}: ${p.files.done}/${p.files.total} files, ${p.chunks} chunks, ${p.errors} errors${eta}\n`,
            ),
          );
        });
        try {
          // Paths are the user's, relative to this shell: the engine may run in another folder.
          for (const path of paths)
            collection = await api.library.addSource({ collection: options.collection, path: resolve(path) });
          collection = await untilIndexed(api, collection!.id);
        } finally {
          stop();
        }
        await printNotices(hearth);
        const summary = {
          files: collection.files,
          chunks: collection.chunks,
          errors: collection.errors,
          seconds: Math.round((performance.now() - started) / 10) / 100,
        };
        if (options.json) return print(printableJson(summary));
        for (const problem of await api.library.files({ collection: collection.id, problemsOnly: true })) {
          print(`${problem.state === 'error' ? 'error' : 'skipped'}: ${problem.path}: ${problem.message}`);
        }
        if (collection.state === 'paused') print('Indexing is paused; resume it in the running Hearth.');
        print(
          `Indexed ${summary.files} files (${summary.chunks} chunks, ${summary.errors} errors) into "${collection.name}" in ${summary.seconds} s.`,
        );
      });
    });
}

/**
 * Resolves with the collection once it is no longer indexing (idle, or paused by the user),
 * looking again at every progress or change event of it; a slow look-again also runs, so a
 * missed event never leaves the command waiting.
 */
async function untilIndexed(api: HearthApi, collectionId: string): Promise<Collection> {
  let wake: () => void = () => undefined;
  const nudge = () => wake();
  const offProgress = api.library.onProgress((p) => p.collectionId === collectionId && nudge());
  const offChanged = api.library.onChanged((c) => c.collectionId === collectionId && nudge());
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, 2_000);
      });
      try {
        const collection = (await api.library.collections()).find((c) => c.id === collectionId);
        if (!collection) throw new Error('The collection was removed while it was being indexed.');
        if (collection.state !== 'indexing') return collection;
        await woken;
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    offProgress();
    offChanged();
  }
}
