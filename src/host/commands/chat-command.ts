import type { Command } from 'commander';
import type { HearthApi } from '../../shared/contract';
import { inCliWords } from '../cli-words';
import { withHearth } from '../client/open-hearth';
import { printable, printError } from '../terminal-text';
import { modelFileFor } from './model-argument';

interface ChatOptions {
  model?: string;
  conversation?: string;
  maxTokens?: string;
}

type ChatEnd = { failed: false } | { failed: true; error: { name: string; message: string } };

export function registerChat(program: Command): void {
  program
    .command('chat <message>')
    .description('Ask the chat model; the answer streams to stdout and is saved as a conversation.')
    .option(
      '--model <name-or-file>',
      'an installed model (its file name) or a .gguf file, imported once (default: the chosen chat model)',
    )
    .option('--conversation <id>', 'continue this conversation instead of starting a new one')
    .option('--max-tokens <n>', 'longest answer in tokens (default: the chat settings)')
    .action(async (message: string, options: ChatOptions) => {
      const maxTokens = options.maxTokens === undefined ? undefined : Number(options.maxTokens);
      if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens > 0)) {
        throw new Error(`--max-tokens must be a positive whole number, not "${options.maxTokens}".`);
      }
      await withHearth({ command: 'hearth chat' }, async ({ api }) => {
        const model = options.model === undefined ? undefined : await modelFileFor(api, options.model, 'chat');
        await chat(api, { text: message, conversationId: options.conversation ?? null, model, maxTokens });
      });
    });
}

async function chat(
  api: HearthApi,
  input: { text: string; conversationId: string | null; model?: string; maxTokens?: number },
): Promise<void> {
  // Events can arrive before `send` answers with the conversation's id: keep them until then.
  let conversationId: string | null = null;
  const early: (() => void)[] = [];
  let settle: (end: ChatEnd) => void = () => undefined;
  const ended = new Promise<ChatEnd>((resolve) => (settle = resolve));
  const ours = (id: string, then: () => void) => {
    if (conversationId === null) early.push(() => id === conversationId && then());
    else if (id === conversationId) then();
  };
  const stops = [
    api.chat.onToken((t) => ours(t.conversationId, () => process.stdout.write(printable(t.text)))),
    api.chat.onDone((d) => ours(d.conversationId, () => settle({ failed: false }))),
    api.chat.onFailed((f) => ours(f.conversationId, () => settle({ failed: true, error: f.error }))),
  ];
  // Ctrl+C stops the answer and keeps what was written so far.
  // A stop that fails found the answer already ended: there is nothing left to stop.
  const stop = () => void (conversationId && api.chat.stop({ conversationId }).catch(() => undefined));
  try {
    const started = await api.chat.send(input);
    conversationId = started.conversationId;
    for (const replay of early.splice(0)) replay();
    process.once('SIGINT', stop);
    // Announced on stderr so scripts reading stdout get only the answer.
    process.stderr.write(`[conversation ${started.conversationId}]\n`);
    const end = await ended;
    process.stdout.write('\n');
    if (end.failed) {
      // A conversation this command started and that holds no answer is removed, not left behind.
      // The answer's own failure (thrown below) is what the user needs; an empty leftover is harmless.
      if (input.conversationId === null) await api.chat.remove({ id: started.conversationId }).catch(() => undefined);
      const error = Object.assign(new Error(end.error.message), { name: end.error.name });
      printError(`hearth: ${inCliWords(error)}`);
      process.exitCode = 1;
    }
  } finally {
    process.off('SIGINT', stop);
    for (const off of stops) off();
  }
}
