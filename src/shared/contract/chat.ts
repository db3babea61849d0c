import * as v from 'valibot';
import { call, event, namespace } from './define';
import { IdSchema } from './common';

export const ChatMessageSchema = v.object({
  id: IdSchema,
  role: v.picklist(['system', 'user', 'assistant']),
  text: v.string(),
  createdAt: v.number(),
});

export const ConversationSummarySchema = v.object({
  id: IdSchema,
  title: v.string(),
  updatedAt: v.number(),
});

/** Declared for the chat issue; the engine answers NotImplementedError until it lands. */
export const chatContract = namespace(
  {
    list: call(v.strictObject({}), v.array(ConversationSummarySchema), 'Conversations, newest first.'),
    send: call(
      v.strictObject({
        conversationId: v.nullable(IdSchema),
        text: v.pipe(v.string(), v.minLength(1), v.maxLength(100_000)),
      }),
      v.object({ conversationId: IdSchema, messageId: IdSchema }),
      'Send a message; the answer streams as `token` events.',
    ),
    stop: call(v.strictObject({ conversationId: IdSchema }), v.null(), 'Stop generating at once.'),
  },
  {
    token: event(
      v.object({ conversationId: IdSchema, messageId: IdSchema, text: v.string() }),
      'A piece of a streamed answer.',
    ),
  },
);
