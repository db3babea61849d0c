import { describe, expect, it } from 'vitest';
import { contentWords, termCoverage } from '../../../src/core/ask/query-terms';
import { standaloneQuery } from '../../../src/core/ask/standalone-query';
import { isWholeDocumentQuestion, pickDocument } from '../../../src/core/ask/whole-document';

describe('standaloneQuery', () => {
  it('keeps a self-contained question as it is', () => {
    const conversation = [{ role: 'user' as const, text: 'Tell me about boundary layers' }];
    expect(standaloneQuery('How are supersonic wings tested in wind tunnels?', conversation)).toBe(
      'How are supersonic wings tested in wind tunnels?',
    );
  });

  it('borrows the subject of recent user turns for a follow-up', () => {
    const conversation = [
      { role: 'user' as const, text: 'What limits the heat transfer of a blunt body at hypersonic speed?' },
      { role: 'assistant' as const, text: 'The stagnation point [1].' },
    ];
    const query = standaloneQuery('And how is it measured?', conversation);
    expect(query).toMatch(/^And how is it measured\?/);
    expect(query).toContain('heat');
    expect(query).toContain('hypersonic');
  });
});

describe('standaloneQuery on a new subject', () => {
  const conversation = [{ role: 'user' as const, text: 'How many days does the Blue Oak licence give to comply?' }];
  it('keeps a short new question whole, and a long one that says "that" too', () => {
    expect(standaloneQuery('Who created Python?', conversation)).toBe('Who created Python?');
    const long = 'Which file should pull requests that edit the mime-db database target?';
    expect(standaloneQuery(long, conversation)).toBe(long);
  });
  it('borrows for a connective opening or a lone word', () => {
    expect(standaloneQuery('What about Apache?', conversation)).toContain('blue');
    expect(standaloneQuery('Price?', conversation)).toContain('oak');
  });
});

describe('term coverage', () => {
  it('matches by crude stem and ignores stop words', () => {
    expect(contentWords('What are the wings of the aircraft?')).toEqual(['wings', 'aircraft']);
    expect(termCoverage(['wings', 'aircraft'], 'A wing attached to an aircraft.')).toEqual({
      matched: ['wings', 'aircraft'],
      coverage: 1,
    });
  });
});

describe('whole-document questions', () => {
  it('are told apart from passage questions', () => {
    expect(isWholeDocumentQuestion('Summarise this report')).toBe(true);
    expect(isWholeDocumentQuestion('list every function in this file')).toBe(true);
    expect(isWholeDocumentQuestion('What are the key points of budget.pdf?')).toBe(true);
    expect(isWholeDocumentQuestion('What is the stall speed of the wing?')).toBe(false);
  });

  it('pick the document the user named over the best hit', () => {
    const hit = { path: '/docs/other.md' } as never;
    expect(
      pickDocument('summarise the budget report', { scopeFiles: [], candidates: [hit], fallback: '/docs/other.md' }),
    ).toBe('/docs/other.md');
    expect(pickDocument('summarise the budget report', { scopeFiles: [], candidates: [hit] })).toBeNull();
    expect(
      pickDocument('summarise budget-report.pdf', {
        scopeFiles: ['/a/budget-report.pdf', '/a/x.md'],
        candidates: [hit],
      }),
    ).toBe('/a/budget-report.pdf');
    expect(pickDocument('summarise it', { picked: '/p.md', scopeFiles: [], candidates: [] })).toBe('/p.md');
  });
});
