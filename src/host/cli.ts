import { Command, CommanderError } from 'commander';
import { HEARTH_VERSION } from '../core';
import { registerNetwork } from './commands/network-command';
import { registerEarnings } from './commands/earnings-command';
import { registerLedger } from './commands/ledger-command';
import { registerWallet } from './commands/wallet-command';
import { registerServe } from './commands/serve';
import { registerAsk } from './commands/ask-command';
import { registerModels } from './commands/models-command';
import { registerChat } from './commands/chat-command';
import { registerIndex } from './commands/index-command';
import { registerSearch } from './commands/search-command';
import { registerSettings } from './commands/settings-command';
import { inCliWords } from './cli-words';
import { printError } from './terminal-text';

/** The `hearth` command line: the headless door to the same engine the app uses. */
export function createProgram(): Command {
  const program = new Command('hearth')
    .description('Hearth: a private AI workstation. Data folder: $HEARTH_HOME or the OS default.')
    .version(HEARTH_VERSION, '-v, --version')
    .showHelpAfterError()
    .exitOverride();
  registerServe(program);
  registerAsk(program);
  registerModels(program);
  registerChat(program);
  registerIndex(program);
  registerSearch(program);
  registerNetwork(program);
  registerEarnings(program);
  registerLedger(program);
  registerWallet(program);
  registerSettings(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await createProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    printError(`hearth: ${inCliWords(error)}`);
    return 1;
  }
}

const exitCode = await main(process.argv.slice(2));
if (exitCode !== 0) process.exit(exitCode);
