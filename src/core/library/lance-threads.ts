import { availableParallelism } from 'node:os';

/**
 * LanceDB sizes its compute pool at cores − 2 (at least 1) and builds a full-text index with
 * producers that block a pool thread while the writer they wait on needs a pool thread too.
 * On a machine with 3 cores or fewer that pool has one thread, and once a table passes roughly
 * 100k chunks the index build parks it forever at 0% CPU (lancedb#3568, fixed upstream by
 * lance#7423). At least two pool threads, and fewer FTS workers than pool threads, keep one
 * thread free for the writer. LanceDB reads these once, when its pool first starts, so this
 * runs on import, before any table is opened; a user's own settings win.
 */
export function configureLanceThreads(env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): void {
  const threads = Number(env.LANCE_CPU_THREADS) || Math.max(2, cores - 2);
  env.LANCE_CPU_THREADS ??= String(threads);
  env.LANCE_FTS_NUM_SHARDS ??= String(Math.max(1, Math.min(threads - 1, Math.floor(cores / 2))));
}

configureLanceThreads();
