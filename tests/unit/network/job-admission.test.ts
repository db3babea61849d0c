import { describe, expect, it } from 'vitest';
import type { JobRequest } from '../../../src/core/network/protocol/messages';
import { admitJob, type JobAdmissionComponents } from '../../../src/core/network/provider/job-admission';

const MODEL = { sha256: 'a'.repeat(64), name: 'tiny.gguf', path: '/models/tiny.gguf' };
const PAYER = `0x${'1'.repeat(40)}`;

function request(overrides: Partial<JobRequest> = {}): JobRequest {
  return {
    t: 'request',
    jobId: 'job-1',
    model: MODEL.sha256,
    prompt: 'Once upon a time',
    maxTokens: 16,
    temperature: 0,
    topP: 1,
    seed: 1,
    price: 2,
    requester: 'peer-a',
    ...overrides,
  };
}

function components(overrides: Partial<JobAdmissionComponents> = {}): JobAdmissionComponents {
  return {
    models: [MODEL],
    verdict: () => ({ state: 'ready', reason: '' }),
    price: () => 1,
    unpaidRefusal: () => null,
    freeSlots: () => 1,
    ...overrides,
  };
}

describe('admitJob', () => {
  it('admits a request that passes every check, with the model it names', async () => {
    expect(await admitJob(components(), request(), 'peer-a')).toEqual({ model: MODEL });
  });

  it('refuses for the first rule broken, in a fixed order, and asks the chain last', async () => {
    let creditChecks = 0;
    const payments = {
      credit: async () => {
        creditChecks++;
        return { ok: true as const, available: 10n ** 12n };
      },
    };
    // Every rule broken at first; each step mends the one that refused.
    let parts = components({
      verdict: () => ({ state: 'paused', reason: 'The owner is using this computer.' }),
      price: () => 5,
      unpaidRefusal: () => 'You owe 3 jobs.',
      freeSlots: () => 0,
      payments,
    });
    let req = request({ requester: 'someone-else', model: 'b'.repeat(64) });
    const mends = [
      () => (req = { ...req, requester: 'peer-a' }),
      () => (parts = { ...parts, verdict: () => ({ state: 'ready', reason: '' }) }),
      () => (req = { ...req, model: MODEL.sha256 }),
      () => (parts = { ...parts, price: () => 1 }),
      () => (parts = { ...parts, unpaidRefusal: () => null }),
      () => (parts = { ...parts, freeSlots: () => 1 }),
      () => (req = { ...req, payer: PAYER }),
    ];
    const outcomes: string[] = [];
    for (const mend of [...mends, null]) {
      const result = await admitJob(parts, req, 'peer-a');
      outcomes.push('reason' in result ? result.reason : 'admitted');
      mend?.();
    }
    expect(outcomes).toEqual([
      'invalid-request',
      'not-now',
      'unknown-model',
      'price-too-low',
      'unpaid',
      'at-capacity',
      'no-credit', // a priced job on a provider paid on chain, and no payer named
      'admitted',
    ]);
    // Only the request that passed everything else reached the chain.
    expect(creditChecks).toBe(1);
  });

  it('asks the chain only for a priced job with a payer, and passes on its reason', async () => {
    const asked: bigint[] = [];
    const payments = {
      credit: async (_payer: string, max: bigint) => {
        asked.push(max);
        return { ok: false as const, available: 1n, reason: 'The deposit covers 1 more job.' };
      },
    };
    const refused = await admitJob(components({ payments }), request({ payer: PAYER }), 'peer-a');
    expect(refused).toEqual({ reason: 'no-credit', message: 'The deposit covers 1 more job.' });
    expect(asked).toHaveLength(1);
    const free = await admitJob(components({ payments, price: () => 0 }), request({ price: 0 }), 'peer-a');
    expect(free).toEqual({ model: MODEL });
    expect(asked).toHaveLength(1);
  });
});
