import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/events';
import { UserActivity } from '../../../src/core/activity/user-activity';

const message = { id: 'm', role: 'assistant' as const, text: 'hi', createdAt: 0 };

describe('UserActivity tells the library when the user waits on an answer, and the network when they use Hearth', () => {
  it('is busy from the start of a chat answer until it is done or failed', () => {
    const events = new EventBus();
    const activity = new UserActivity(events);
    expect(activity.answering).toBe(false);
    // The model reads the prompt before its first token: that counts too.
    events.emit('chat.started', { conversationId: 'a', messageId: 'm' });
    expect(activity.answering).toBe(true);
    events.emit('chat.token', { conversationId: 'a', messageId: 'm', text: 'x' });
    events.emit('chat.token', { conversationId: 'b', messageId: 'm', text: 'x' });
    expect(activity.answering).toBe(true);
    events.emit('chat.done', { conversationId: 'a', message });
    expect(activity.answering).toBe(true);
    events.emit('chat.failed', { conversationId: 'b', messageId: 'm', error: { name: 'E', message: 'e' } });
    expect(activity.answering).toBe(false);
    activity.dispose();
  });

  it('is busy while an answer over files retrieves, reads and writes', () => {
    const events = new EventBus();
    const activity = new UserActivity(events);
    events.emit('ask.progress', {
      answerId: 'q',
      phase: 'retrieving',
      progress: { done: 0, total: 1, etaSeconds: null },
    });
    expect(activity.answering).toBe(true);
    events.emit('ask.done', {
      answerId: 'q',
      question: '',
      query: '',
      mode: 'retrieval',
      outcome: 'answered',
      text: '',
    } as never);
    expect(activity.answering).toBe(false);
    activity.dispose();
  });

  it('forgets an answer whose end it never heard of, so indexing cannot stall for good', () => {
    const events = new EventBus();
    let now = 0;
    const activity = new UserActivity(events, () => now);
    events.emit('chat.token', { conversationId: 'a', messageId: 'm', text: 'x' });
    now = 29_000;
    expect(activity.answering).toBe(true);
    now = 31_000;
    expect(activity.answering).toBe(false);
    activity.dispose();
    events.emit('chat.token', { conversationId: 'a', messageId: 'm', text: 'x' });
    expect(activity.answering).toBe(false);
  });

  it('tells its listeners of every use: chatting, asking and indexing, not settings', () => {
    const events = new EventBus();
    const activity = new UserActivity(events);
    const uses: number[] = [];
    const stop = activity.onUse(() => uses.push(uses.length));
    events.emit('chat.token', { conversationId: 'a', messageId: 'm', text: 'x' });
    events.emit('ask.token', { answerId: 'q', text: 'x' } as never);
    events.emit('library.progress', { collectionId: 'c' } as never);
    events.emit('settings.changed', {} as never);
    expect(uses).toHaveLength(3);
    stop();
    events.emit('chat.token', { conversationId: 'a', messageId: 'm', text: 'x' });
    expect(uses).toHaveLength(3);
    activity.dispose();
  });
});
