import type { StoredConversation } from './conversation-store';

const LABEL = { system: 'System', user: 'You', assistant: 'Assistant' } as const;

/** A conversation as a Markdown document and a file name made from its title. */
export function conversationToMarkdown(conversation: StoredConversation): { fileName: string; markdown: string } {
  const lines = [
    `# ${conversation.title}`,
    '',
    `_Exported from Hearth on ${new Date().toISOString().slice(0, 10)}_`,
    '',
  ];
  for (const m of conversation.messages) {
    const when = new Date(m.createdAt).toISOString().replace('T', ' ').slice(0, 16);
    const where = m.network ? ` - ${m.model ?? 'a network model'} on the Hearth network` : '';
    lines.push(
      `## ${LABEL[m.role]} (${when})${where}${m.stopped ? ' - stopped' : ''}${m.interrupted ? ' - not answered' : ''}`,
      '',
      m.text,
      '',
    );
  }
  const slug =
    conversation.title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'chat';
  return { fileName: `${slug}.md`, markdown: lines.join('\n') };
}
