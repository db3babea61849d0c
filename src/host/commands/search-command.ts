import type { Command } from 'commander';
import { withHearth } from '../client/open-hearth';
import { print, printableJson } from '../terminal-text';
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
    .option(
      '--json',
      'print one JSON array of {"id","path","page","pageKind","lineStart","lineEnd","headingPath","score","ranks","snippet","text"}, best first',
    )
    .action(async (query: string, options: SearchOptions) => {
      const top = Number(options.top);
      if (!Number.isInteger(top) || top < 1 || top > 100)
        throw new Error(`--top must be a whole number from 1 to 100, not "${options.top}".`);
      await withHearth({ command: 'hearth search' }, async (hearth) => {
        const hits = await hearth.api.library.search({ query, collection: options.collection, top });
        await printNotices(hearth);
        if (options.json) {
          // Each hit is one exact passage: its chunk id and full text, not a location to look up again.
          print(
            printableJson(
              hits.map(
                ({ id, path, page, pageKind, lineStart, lineEnd, headingPath, score, ranks, snippet, text }) => ({
                  id,
                  path,
                  page,
                  pageKind: pageKind ?? null,
                  lineStart: lineStart ?? null,
                  lineEnd: lineEnd ?? null,
                  headingPath: headingPath ?? [],
                  score,
                  ranks,
                  snippet,
                  text,
                }),
              ),
            ),
          );
          return;
        }
        if (hits.length === 0) print('No results.');
        for (const hit of hits) {
          print(
            `${hit.path}${hit.page ? ` (${hit.pageKind ?? 'page'} ${hit.page})` : ''}  [${hit.score.toFixed(4)}]\n  ${hit.snippet}\n`,
          );
        }
      });
    });
}
