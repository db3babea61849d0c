import type { StoredConversation } from './conversation-store';

export interface ChatSearchHit {
  conversationId: string;
  title: string;
  messageId: string;
  role: 'system' | 'user' | 'assistant';
  snippet: string;
}

/** Messages containing every word of `query` (case-insensitive), newest conversations first. */
export function searchConversations(conversations: StoredConversation[], query: string, limit = 50): ChatSearchHit[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const hits: ChatSearchHit[] = [];
  for (const c of [...conversations].sort((a, b) => b.updatedAt - a.updatedAt)) {
    for (const m of c.messages) {
      const lower = m.text.toLowerCase();
      if (!words.every((w) => lower.includes(w))) continue;
      const at = lower.indexOf(words[0]!);
      const start = Math.max(0, at - 40);
      const snippet = `${start > 0 ? '...' : ''}${m.text.slice(start, at + 80).replace(/\s+/g, ' ')}${at + 80 < m.text.length ? '...' : ''}`;
      hits.push({ conversationId: c.id, title: c.title, messageId: m.id, role: m.role, snippet });
      if (hits.length >= limit) return hits;
    }
  }
  return hits;
}
