import { describe, expect, it } from 'vitest';
import { ReputationBook } from '../../../src/core/network/reputation';
import { reputationRanker } from '../../../src/core/network/requester/reputation-ranker';

describe('ReputationBook', () => {
  it('times out failed audits with doubling timeouts, then bans', () => {
    let now = 0;
    const book = new ReputationBook({ now: () => now, auditTimeoutMs: 1000, banAfterAuditFailures: 3 });
    book.recordAudit('p', false);
    expect(book.standing('p').timeoutUntil).toBe(1000);
    expect(book.isAvailable('p')).toBe(false);
    now = 1000;
    expect(book.isAvailable('p')).toBe(true);
    book.recordAudit('p', false);
    expect(book.standing('p').timeoutUntil).toBe(3000);
    now = 5000;
    book.recordAudit('p', false);
    expect(book.standing('p')).toMatchObject({ banned: true, tier: 'banned', score: 0 });
    now = 1e12;
    expect(book.isAvailable('p')).toBe(false);
  });

  it('backs off consecutive dropped jobs and forgives after a completed one', () => {
    let now = 0;
    const book = new ReputationBook({ now: () => now, dropTimeoutMs: 100 });
    book.recordDropped('p');
    book.recordDropped('p');
    expect(book.standing('p').timeoutUntil).toBe(200);
    now = 300;
    book.recordCompleted('p', { tokens: 10, ms: 100 });
    book.recordDropped('p');
    expect(book.standing('p').timeoutUntil).toBe(400);
  });

  it('ranks good providers first and leaves out those in timeout', () => {
    let now = 0;
    const book = new ReputationBook({ newJobs: 5, now: () => now });
    for (let i = 0; i < 50; i++) {
      book.recordCompleted('good', { tokens: 100, ms: 1000 });
      book.recordAudit('good', true);
      book.recordCompleted('slow', { tokens: 100, ms: 5000 });
      if (i % 5 === 0) book.recordDropped('flaky');
      else book.recordCompleted('flaky', { tokens: 100, ms: 1000 });
    }
    book.recordAudit('cheat', false);
    now = 600_000; // flaky's drop timeouts are over; cheat's hour is not
    const ranked = book.rank(['flaky', 'cheat', 'slow', 'unknown', 'good']).map((s) => s.provider);
    expect(ranked).not.toContain('cheat');
    expect(ranked[0]).toBe('good');
    expect(ranked.indexOf('unknown')).toBeLessThan(ranked.indexOf('flaky'));
    expect(book.standing('good').tier).toBe('gold');
    expect(book.standing('flaky').tier).toBe('probation');
    expect(ReputationBook.fromJSON(book.toJSON()).standing('good')).toEqual(book.standing('good'));
  });
});

describe('reputationRanker', () => {
  it('drops banned providers and prefers reputation over price', async () => {
    const book = new ReputationBook({ newJobs: 1 });
    for (let i = 0; i < 30; i++) {
      book.recordCompleted('honest', { tokens: 10, ms: 100 });
      book.recordAudit('honest', true);
      book.recordCompleted('cheap', { tokens: 10, ms: 100 });
    }
    for (let i = 0; i < 3; i++) book.recordAudit('cheat', false);
    const candidate = (peerId: string, price: number) => ({
      peerId,
      addrs: [],
      price,
      freeSlots: 1,
      source: 'gossip' as const,
      seenAt: 0,
    });
    const ranked = await reputationRanker(book).rank(
      [candidate('cheat', 0), candidate('cheap', 1), candidate('honest', 5)],
      'm',
    );
    expect(ranked.map((c) => c.peerId)).toEqual(['honest', 'cheap']);
  });
});
