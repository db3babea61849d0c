import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEARTH_BIN } from '../../helpers/hearth-process';
import type { NetworkStatus } from '../../../src/shared/contract/network';

/** A `hearth network node --json` child process on 127.0.0.1, with its own data folder. */
export interface NodeProcess {
  readonly home: string;
  readonly process: ChildProcessWithoutNullStreams;
  /** The latest status line it printed. */
  status(): NetworkStatus;
  /** Resolves with the first status that satisfies `predicate`. */
  waitFor(predicate: (status: NetworkStatus) => boolean, timeoutMs?: number): Promise<NetworkStatus>;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface NodeProcessOptions {
  args: string[];
  /** Written to settings.json before start (a partial settings object). */
  settings?: Record<string, unknown>;
  /** An existing data folder to use instead of a fresh one. */
  home?: string;
  env?: Record<string, string>;
}

/** Every node started, so a suite can stop them all even when its setup failed half-way. */
export const startedNodes = new Set<NodeProcess>();

export async function startNodeProcess({ args, settings, env, ...options }: NodeProcessOptions): Promise<NodeProcess> {
  const home = options.home ?? (await mkdtemp(join(tmpdir(), 'hearth-node-')));
  if (settings) await writeFile(join(home, 'settings.json'), JSON.stringify({ version: 1, ...settings }));
  const child = spawn(process.execPath, [HEARTH_BIN, 'network', 'node', '--json', ...args], {
    env: { ...process.env, ...env, HEARTH_HOME: home },
  });
  let output = '';
  let latest: NetworkStatus | undefined;
  const waiters = new Set<{ predicate: (s: NetworkStatus) => boolean; resolve: (s: NetworkStatus) => void }>();
  let buffer = '';
  child.stdout.on('data', (data: Buffer) => {
    output += data.toString();
    buffer += data.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      latest = JSON.parse(line) as NetworkStatus;
      for (const waiter of waiters) {
        if (waiter.predicate(latest)) {
          waiters.delete(waiter);
          waiter.resolve(latest);
        }
      }
    }
  });
  child.stderr.on('data', (data: Buffer) => (output += data.toString()));
  const node: NodeProcess = {
    home,
    process: child,
    status: () => {
      if (!latest) throw new Error('The node has not reported yet.');
      return latest;
    },
    waitFor: (predicate, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        if (latest && predicate(latest)) return resolve(latest);
        const timer = setTimeout(() => reject(new Error(`Node never reached the state:\n${output.slice(-2000)}`)), timeoutMs);
        waiters.add({
          predicate,
          resolve: (s) => {
            clearTimeout(timer);
            resolve(s);
          },
        });
      }),
    output: () => output,
    kill: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
  startedNodes.add(node);
  child.once('exit', () => startedNodes.delete(node));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`The node exited (${code}):\n${output}`))),
  );
  exited.catch(() => undefined);
  // Generous: the machine running the suite may be busy with other work.
  await Promise.race([node.waitFor((s) => s.running, 90_000), exited]);
  return node;
}
