import type { Command } from 'commander';
import { createEngine, defaultDataDir, type Engine } from '../../core';
import type { NetworkProvider, NetworkStatus } from '../../shared/contract/network';

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
    .description('Join the network briefly and print this node’s state and the providers it hears of.')
    .option('-w, --wait <seconds>', 'how long to listen for peers and providers', '3')
    .option('--json', 'print JSON')
    .action(async (options: { wait: string; json?: boolean }) => {
      const engine = await createEngine({ dataDir: defaultDataDir(), host: 'headless' });
      try {
        await engine.dispatch('network.start', {}, { door: 'cli' });
        await new Promise((resolve) => setTimeout(resolve, Number(options.wait) * 1000));
        const status = (await engine.dispatch('network.status', {}, { door: 'cli' })) as NetworkStatus;
        const providers = (await engine.dispatch('network.providers', {}, { door: 'cli' })) as NetworkProvider[];
        if (options.json) console.log(JSON.stringify({ ...status, providers }, null, 2));
        else printStatus(status, providers);
      } finally {
        await engine.dispose();
      }
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
      const engine = await createEngine({ dataDir: defaultDataDir(), host: 'headless' });
      await runNode(engine, options);
    });
}

async function runNode(engine: Engine, options: NodeOptions): Promise<void> {
  if (options.json) {
    let last = '';
    engine.events.on('network.status', (status) => {
      const line = JSON.stringify({ event: 'status', ...status });
      if (line !== last) console.log(line);
      last = line;
    });
  }
  const status = (await engine.dispatch(
    'network.start',
    {
      listen: options.listen.length > 0 ? options.listen : undefined,
      bootstrap: options.bootstrap,
      models: options.model.length > 0 ? options.model : undefined,
      relay: options.relay ?? false,
      dhtServer: options.dhtServer,
      contribute: options.contribute,
    },
    { door: 'cli' },
  )) as NetworkStatus;
  if (options.json) console.log(JSON.stringify({ event: 'ready', ...status }));
  else {
    printStatus(status, []);
    console.log('Press Ctrl+C to stop.');
  }
  const stop = async () => {
    // Peers that do not answer the goodbye must not keep the process alive.
    setTimeout(() => process.exit(0), 5_000).unref();
    await engine.dispose();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

export function printStatus(status: NetworkStatus, providers: NetworkProvider[]): void {
  console.log(`Node:          ${status.running ? status.peerId : 'not running'}`);
  for (const address of status.addresses) console.log(`  listening    ${address}`);
  console.log(`Peers:         ${status.peers}`);
  console.log(
    `Reachability:  ${status.reachability}${status.relays.length > 0 ? ` (relay ${status.relays.join(', ')})` : ''}`,
  );
  console.log(
    `Contribution:  ${status.contribution.state}${status.contribution.reason ? ` - ${status.contribution.reason}` : ''}`,
  );
  for (const model of status.offeredModels) console.log(`  offering     ${model.name} (${model.sha256.slice(0, 12)})`);
  console.log(
    `Jobs:          ${status.jobsRunning} running, ${status.jobsServed} served, ${status.jobsRefused} refused, ` +
      `${status.tokensGenerated} tokens, ${status.secondsContributed} s contributed`,
  );
  if (providers.length > 0) {
    console.log(`Providers:     ${providers.length}`);
    for (const p of providers) {
      const latency = p.pingFailed
        ? 'no ping'
        : p.latencyMs === null
          ? 'ping pending'
          : `${Math.round(p.latencyMs)} ms`;
      const models = p.models.map((m) => m.name).join(', ');
      console.log(`  ${p.peerId}  ${models}  free ${p.freeSlots}  ${p.price} credits/1k tokens  ${latency}`);
    }
  }
}
