import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { HearthApi } from '../../shared/contract';
import type { AskAnswer } from '../../shared/contract/ask';
import { inCliWords } from '../cli-words';
import { withHearth } from '../client/open-hearth';
import { print, printable, printableJson, printError } from '../terminal-text';

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
      'print one JSON object {"answer","outcome","sources":[{"n","chunkId","path","page","snippet",...}],"droppedCitations","unsupportedCitations":{"moved","removed"},"quote":{"n","text"},"echoed","addedCitations"}; a failure adds "error":{"message"}',
    )
    .action(async (question: string, options: AskOptions) => {
      try {
        await withHearth({ command: 'hearth ask' }, (hearth) => askAndPrint(hearth.api, question, options));
      } catch (error) {
        // A script reading --json gets the error as JSON too; the person sees it on stderr.
        if (options.json) print(printableJson({ error: { name: errorName(error), message: inCliWords(error) } }));
        throw error;
      }
    });
}

async function askAndPrint(api: HearthApi, question: string, options: AskOptions): Promise<void> {
  // Chosen here, so this command's tokens are told apart from the first one on, even when a
  // running Hearth answers others at the same time.
  const answerId = randomUUID();
  const stopStreaming = options.json
    ? () => undefined
    : api.ask.onToken((token) => token.answerId === answerId && process.stdout.write(printable(token.text)));
  // A cancel that fails found the answer already over: there is nothing left to stop.
  const stop = () => void api.ask.cancel({ answerId }).catch(() => undefined);
  let answer: AskAnswer;
  try {
    await api.ask.ask({
      answerId,
      question,
      scope: { collections: options.collection ?? [] },
      ...(options.document ? { mode: 'document', document: resolve(options.document) } : {}),
    });
    process.once('SIGINT', stop);
    answer = await api.ask.result({ answerId });
  } finally {
    process.off('SIGINT', stop);
    stopStreaming();
  }
  const failure = answer.outcome === 'failed' ? inCliWords(answer.message ?? 'The answer failed.') : null;
  if (options.json) {
    print(
      printableJson({
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
        ...(answer.unsupportedCitations ? { unsupportedCitations: answer.unsupportedCitations } : {}),
        ...(answer.quote ? { quote: answer.quote } : {}),
        ...(answer.echoed ? { echoed: true } : {}),
        ...(answer.addedCitations ? { addedCitations: answer.addedCitations } : {}),
        ...(failure ? { error: { message: failure } } : {}),
      }),
    );
  } else if (answer.outcome === 'answered') {
    print(
      answer.droppedCitations > 0
        ? `\n(${answer.droppedCitations} citation numbers that matched no source removed)`
        : '',
    );
    const { moved = 0, removed = 0 } = answer.unsupportedCitations ?? {};
    // The same checks the app shows: a citation stays only where its passage says the sentence.
    if (moved > 0) print(`(${moved} citation${moved === 1 ? '' : 's'} moved to the passage that says the sentence)`);
    if (removed > 0) print(`(${removed} citation${removed === 1 ? '' : 's'} removed: no passage says the sentence)`);
    if (answer.addedCitations)
      print('(citation added by Hearth: the model wrote none, and that passage says the answer)');
    if (answer.echoed)
      print('(The model copied its list of sources instead of answering; the quote below best matches.)');
    if (answer.quote) {
      const from = answer.sources.find((s) => s.n === answer.quote!.n);
      const where = from ? ` ${from.path}${location(from)}` : '';
      print(`\nQuoted from [${answer.quote.n}]${where}, word for word:\n  "${printable(answer.quote.text)}"`);
    }
  } else if (!failure) {
    print(answer.text || answer.message || '');
  }
  if (!options.json) {
    const shown = answer.sources.filter((s) => answer.cited.length === 0 || answer.cited.includes(s.n));
    if (shown.length > 0) print('\nSources:');
    for (const source of shown) print(`  [${source.n}] ${source.path}${location(source)}`);
  }
  if (failure) {
    printError(`hearth: ${failure}`);
    process.exitCode = 1;
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}
