import type { Command } from 'commander';
import { createEngine, defaultDataDir } from '../../core';
import type { AskAnswer } from '../../shared/contract/ask';
import { print, printable } from '../terminal-text';

interface AskOptions {
  collection?: string[];
  json?: boolean;
  document?: string;
}

function location(source: AskAnswer['sources'][number]): string {
  const parts: string[] = [];
  if (source.page !== null) parts.push(`${source.pageKind ?? 'page'} ${source.page}`);
  if (source.lineStart !== null) parts.push(`lines ${source.lineStart}-${source.lineEnd ?? source.lineStart}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** `hearth ask "<question>"`: a grounded answer from the library, with its sources. */
export function registerAsk(program: Command): void {
  program
    .command('ask')
    .description('Answer a question from your files, citing the file, page and lines of each source.')
    .argument('<question>', 'what to ask')
    .option('-c, --collection <name...>', 'only these collections (default: the whole library)')
    .option('-d, --document <path>', 'answer over every part of this one file (summaries, lists)')
    .option(
      '--json',
      'print one JSON object {"answer","outcome","sources":[{"n","chunkId","path","page","snippet",...}],"droppedCitations"}',
    )
    .action(async (question: string, options: AskOptions) => {
      const engine = await createEngine({ dataDir: defaultDataDir(), host: 'headless' });
      try {
        const stopStreaming = options.json
          ? () => undefined
          : engine.events.on('ask.token', ({ text }) => process.stdout.write(printable(text)));
        const { answerId } = (await engine.dispatch(
          'ask.ask',
          {
            question,
            scope: { collections: options.collection ?? [] },
            ...(options.document ? { mode: 'document', document: options.document } : {}),
          },
          { door: 'cli' },
        )) as { answerId: string };
        const stop = () => void engine.dispatch('ask.cancel', { answerId }, { door: 'cli' });
        process.once('SIGINT', stop);
        const answer = (await engine.dispatch('ask.result', { answerId }, { door: 'cli' })) as AskAnswer;
        process.off('SIGINT', stop);
        stopStreaming();
        if (options.json) {
          print(
            JSON.stringify({
              answer: answer.text,
              outcome: answer.outcome,
              mode: answer.mode,
              query: answer.query,
              sources: answer.sources.map((s) => ({
                n: s.n,
                chunkId: s.chunkId,
                path: s.path,
                page: s.page,
                pageKind: s.pageKind,
                lineStart: s.lineStart,
                lineEnd: s.lineEnd,
                snippet: s.snippet,
                scores: s.scores,
              })),
              cited: answer.cited,
              droppedCitations: answer.droppedCitations,
            }),
          );
        } else {
          if (answer.outcome !== 'answered') print(answer.text || answer.message || '');
          else
            print(answer.droppedCitations > 0 ? `\n(${answer.droppedCitations} unresolvable citations removed)` : '');
          const shown = answer.sources.filter((s) => answer.cited.length === 0 || answer.cited.includes(s.n));
          if (shown.length > 0) print('\nSources:');
          for (const source of shown) print(`  [${source.n}] ${source.path}${location(source)}`);
        }
        if (answer.outcome === 'failed') process.exitCode = 1;
      } finally {
        await engine.dispose();
      }
    });
}
