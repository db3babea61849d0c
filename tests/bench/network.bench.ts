import { mkdir, writeFile } from 'node:fs/promises';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { getLlama, LlamaCompletion, LlamaLogLevel } from 'node-llama-cpp';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { defaultProviderRanker, HearthNetwork, type ProviderRanker } from '../../src/core/network';
import { STORIES } from '../integration/network/in-process-node';
import { startedNodes, startNodeProcess, type NodeProcess } from '../integration/network/network-node-process';

/**
 * `npm run bench:network`: (1) a 128-token job end to end through the network (discovery cache,
 * dial, protocol, worker process, token stream) against the same generation run locally with
 * node-llama-cpp in this process (same model, prompt, greedy sampling, 1 thread); rounds
 * alternate so other load hits both alike; medians. Target: overhead under 10%.
 * (2) Jobs per minute with 1, 2 and 4 providers (each 1 thread, 1 job at a time), the requester
 * keeping every provider busy for a fixed time. Separate processes on 127.0.0.1.
 */

const ROUNDS = Number(process.env.NETWORK_BENCH_ROUNDS ?? 7);
const TOKENS = 128;
const PROMPT = 'Once upon a time, there was a little girl named Lily. She';
const THROUGHPUT_SECONDS = Number(process.env.NETWORK_BENCH_SECONDS ?? 20);
const results: Record<string, unknown> = {};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('network bench', () => {
  let bootstrapNode: NodeProcess;
  let providers: NodeProcess[] = [];
  let requester: HearthNetwork;
  const allowed = new Set<string>();
  const ranker: ProviderRanker = {
    rank: (candidates, model) => defaultProviderRanker.rank(candidates.filter((c) => allowed.has(c.peerId)), model),
  };

  beforeAll(async () => {
    bootstrapNode = await startNodeProcess({ args: ['--listen', '/ip4/127.0.0.1/tcp/0', '--dht-server'] });
    const b = bootstrapNode.status().addresses[0]!;
    providers = await Promise.all(
      [0, 1, 2, 3].map(() =>
        startNodeProcess({
          args: ['--listen', '/ip4/127.0.0.1/tcp/0', '--bootstrap', b, '--model', STORIES.path, '--contribute'],
          settings: { network: { maxThreads: 1, maxConcurrentJobs: 1, mdns: false } },
        }),
      ),
    );
    requester = await HearthNetwork.start({
      privateKey: await generateKeyPair('Ed25519'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [b],
      mdns: false,
      relayServer: false,
      dhtServer: true,
      lan: true,
      ranker,
      log: pino({ level: 'silent' }),
      onChange: () => undefined,
    });
  }, 300_000);

  afterAll(async () => {
    await requester?.stop();
    await Promise.all([...startedNodes].map((n) => n.kill('SIGKILL')));
    await mkdir('bench-results', { recursive: true });
    await writeFile('bench-results/network.json', JSON.stringify(results, null, 2));
  });

  it(`a ${TOKENS}-token job over the network vs the same generation locally`, async () => {
    allowed.clear();
    allowed.add(providers[0]!.status().peerId!);
    const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath: STORIES.path });
    const context = await model.createContext({ threads: 1, contextSize: Math.min(2048, model.trainContextSize) });
    const local = async () => {
      const started = performance.now();
      const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
      let tokens = 0;
      await completion.generateCompletion(PROMPT, { maxTokens: TOKENS, temperature: 0, onToken: (t) => (tokens += t.length) });
      completion.dispose({ disposeSequence: true });
      return { ms: performance.now() - started, tokens };
    };
    const remote = async () => {
      const result = await requester.requester.generate(
        { model: STORIES.sha256, prompt: PROMPT, maxTokens: TOKENS, temperature: 0 },
        { discoveryMs: 120_000 },
      );
      return { ms: result.totalMs, tokens: result.summary.completionTokens };
    };
    await local();
    await remote(); // warm: discovery, connection, the provider's worker
    const localRuns: number[] = [];
    const remoteRuns: number[] = [];
    let tokens = { local: 0, remote: 0 };
    for (let i = 0; i < ROUNDS; i++) {
      const l = await local();
      const r = await remote();
      localRuns.push(l.ms);
      remoteRuns.push(r.ms);
      tokens = { local: l.tokens, remote: r.tokens };
    }
    await context.dispose();
    await model.dispose();
    const localMs = median(localRuns);
    const remoteMs = median(remoteRuns);
    const overhead = remoteMs / localMs - 1;
    results.endToEnd = { tokens, rounds: ROUNDS, localMedianMs: localMs, networkMedianMs: remoteMs, overhead, localRuns, remoteRuns };
    console.table([
      { path: 'local (in-process node-llama-cpp)', medianMs: localMs.toFixed(1), tokens: tokens.local },
      { path: 'network (requester -> provider process)', medianMs: remoteMs.toFixed(1), tokens: tokens.remote },
    ]);
    console.log(`Network overhead for ${TOKENS} tokens: ${(overhead * 100).toFixed(1)}% (target < 10%)`);
  }, 600_000);

  it('jobs per minute with 1, 2 and 4 providers', async () => {
    const rows: Array<{ providers: number; jobs: number; failed: number; jobsPerMinute: number }> = [];
    for (const count of [1, 2, 4]) {
      allowed.clear();
      for (const p of providers.slice(0, count)) allowed.add(p.status().peerId!);
      const deadline = performance.now() + THROUGHPUT_SECONDS * 1000;
      let jobs = 0;
      let failed = 0;
      const loop = async () => {
        while (performance.now() < deadline) {
          try {
            await requester.requester.generate({ model: STORIES.sha256, prompt: PROMPT, maxTokens: 64, temperature: 0.8 });
            jobs++;
          } catch {
            failed++;
          }
        }
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: count }, loop));
      const minutes = (performance.now() - started) / 60_000;
      rows.push({ providers: count, jobs, failed, jobsPerMinute: Math.round(jobs / minutes) });
    }
    results.throughput = { seconds: THROUGHPUT_SECONDS, tokensPerJob: 64, rows };
    console.table(rows);
  }, 600_000);
});
