import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const HEARTH_BIN = fileURLToPath(new URL('../../src/host/bin.mjs', import.meta.url));

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `hearth` command to completion with HEARTH_HOME set to `home`. */
export function runHearth(args: string[], home: string, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HEARTH_BIN, ...args], {
      env: { ...process.env, HEARTH_HOME: home },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hearth ${args.join(' ')} timed out; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface ServingHearth {
  url: string;
  origin: string;
  token: string;
  output: () => string;
  stop: () => Promise<void>;
  process: ChildProcessWithoutNullStreams;
}

/** Starts `hearth serve` and waits for the URL and token it prints. */
export function serveHearth(home: string, extraArgs: string[] = []): Promise<ServingHearth> {
  const child = spawn(process.execPath, [HEARTH_BIN, 'serve', ...extraArgs], {
    env: { ...process.env, HEARTH_HOME: home },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hearth serve did not start:\n${output}`)), 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const url = /Open:\s+(\S+)/.exec(output)?.[1];
      const token = /Token:\s+([0-9a-f]+)/.exec(output)?.[1];
      if (url && token) {
        clearTimeout(timer);
        resolve({
          url,
          origin: new URL(url).origin,
          token,
          output: () => output,
          process: child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`hearth serve exited with ${code}:\n${output}`)));
  });
}
