import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import writeFileAtomic from 'write-file-atomic';
import { AskAnswerSchema, type AskAnswer, type AskSummary } from '../../shared/contract/ask';
import { readJsonState, type OnStateDamage } from '../state';

const StoredAskSchema = v.object({ askedAt: v.number(), answer: AskAnswerSchema });
type StoredAsk = v.InferOutput<typeof StoredAskSchema>;

const ID = /^[A-Za-z0-9-]{1,100}$/;
/** Asks kept; older ones are removed as new ones are saved. */
const KEEP = 200;

/**
 * Finished asks with their sources, one JSON file each under `<data>/asks`, written atomically,
 * so they can be reopened after a restart. A damaged file is set aside and left out of the list.
 */
export class AskHistory {
  private readonly _cache = new Map<string, StoredAsk>();
  private _loaded: Promise<void> | null = null;

  constructor(
    readonly dir: string,
    private readonly _onDamage?: OnStateDamage,
  ) {}

  private _load(): Promise<void> {
    this._loaded ??= (async () => {
      // No history folder yet means no past answers.
      const names = await readdir(this.dir).catch(() => [] as string[]);
      for (const name of names.filter((n) => n.endsWith('.json'))) {
        const state = await readJsonState(join(this.dir, name), StoredAskSchema, {
          onDamage: this._onDamage,
          consequence: 'that question is left out of the Ask history; other asks are untouched.',
        });
        if (state.kind === 'value') this._cache.set(state.value.answer.answerId, state.value);
      }
    })();
    return this._loaded;
  }

  async list(): Promise<AskSummary[]> {
    await this._load();
    return [...this._cache.values()]
      .sort((a, b) => b.askedAt - a.askedAt)
      .map(({ askedAt, answer }) => ({
        answerId: answer.answerId,
        question: answer.question,
        outcome: answer.outcome,
        askedAt,
        sources: answer.sources.length,
      }));
  }

  async get(answerId: string): Promise<AskAnswer | null> {
    await this._load();
    return this._cache.get(answerId)?.answer ?? null;
  }

  async save(answer: AskAnswer): Promise<void> {
    if (!ID.test(answer.answerId)) return;
    await this._load();
    await mkdir(this.dir, { recursive: true });
    const stored = { askedAt: Date.now(), answer };
    await writeFileAtomic(join(this.dir, `${answer.answerId}.json`), JSON.stringify(stored), { fsync: true });
    this._cache.set(answer.answerId, stored);
    const old = [...this._cache.values()].sort((a, b) => b.askedAt - a.askedAt).slice(KEEP);
    for (const { answer: gone } of old) await this.remove(gone.answerId);
  }

  async remove(answerId: string): Promise<void> {
    if (!ID.test(answerId)) return;
    await this._load();
    await rm(join(this.dir, `${answerId}.json`), { force: true });
    this._cache.delete(answerId);
  }
}
