import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import writeFileAtomic from 'write-file-atomic';
import {
  ChatMessageSchema,
  NetworkBindingSchema,
  type ChatMessage,
  type ConversationSummary,
} from '../../shared/contract/chat';
import { readJsonState, type OnStateDamage } from '../state';
import { ConversationNotFoundError } from './conversation-not-found-error';

const StoredConversationSchema = v.object({
  id: v.string(),
  title: v.string(),
  createdAt: v.number(),
  updatedAt: v.number(),
  messages: v.array(ChatMessageSchema),
  /** The network model the user opted this conversation into; absent in files from before networks. */
  network: v.optional(v.nullable(NetworkBindingSchema)),
});
export type StoredConversation = v.InferOutput<typeof StoredConversationSchema>;

const ID = /^[A-Za-z0-9-]{1,100}$/;

/**
 * Conversations, one JSON file each. Every write is atomic and fsynced (write to a temporary
 * file, then rename), so killing the process at any moment leaves each file either as it was
 * or as it was last saved; a half-generated answer is never saved, only finished messages.
 */
export class ConversationStore {
  private readonly _cache = new Map<string, StoredConversation>();
  private _loaded = false;
  private readonly _skipped: string[] = [];

  constructor(
    readonly dir: string,
    private readonly _onDamage?: OnStateDamage,
  ) {}

  private _file(id: string): string {
    if (!ID.test(id)) throw new ConversationNotFoundError(id);
    return join(this.dir, `${id}.json`);
  }

  private async _loadAll(): Promise<void> {
    if (this._loaded) return;
    this._loaded = true;
    let names: string[] = [];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.json'));
    } catch {
      return;
    }
    for (const name of names) {
      const state = await readJsonState(join(this.dir, name), StoredConversationSchema, {
        onDamage: this._onDamage,
        consequence:
          'that conversation is not listed until the file is repaired and renamed back; other chats are untouched.',
      });
      if (state.kind === 'value') this._cache.set(state.value.id, state.value);
      else if (state.kind === 'damaged') this._skipped.push(name);
    }
  }

  /** Files that were damaged and set aside as `<name>.damaged-<time>` (kept for the user to inspect). */
  get skipped(): readonly string[] {
    return this._skipped;
  }

  async list(): Promise<ConversationSummary[]> {
    await this._loadAll();
    return [...this._cache.values()]
      .map(({ id, title, createdAt, updatedAt, messages }) => ({
        id,
        title,
        createdAt,
        updatedAt,
        messageCount: messages.length,
      }))
      .sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async all(): Promise<StoredConversation[]> {
    await this._loadAll();
    return [...this._cache.values()];
  }

  async get(id: string): Promise<StoredConversation> {
    await this._loadAll();
    const found = this._cache.get(id);
    if (!found) throw new ConversationNotFoundError(id);
    return found;
  }

  async save(conversation: StoredConversation): Promise<void> {
    await this._loadAll();
    await mkdir(this.dir, { recursive: true });
    conversation.updatedAt = Date.now();
    await writeFileAtomic(this._file(conversation.id), JSON.stringify(conversation), { fsync: true });
    this._cache.set(conversation.id, conversation);
  }

  async remove(id: string): Promise<void> {
    await this._loadAll();
    await rm(this._file(id), { force: true });
    this._cache.delete(id);
  }
}

export function newConversation(id: string, firstText: string): StoredConversation {
  const now = Date.now();
  return { id, title: titleFrom(firstText), createdAt: now, updatedAt: now, messages: [], network: null };
}

function titleFrom(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 57).trimEnd()}...` : line || 'New chat';
}

export type { ChatMessage };
