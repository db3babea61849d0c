import { describe, expect, it } from 'vitest';
import { LatencyProber, type PingPeer } from '../../../src/core/network/requester/latency-prober';

/** A ping seam whose answers the test controls: each call waits for `answer` or `fail`. */
function fakePing() {
  const calls: Array<{ peerId: string; answer: () => void; fail: () => void; signal: AbortSignal }> = [];
  const ping: PingPeer = (peerId, signal) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ peerId, answer: resolve, fail: () => reject(new Error('unreachable')), signal });
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  let answered = 0;
  return {
    ping,
    calls,
    pending: () => calls.slice(answered),
    /** Answers (or fails) the oldest unanswered ping, then lets the prober send the next. */
    async next(ok = true) {
      const call = calls[answered++]!;
      if (ok) call.answer();
      else call.fail();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

describe('LatencyProber', () => {
  it('keeps the fastest of a few pings, measured and positive', async () => {
    const fake = fakePing();
    const prober = new LatencyProber(fake.ping, { pings: 3 });
    prober.observe('p');
    expect(prober.latency('p')).toEqual({ state: 'pending' });
    for (let i = 0; i < 3; i++) await fake.next();
    expect(fake.calls).toHaveLength(3);
    const latency = prober.latency('p');
    expect(latency.state).toBe('measured');
    expect(latency.state === 'measured' && Number.isFinite(latency.ms) && latency.ms > 0).toBe(true);
  });

  it('marks a provider that does not answer as no-answer after one failed ping, not three', async () => {
    const fake = fakePing();
    const prober = new LatencyProber(fake.ping, { pings: 3 });
    prober.observe('silent');
    await fake.next(false);
    expect(fake.calls).toHaveLength(1);
    expect(prober.latency('silent')).toMatchObject({ state: 'no-answer' });
  });

  it('pings again only when the measurement is stale, however often the provider is seen', async () => {
    let now = 0;
    const fake = fakePing();
    const prober = new LatencyProber(fake.ping, { pings: 1, refreshMs: 30_000, now: () => now });
    prober.observe('p');
    prober.observe('p');
    await fake.next();
    for (let i = 0; i < 10; i++) prober.observe('p');
    expect(fake.calls).toHaveLength(1);
    now += 30_000;
    prober.observe('p');
    prober.observe('p');
    expect(fake.calls).toHaveLength(2);
  });

  it('retries a provider that did not answer sooner, backing off to the refresh period', async () => {
    let now = 0;
    const fake = fakePing();
    const prober = new LatencyProber(fake.ping, { pings: 1, retryMs: 5_000, refreshMs: 30_000, now: () => now });
    const retriedAfter: number[] = [];
    prober.observe('p');
    await fake.next(false);
    for (let failures = 1; failures <= 5; failures++) {
      const since = now;
      while (fake.pending().length === 0) {
        now += 1_000;
        prober.observe('p');
      }
      retriedAfter.push(now - since);
      await fake.next(false);
    }
    expect(retriedAfter).toEqual([5_000, 10_000, 20_000, 30_000, 30_000]);
    now += 30_000;
    prober.observe('p');
    await fake.next(true);
    expect(prober.latency('p').state).toBe('measured');
  });

  it('runs a bounded number of probes at once and tracks a bounded number of providers', async () => {
    const fake = fakePing();
    const prober = new LatencyProber(fake.ping, { pings: 1, concurrency: 2, maxTracked: 3 });
    for (const peer of ['a', 'b', 'c', 'd', 'e']) prober.observe(peer);
    expect(fake.pending().map((c) => c.peerId)).toEqual(['a', 'b']);
    await fake.next();
    expect(fake.pending().map((c) => c.peerId)).toEqual(['b', 'c']);
    await fake.next();
    await fake.next();
    expect(fake.calls.map((c) => c.peerId)).toEqual(['a', 'b', 'c']);
    expect(prober.latency('d')).toEqual({ state: 'pending' });
  });

  it('gives up a ping at its timeout and aborts pings in flight on stop', async () => {
    const fake = fakePing();
    const prober = new LatencyProber(fake.ping, { pings: 1, timeoutMs: 20 });
    prober.observe('slow');
    await expect.poll(() => prober.latency('slow').state).toBe('no-answer');
    prober.observe('other');
    const inFlight = fake.calls.at(-1)!;
    prober.stop();
    expect(inFlight.signal.aborted).toBe(true);
    prober.observe('later');
    expect(fake.calls.at(-1)).toBe(inFlight);
  });
});
