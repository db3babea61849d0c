import { describe, expect, it } from 'vitest';
import { chunkBlocks } from '../../../src/core/library/chunker';
import { decodeText, textBlocks } from '../../../src/core/library/extract/text';
import { snippet } from '../../../src/core/library/library';

describe('structure-aware chunking', () => {
  it('starts a chunk at each heading and keeps the heading path and line range', () => {
    const blocks = textBlocks('# A\n\nalpha text\n\n## B\n\nbeta text\n\n```\ncode block\n```\n', { markdown: true });
    const chunks = chunkBlocks(blocks, null, { chunkTokens: 100 });
    expect(chunks.map((c) => [c.headingPath, c.lineStart, c.lineEnd])).toEqual([
      [['A'], 3, 3],
      [['A', 'B'], 7, 11],
    ]);
    expect(chunks[1]!.text).toContain('```\ncode block\n```');
  });

  it('never lets a chunk span two pages, and keeps every chunk within the token budget', () => {
    const long = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const blocks = [...textBlocks(long, { page: 1 }), ...textBlocks('second page', { page: 2 })];
    const chunks = chunkBlocks(blocks, 'page', {
      chunkTokens: 40,
      overlapTokens: 0,
      countTokens: (t) => t.split(' ').length,
    });
    expect(chunks.every((c) => c.text.split(' ').length <= 40)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ page: 2, pageKind: 'page', text: 'second page' });
    expect(
      chunks
        .filter((c) => c.page === 1)
        .map((c) => c.text)
        .join(' '),
    ).toBe(long);
  });

  it('carries overlap from one chunk into the next', () => {
    const [a, b, c] = ['a1 a2 a3 a4 a5 a6', 'b1 b2 b3 b4 b5 b6', 'c1 c2 c3 c4 c5 c6'];
    const blocks = textBlocks(`${a}\n\n${b}\n\n${c}`);
    const chunks = chunkBlocks(blocks, null, {
      chunkTokens: 16,
      overlapTokens: 6,
      countTokens: (t) => t.split(/\s+/).length,
    });
    expect(chunks.map((chunk) => chunk.text)).toEqual([`${a}\n\n${b}`, `${b}\n\n${c}`]);
  });
});

describe('text decoding', () => {
  it('reads Latin-1 and UTF-16 and refuses binary content whatever the name', () => {
    expect(
      decodeText('a.txt', Buffer.from('caf\xe9 au lait, cr\xe8me et sucre pour tout le monde', 'latin1')),
    ).toContain('café');
    expect(decodeText('b.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('hello', 'utf16le')]))).toBe(
      'hello',
    );
    expect(() => decodeText('c.txt', Buffer.from([0x41, 0x00, 0x42, 0x01, 0x02]))).toThrow(/binary/);
  });
});

describe('snippets', () => {
  it('centres on the query words', () => {
    const text = `${'filler '.repeat(100)}the pelicans of the delta ${'more '.repeat(100)}`;
    expect(snippet(text, 'pelicans delta')).toMatch(/pelicans of the delta/);
    expect(snippet(text, 'pelicans').length).toBeLessThan(260);
  });
});
