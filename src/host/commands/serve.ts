import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { createEngine, createLocalClient, defaultDataDir } from '../../core';
import { ownDataFolder } from '../client/own-data-folder';
import { startSocketHost } from '../socket-host';
import { print, printError } from '../terminal-text';

/** How long closing may take before `hearth serve` exits regardless. */
const STOP_DEADLINE_MS = 15_000;

/** The built renderer, beside this bundle in out/. */
const RENDERER_DIR = fileURLToPath(new URL('../renderer', import.meta.url));

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Start the engine and serve the Hearth UI and API on 127.0.0.1.')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', '0')
    .option('--network', 'also run a compute-network node that relays and serves the DHT for others')
    .option(
      '--network-listen <multiaddr>',
      'address for the network node (repeatable)',
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .action(async (options: { port: string; network?: boolean; networkListen: string[] }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        throw new Error(`--port must be a number from 0 to 65535, not "${options.port}".`);
      }
      const dataDir = defaultDataDir();
      // One data folder, one owner: a second serve, the app or a running command refuses here,
      // before anything is opened; CLI commands started beside this one talk to it instead.
      const lock = await ownDataFolder('serve', 'hearth serve');
      const engine = await createEngine({ dataDir, host: 'headless' });
      const rendererDir = existsSync(RENDERER_DIR) ? RENDERER_DIR : undefined;
      const host = await startSocketHost({ engine, port, rendererDir });
      await lock.publish({ port: host.port, token: host.token });
      const api = createLocalClient(engine);
      if (options.network) {
        const listen = options.networkListen.length > 0 ? options.networkListen : undefined;
        const status = await api.network.start({ listen, relay: true, dhtServer: true });
        for (const address of status.addresses) print(`Network: ${address}`);
      }
      for (const notice of await api.app.notices()) printError(`Warning: ${notice.message}`);
      print(`Hearth is serving ${dataDir}`);
      print(`Open:  ${host.url}`);
      print(`Token: ${host.token}`);
      if (!rendererDir) print('(The UI is not built; run `npm run build` to serve it too.)');
      print('Press Ctrl+C to stop.');

      let stopping = false;
      const stop = async () => {
        if (stopping) process.exit(130); // a second Ctrl+C: the user is done waiting
        stopping = true;
        // A service that hangs while closing must not keep the terminal: give up after a while.
        setTimeout(() => {
          printError(`Hearth did not stop within ${STOP_DEADLINE_MS / 1000} s; exiting anyway.`);
          process.exit(1);
        }, STOP_DEADLINE_MS).unref();
        try {
          await host.close();
          await engine.dispose();
          await lock.release();
          process.exit(0);
        } catch (error) {
          printError(`hearth: ${error instanceof Error ? error.message : String(error)}`);
          process.exit(1);
        }
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
    });
}
