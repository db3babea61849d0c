import type { Command } from 'commander';
import { createEngine, createLocalClient, defaultDataDir } from '../../core';
import type { HearthApi } from '../../shared/contract';
import type { NetworkProvider, NetworkStatus } from '../../shared/contract/network';
import { describeOwner } from '../../core/state';
import { ownDataFolder } from '../client/own-data-folder';
import { withHearth } from '../client/open-hearth';
import { startSocketHost } from '../socket-host';
import { print, printableJson } from '../terminal-text';

interface NodeOptions {
  listen: string[];
  bootstrap: string[];
  model: string[];
  relay?: boolean;
  dhtServer?: boolean;
  contribute?: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `hearth network ...`: run and inspect a headless node of the compute network. */
export function registerNetwork(program: Command): void {
  const network = program.command('network').description('The Hearth compute network.');

  network
    .command('status')
    .description(
      'The state of the network node of the Hearth running on this data folder, and the providers it hears of.',
    )
    .option('--json', 'print JSON ({"running": false, ...} when no node runs)')
    .action(async (options: { json?: boolean }) => {
      // Asks the running Hearth, if any; never starts a node, which would be a second one with
      // the same peer id beside it.
      await withHearth({ command: 'hearth network status' }, async ({ api, owner, dataDir }) => {
        const status = await api.network.status();
        const providers = status.running ? await api.network.providers({}) : [];
        if (options.json) return print(printableJson({ ...status, providers }, 2));
        if (status.running) return printStatus(status, providers);
        print(
          owner
            ? `${describeOwner(owner)} runs no network node. Start one there (the Contribute page), or restart it as \`hearth serve --network\`.`
            : `No Hearth runs on ${dataDir}, so no network node does. Start one with \`hearth network node\` or \`hearth serve --network\`.`,
        );
      });
    });

  network
    .command('node')
    .description('Run a headless node until stopped (a provider, bootstrap or relay).')
    .option('-l, --listen <multiaddr>', 'address to listen on (repeatable)', collect, [])
    .option('-b, --bootstrap <multiaddr>', 'node to join through (repeatable)', collect, [])
    .option(
      '-m, --model <path>',
      'GGUF model to offer, a path or a file name in the models folder (repeatable)',
      collect,
      [],
    )
    .option('--relay', 'relay connections for nodes behind NAT')
    .option('--dht-server', 'serve the DHT even without a public address')
    .option('--contribute', 'serve jobs for this run even if the settings say off')
    .option('--json', 'print one JSON line per status change (for scripts)')
    .action(async (options: NodeOptions) => {
      const lock = await ownDataFolder('node', 'hearth network node');
      const engine = await createEngine({ dataDir: defaultDataDir(), host: 'headless' });
      // Commands started beside the node (`hearth network status`, `hearth chat`) reach it here.
      const host = await startSocketHost({ engine });
      await lock.publish({ port: host.port, token: host.token });
      await runNode(createLocalClient(engine), options, async () => {
        await host.close();
        await engine.dispose();
        await lock.release();
      });
    });
}

async function runNode(api: HearthApi, options: NodeOptions, close: () => Promise<void>): Promise<void> {
  if (options.json) {
    let last = '';
    api.network.onStatus((status) => {
      const line = printableJson({ event: 'status', ...status });
      if (line !== last) print(line);
      last = line;
    });
  }
  const status = await api.network.start({
    listen: options.listen.length > 0 ? options.listen : undefined,
    bootstrap: options.bootstrap,
    models: options.model.length > 0 ? options.model : undefined,
    relay: options.relay ?? false,
    dhtServer: options.dhtServer,
    contribute: options.contribute,
  });
  if (options.json) print(printableJson({ event: 'ready', ...status }));
  else {
    printStatus(status, []);
    print('Press Ctrl+C to stop.');
  }
  const stop = async () => {
    // Peers that do not answer the goodbye must not keep the process alive.
    setTimeout(() => process.exit(0), 5_000).unref();
    await close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

export function printStatus(status: NetworkStatus, providers: NetworkProvider[]): void {
  print(`Node:          ${status.running ? status.peerId : 'not running'}`);
  for (const address of status.addresses) print(`  listening    ${address}`);
  print(`Peers:         ${status.peers}`);
  print(
    `Reachability:  ${status.reachability}${status.relays.length > 0 ? ` (relay ${status.relays.join(', ')})` : ''}`,
  );
  print(
    `Contribution:  ${status.contribution.state}${status.contribution.reason ? ` - ${status.contribution.reason}` : ''}`,
  );
  for (const model of status.offeredModels) print(`  offering     ${model.name} (${model.sha256.slice(0, 12)})`);
  print(
    `Jobs:          ${status.jobsRunning} running, ${status.jobsServed} served, ${status.jobsRefused} refused, ` +
      `${status.tokensGenerated} tokens, ${status.secondsContributed} s contributed`,
  );
  if (providers.length > 0) {
    print(`Providers:     ${providers.length}`);
    for (const p of providers) {
      const latency = p.pingFailed
        ? 'no ping'
        : p.latencyMs === null
          ? 'ping pending'
          : `${Math.round(p.latencyMs)} ms`;
      const models = p.models.map((m) => m.name).join(', ');
      print(`  ${p.peerId}  ${models}  free ${p.freeSlots}  ${p.price} credits/1k tokens  ${latency}`);
    }
  }
}
