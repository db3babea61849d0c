import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/events';
import { ChatActivity } from '../../../src/core/library/chat-activity';

const message = { id: 'm', role: 'assistant' as const, text: 'hi', createdAt: 0 };

describe('ChatActivity tells the library when the user waits on an answer', () => {
  it('is busy from the start of a chat answer until it is done or failed', () => {
    const events = new EventBus();
    const activity = new ChatActivity(events);
    expect(activity.busy).toBe(false);
    // The model reads the prompt before its first token: that counts too.
    events.emit('chat.started', { conversationId: 'a', messageId: 'm' });
    expect(activity.busy).toBe(true);
    events.emit('chat.token', { conversationId: 'a', messageId: 'm', text: 'x' });
    events.emit('chat.token', { conversationId: 'b', messageId: 'm', text: 'x' });
    expect(activity.busy).toBe(true);
    events.emit('chat.done', { conversationId: 'a', message });
    expect(activity.busy).toBe(true);
    events.emit('chat.failed', { conversationId: 'b', messageId: 'm', error: { name: 'E', message: 'e' } });
    expect(activity.busy).toBe(false);
    activity.dispose();
  });

  it('is busy while an answer over files retrieves, reads and writes', () => {
    const events = new EventBus();
    const activity = new ChatActivity(events);
    events.emit('ask.progress', {
      answerId: 'q',
      phase: 'retrieving',
      progress: { done: 0, total: 1, etaSeconds: null },
    });
    expect(activity.busy).toBe(true);
    events.emit('ask.done', {
      answerId: 'q',
      question: '',
      query: '',
      mode: 'retrieval',
      outcome: 'answered',
      text: '',
    } as never);
    expect(activity.busy).toBe(false);
    activity.dispose();
  });

  it('forgets an answer whose end it never heard of, so indexing cannot stall for good', () => {
    const events = new EventBus();
    let now = 0;
    const activity = new ChatActivity(events, () => now);
    events.emit('chat.token', { conversationId: 'a', messageId: 'm', text: 'x' });
    now = 29_000;
    expect(activity.busy).toBe(true);
    now = 31_000;
    expect(activity.busy).toBe(false);
    activity.dispose();
    events.emit('chat.token', { conversationId: 'a', messageId: 'm', text: 'x' });
    expect(activity.busy).toBe(false);
  });
});
