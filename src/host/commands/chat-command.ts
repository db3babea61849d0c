import type { Command } from 'commander';
import { createEngine, defaultDataDir } from '../../core';
import { printable } from '../terminal-text';

export function registerChat(program: Command): void {
  program
    .command('chat <message>')
    .description('Ask the chat model; the answer streams to stdout and is saved as a conversation.')
    .option('--model <file>', 'an installed model file to answer with (default: the chosen chat model)')
    .option('--conversation <id>', 'continue this conversation instead of starting a new one')
    .option('--max-tokens <n>', 'longest answer in tokens (default: the chat settings)')
    .action(async (message: string, options: { model?: string; conversation?: string; maxTokens?: string }) => {
      const maxTokens = options.maxTokens === undefined ? undefined : Number(options.maxTokens);
      if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens > 0)) {
        throw new Error(`--max-tokens must be a positive whole number, not "${options.maxTokens}".`);
      }
      const engine = await createEngine({ dataDir: defaultDataDir() });
      try {
        const chat = engine.ai.chat;
        let failure: string | null = null;
        const offToken = engine.events.on('chat.token', (t) => process.stdout.write(printable(t.text)));
        const offFailed = engine.events.on('chat.failed', (f) => (failure = f.error.message));
        const started = await chat.send({
          conversationId: options.conversation ?? null,
          text: message,
          model: options.model,
          maxTokens,
        });
        // Ctrl+C stops the answer and keeps what was written so far.
        const stop = () => void chat.stop(started.conversationId);
        process.once('SIGINT', stop);
        // Announced on stderr so scripts reading stdout get only the answer.
        process.stderr.write(`[conversation ${started.conversationId}]\n`);
        await chat.settled(started.conversationId);
        process.off('SIGINT', stop);
        offToken();
        offFailed();
        process.stdout.write('\n');
        if (failure) throw new Error(failure);
      } finally {
        await engine.dispose();
      }
    });
}
