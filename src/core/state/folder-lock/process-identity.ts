import { readFileSync } from 'node:fs';

/**
 * Whether a process with this id runs now. EPERM means it runs under another user, which
 * still counts: its lock is not ours to take.
 */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When the process started, as Linux counts it (field 22 of /proc/<pid>/stat, clock ticks
 * since boot), or null where there is no /proc. A lock left by a crash whose pid was since
 * given to an unrelated process has a different start time, so it is not mistaken for live.
 */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}
