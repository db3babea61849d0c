import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HEARTH_BIN } from './hearth-process';

/** One outbound network attempt made by a traced process, as the kernel saw it. */
export interface Connection {
  family: 'inet' | 'inet6';
  address: string;
  port: number;
  syscall: string;
}

const LOOPBACK = [/^127\./, /^::1$/, /^::ffff:127\./];

/** Every connect/sendto/sendmsg/bind with an IP address in an strace log, loopback or not. */
export function parseConnections(log: string): Connection[] {
  const found: Connection[] = [];
  const pattern =
    /(connect|sendto|sendmsg|bind)\(.*?sa_family=AF_INET(6)?, sin6?_port=htons\((\d+)\), (?:sin6_flowinfo=[^,]+, )?(?:inet_pton\(AF_INET6?, "([^"]+)"|sin_addr=inet_addr\("([^"]+)"\))/g;
  for (const match of log.matchAll(pattern)) {
    found.push({
      syscall: match[1]!,
      family: match[2] ? 'inet6' : 'inet',
      port: Number(match[3]),
      address: (match[4] ?? match[5])!,
    });
  }
  return found;
}

export function isLoopback(connection: Connection): boolean {
  return LOOPBACK.some((pattern) => pattern.test(connection.address));
}

export interface TracedRun {
  /** Every IP connection the process tree attempted so far. */
  connections(): Promise<Connection[]>;
}

/**
 * Runs `hearth <args>` under strace, which records every socket connect and datagram send of
 * the whole process tree at the system-call level, native libraries included.
 */
export function traceHearth(
  args: string[],
  home: string,
  logDir: string,
): { run: TracedRun; child: ReturnType<typeof spawn>; stop: () => Promise<void> } {
  const logFile = join(logDir, 'strace.log');
  const child = spawn(
    'strace',
    ['-f', '-qq', '-e', 'trace=connect,sendto,sendmsg,bind', '-o', logFile, process.execPath, HEARTH_BIN, ...args],
    // Its own process group, so that a last-resort kill reaches everything it started.
    { env: { ...process.env, HEARTH_HOME: home }, detached: true },
  );
  return {
    child,
    run: { connections: async () => parseConnections(await readFile(logFile, 'utf8').catch(() => '')) },
    stop: () => stopTraced(child),
  };
}

/**
 * strace passes no fatal signal on to its tracee, so SIGTERM goes to the traced Hearth itself
 * (not the process group: that would also kill node-llama-cpp's binary probes mid-flight).
 * Should Hearth not exit, the whole group is killed so that a hang cannot outlive the test.
 */
function stopTraced(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const killAll = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(killAll);
      resolve();
    });
    const hearth = tracedChildren(child.pid!);
    if (hearth.length === 0) process.kill(-child.pid!, 'SIGTERM');
    for (const pid of hearth) process.kill(pid, 'SIGTERM');
  });
}

function tracedChildren(stracePid: number): number[] {
  try {
    return readFileSync(`/proc/${stracePid}/task/${stracePid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
