import type { Command } from 'commander';
import { createEngine, defaultDataDir } from '../../core';
import { engineLibraryOf } from '../../core/library';
import { printNotices } from './print-notices';

interface SearchOptions {
  collection?: string;
  top: string;
  json?: boolean;
}

/** `hearth search "<query>"`: hybrid search over the library. */
export function registerSearch(program: Command): void {
  program
    .command('search')
    .description('Search the library (full text, plus meaning when an embedding model is set).')
    .argument('<query>', 'what to look for')
    .option('-c, --collection <name>', 'only this collection')
    .option('-k, --top <k>', 'how many results', '10')
    .option('--json', 'print one JSON array of {"path","page","score","snippet"}, best first')
    .action(async (query: string, options: SearchOptions) => {
      const top = Number(options.top);
      if (!Number.isInteger(top) || top < 1 || top > 100)
        throw new Error(`--top must be a whole number from 1 to 100, not "${options.top}".`);
      const engine = await createEngine({ dataDir: defaultDataDir(), host: 'headless' });
      try {
        engineLibraryOf(engine.services.library).configure({ watch: false });
        const hits = (await engine.dispatch(
          'library.search',
          { query, collection: options.collection, top },
          { door: 'cli' },
        )) as {
          path: string;
          page: number | null;
          score: number;
          snippet: string;
        }[];
        printNotices(engine);
        if (options.json) {
          console.log(JSON.stringify(hits.map(({ path, page, score, snippet }) => ({ path, page, score, snippet }))));
          return;
        }
        if (hits.length === 0) console.log('No results.');
        for (const hit of hits) {
          console.log(
            `${hit.path}${hit.page ? ` (page ${hit.page})` : ''}  [${hit.score.toFixed(4)}]\n  ${hit.snippet}\n`,
          );
        }
      } finally {
        await engine.dispose();
      }
    });
}
