import { describe, expect, it } from 'vitest';
import { AuditSampler } from '../../../src/core/network/audit';
import { UnpaidJobs } from '../../../src/core/network/provider/unpaid-jobs';
import { MAX_BATCH_JOBS } from '../../../src/core/network/protocol/messages';
import { batchJobsFor, unpaidAllowance } from '../../../src/core/network/rewards/batch-rules';

describe('batch size from the audit share', () => {
  it('is the smallest batch whose forfeit outweighs the cheated jobs paid per catch', () => {
    expect(batchJobsFor(0.1)).toBe(10);
    expect(batchJobsFor(0.5)).toBe(2);
    expect(batchJobsFor(1)).toBe(1);
    expect(batchJobsFor(0.3)).toBe(3);
    for (const p of [0.05, 0.1, 0.2, 0.25, 0.3, 0.5, 0.9]) {
      const b = batchJobsFor(p);
      // p x B x c > (1 - p) x c, and B - 1 would not do.
      expect(p * b).toBeGreaterThan(1 - p);
      if (b > 1) expect(p * (b - 1)).toBeLessThanOrEqual(1 - p + 1e-9);
    }
  });

  it('never exceeds what one batch message may carry', () => {
    expect(batchJobsFor(0)).toBe(MAX_BATCH_JOBS);
    expect(batchJobsFor(0.001)).toBe(MAX_BATCH_JOBS);
  });
});

describe('unpaid allowance', () => {
  it('is the configured limit for a stranger and grows one job per 10 paid, capped', () => {
    expect(unpaidAllowance(3, 0)).toBe(3);
    expect(unpaidAllowance(3, 9)).toBe(3);
    expect(unpaidAllowance(3, 10)).toBe(4);
    expect(unpaidAllowance(3, 105)).toBe(13);
    expect(unpaidAllowance(3, 1e9)).toBe(3 + MAX_BATCH_JOBS);
    expect(unpaidAllowance(0, 0)).toBe(0);
  });

  it('a fresh requester is refused after 3 unpaid jobs, whatever it claims', () => {
    const unpaid = new UnpaidJobs(() => 3);
    const served = [];
    while (unpaid.mayServe('fresh')) served.push(unpaid.open('fresh'));
    expect(served).toHaveLength(3);
    // Held, running or never paid: all count until a valid receipt arrives.
    served[0]!.unpaid();
    expect(unpaid.mayServe('fresh')).toBe(false);
  });

  it('a requester with a paid history may hold more, and only what it paid for', () => {
    const unpaid = new UnpaidJobs(() => 3);
    for (let i = 0; i < 100; i++) unpaid.open('regular').paid();
    expect(unpaid.allowance('regular')).toBe(13);
    const open = [];
    while (unpaid.mayServe('regular')) open.push(unpaid.open('regular'));
    expect(open).toHaveLength(13);
    expect(unpaid.allowance('stranger')).toBe(3);
  });

  it('keeps its counts across a restart, open jobs as unpaid', () => {
    const before = new UnpaidJobs(() => 3);
    for (let i = 0; i < 20; i++) before.open('regular').paid();
    before.open('regular');
    const after = new UnpaidJobs(() => 3);
    after.load(JSON.parse(JSON.stringify(before.toJSON())));
    expect(after.allowance('regular')).toBe(5);
    expect(after.owed('regular')).toBe(1);
  });
});

describe('probation', () => {
  it('ends after the first 105 jobs and is kept across a restart', () => {
    const sampler = new AuditSampler({ share: 0.1 });
    for (let i = 0; i < 104; i++) sampler.shouldAudit('p');
    expect(sampler.onProbation('p')).toBe(true);
    sampler.shouldAudit('p');
    expect(sampler.onProbation('p')).toBe(false);
    const restarted = new AuditSampler({ share: 0.1 });
    restarted.load(sampler.toJSON());
    expect(restarted.onProbation('p')).toBe(false);
    expect(restarted.onProbation('q')).toBe(true);
  });
});
