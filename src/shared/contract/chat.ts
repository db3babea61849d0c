import * as v from 'valibot';
import { call, event, namespace } from './define';
import { IdSchema } from './common';
import { ModelFileSchema } from './models';

export const ChatMessageSchema = v.object({
  id: IdSchema,
  role: v.picklist(['system', 'user', 'assistant']),
  text: v.string(),
  createdAt: v.number(),
  /** An answer cut short by Stop (its text is what was generated until then). */
  stopped: v.optional(v.boolean()),
  /**
   * A question left without an answer: Hearth was closed or killed while answering it (or the
   * answer failed). It is not sent to the model again; editing it asks it again.
   */
  interrupted: v.optional(v.boolean()),
  /** The model file that wrote an answer (for a network answer, the offered model's name). */
  model: v.optional(v.string()),
  /** Earlier answers to the same question, replaced by Regenerate but kept (oldest first). */
  earlier: v.optional(v.array(v.object({ text: v.string(), createdAt: v.number(), model: v.optional(v.string()) }))),
  /**
   * Present on answers written on the compute network: the provider's peer id (null when the
   * answer was stopped before a provider started it) and the audit's verdict (`failed`: the
   * provider did not run the declared model faithfully, and was not paid). Absent for answers
   * made on this computer.
   */
  network: v.optional(
    v.object({
      peerId: v.nullable(v.string()),
      audit: v.optional(v.picklist(['passed', 'failed', 'not-sampled', 'unavailable'])),
    }),
  ),
});
export type ChatMessage = v.InferOutput<typeof ChatMessageSchema>;

/**
 * A conversation the user opted into a network model: its messages go to a provider on the
 * compute network, who sees them. Library context is never part of it.
 */
export const NetworkBindingSchema = v.object({
  /** sha256 of the model file the provider must run. */
  model: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'must be a model hash: 64 lowercase hex digits')),
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  /** When the user opted in (ms since the epoch). */
  optedInAt: v.number(),
});
export type NetworkBinding = v.InferOutput<typeof NetworkBindingSchema>;

export const ConversationSummarySchema = v.object({
  id: IdSchema,
  title: v.string(),
  createdAt: v.number(),
  updatedAt: v.number(),
  messageCount: v.number(),
});
export type ConversationSummary = v.InferOutput<typeof ConversationSummarySchema>;

export const ConversationSchema = v.object({
  ...ConversationSummarySchema.entries,
  messages: v.array(ChatMessageSchema),
  /** The network model this conversation answers with; null: a local model. */
  network: v.nullable(NetworkBindingSchema),
  /** The answer being generated right now, if any. */
  generating: v.nullable(v.object({ messageId: IdSchema, text: v.string() })),
});
export type Conversation = v.InferOutput<typeof ConversationSchema>;

export const SearchHitSchema = v.object({
  conversationId: IdSchema,
  title: v.string(),
  messageId: IdSchema,
  role: v.picklist(['system', 'user', 'assistant']),
  snippet: v.string(),
});

const MessageText = v.pipe(v.string(), v.minLength(1), v.maxLength(100_000));
const Started = v.object({ conversationId: IdSchema, messageId: IdSchema });

export const chatContract = namespace(
  {
    list: call(v.strictObject({}), v.array(ConversationSummarySchema), 'Conversations, newest first.'),
    get: call(v.strictObject({ id: IdSchema }), ConversationSchema, 'One conversation with its messages.'),
    rename: call(
      v.strictObject({ id: IdSchema, title: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) }),
      v.null(),
      'Rename a conversation.',
    ),
    remove: call(v.strictObject({ id: IdSchema }), v.null(), 'Delete a conversation.'),
    send: call(
      v.strictObject({
        conversationId: v.nullable(IdSchema),
        text: MessageText,
        /** A model file to answer with instead of settings.models.chatModel. */
        model: v.optional(ModelFileSchema),
        /** A limit for this answer instead of settings.chat.maxTokens. */
        maxTokens: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(32_768))),
      }),
      Started,
      'Send a message (null starts a new conversation); the answer streams as `token` events.',
    ),
    useNetwork: call(
      v.strictObject({
        /** null starts a new, empty conversation bound to the model. */
        conversationId: v.nullable(IdSchema),
        model: NetworkBindingSchema.entries.model,
        name: NetworkBindingSchema.entries.name,
        /** The user confirmed that the provider sees every message of this chat. */
        acknowledged: v.literal(true),
      }),
      ConversationSchema,
      "Answer this conversation with a network model from now on; the provider sees the conversation's messages (never library context).",
    ),
    useLocal: call(
      v.strictObject({ conversationId: IdSchema }),
      ConversationSchema,
      'Answer this conversation on this computer again; nothing more is sent to the network.',
    ),
    stop: call(
      v.strictObject({ conversationId: IdSchema }),
      v.null(),
      'Stop generating at once, keeping the text so far.',
    ),
    regenerate: call(v.strictObject({ conversationId: IdSchema }), Started, 'Answer the last message again.'),
    edit: call(
      v.strictObject({ conversationId: IdSchema, messageId: IdSchema, text: MessageText }),
      Started,
      'Change one of your messages, drop everything after it, and answer again.',
    ),
    search: call(
      v.strictObject({ query: v.pipe(v.string(), v.minLength(1), v.maxLength(500)) }),
      v.array(SearchHitSchema),
      'Find messages containing every word of the query, across all conversations.',
    ),
    exportMarkdown: call(
      v.strictObject({ id: IdSchema }),
      v.object({ fileName: v.string(), markdown: v.string() }),
      'A conversation as a Markdown document.',
    ),
  },
  {
    started: event(
      v.object({ conversationId: IdSchema, messageId: IdSchema }),
      'An answer began (before its first token: the model may still be reading the prompt).',
    ),
    token: event(
      v.object({ conversationId: IdSchema, messageId: IdSchema, text: v.string() }),
      'A piece of a streamed answer; a new messageId means the answer restarted (a network provider failed and another took over).',
    ),
    done: event(
      v.object({ conversationId: IdSchema, message: ChatMessageSchema }),
      'An answer finished (or was stopped) and is saved.',
    ),
    failed: event(
      v.object({
        conversationId: IdSchema,
        messageId: IdSchema,
        error: v.object({ name: v.string(), message: v.string() }),
      }),
      'An answer could not be generated.',
    ),
    changed: event(
      v.object({ conversationId: v.nullable(IdSchema) }),
      'A conversation was created, changed or deleted.',
    ),
  },
  /** What these calls fail with, by name (beside the doors' own errors). */
  [
    'ConversationNotFoundError',
    'ChatBusyError',
    'NoModelChosenError',
    'ModelNotInstalledError',
    'NetworkNotRunningError',
    'NetworkConsentError',
    'NoProviderError',
  ],
);
