import { describe, expect, it } from 'vitest';
import { conversationToMarkdown, searchConversations, type StoredConversation } from '../../../src/core/chat';

const at = Date.UTC(2026, 0, 2, 3, 4);
const conversation = (id: string, title: string, updatedAt: number, texts: [string, string][]): StoredConversation => ({
  id,
  title,
  createdAt: at,
  updatedAt,
  messages: texts.map(([role, text], i) => ({
    id: `${id}-${i}`,
    role: role as 'user' | 'assistant',
    text,
    createdAt: at,
  })),
});

describe('searching conversations', () => {
  const older = conversation('a', 'Garden', 1, [
    ['user', 'When should I plant tomatoes?'],
    ['assistant', 'Plant Tomatoes after the last frost.'],
  ]);
  const newer = conversation('b', 'Cooking', 2, [['user', 'A tomato soup recipe please']]);

  it('finds messages containing every word, ignoring case, newest conversation first', () => {
    const hits = searchConversations([older, newer], 'TOMATO');
    expect(hits.map((h) => h.messageId)).toEqual(['b-0', 'a-0', 'a-1']);
    expect(searchConversations([older, newer], 'plant frost').map((h) => h.messageId)).toEqual(['a-1']);
    expect(searchConversations([older, newer], 'potato')).toEqual([]);
    expect(searchConversations([older, newer], '   ')).toEqual([]);
  });

  it('gives a snippet around the first word', () => {
    const long = conversation('c', 'Long', 3, [['assistant', `${'x '.repeat(100)}needle${' y'.repeat(100)}`]]);
    const [hit] = searchConversations([long], 'needle');
    expect(hit!.snippet).toMatch(/^\.\.\..*needle.*\.\.\.$/);
    expect(hit!.snippet.length).toBeLessThan(140);
  });
});

describe('exporting a conversation to Markdown', () => {
  it('writes a heading per message with who said it and a file name from the title', () => {
    const c = conversation('a', 'Plans for: Sunday!', 1, [
      ['user', 'Hi'],
      ['assistant', '**Hello**'],
    ]);
    c.messages[1]!.stopped = true;
    const { fileName, markdown } = conversationToMarkdown(c);
    expect(fileName).toBe('plans-for-sunday.md');
    expect(markdown).toContain('# Plans for: Sunday!');
    expect(markdown).toContain('## You (2026-01-02 03:04)\n\nHi');
    expect(markdown).toContain('## Assistant (2026-01-02 03:04) - stopped\n\n**Hello**');
  });
});
