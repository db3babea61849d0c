import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import * as v from 'valibot';
import writeFileAtomic from 'write-file-atomic';
import { readJsonState, type OnStateDamage } from '../state';
import { LibraryError } from './errors';
import type { DocumentRow } from './store';

const StoredCollectionSchema = v.object({
  id: v.string(),
  name: v.string(),
  sources: v.array(v.string()),
  indexedAt: v.nullable(v.number()),
});
export type StoredCollection = v.InferOutput<typeof StoredCollectionSchema>;

/** The user's collections as `collections.json` keeps them: names, sources, when last indexed. */
export class CollectionBook {
  private constructor(
    private readonly _file: string,
    private _list: StoredCollection[],
  ) {}

  /** collections.json, or (when it was damaged) the collections found again in the index's documents. */
  static async open(
    dir: string,
    options: { onDamage?: OnStateDamage; documents: () => Promise<DocumentRow[]> },
  ): Promise<CollectionBook> {
    const file = join(dir, 'collections.json');
    const state = await readJsonState(file, v.array(StoredCollectionSchema), {
      onDamage: options.onDamage,
      consequence:
        'the library listed its collections again from the index as "Recovered collection N", with their documents still searchable; rename them and add their folders again in Library.',
    });
    if (state.kind === 'value') return new CollectionBook(file, state.value);
    if (state.kind === 'missing') return new CollectionBook(file, []);
    const ids = [...new Set((await options.documents()).map((d) => d.collection))];
    const recovered = ids.map((id, i) => ({ id, name: `Recovered collection ${i + 1}`, sources: [], indexedAt: null }));
    const book = new CollectionBook(file, recovered);
    await book.save();
    return book;
  }

  get all(): readonly StoredCollection[] {
    return this._list;
  }

  byId(id: string): StoredCollection | undefined {
    return this._list.find((c) => c.id === id);
  }

  /** By id, then by name; undefined when neither matches. */
  lookup(ref: string): StoredCollection | undefined {
    return this.byId(ref) ?? this._list.find((c) => c.name === ref);
  }

  /** By id or name, or a LibraryError the user can act on. */
  find(ref: string): StoredCollection {
    const found = this.lookup(ref);
    if (!found) throw new LibraryError(`There is no collection named "${ref}"; create it by adding a folder to it.`);
    return found;
  }

  /** The collection's name, or its id for chunks of one that is gone. */
  nameOf(id: string): string {
    return this.byId(id)?.name ?? id;
  }

  /** Refuses a name another collection (than `except`) already has. */
  checkFree(name: string, except?: StoredCollection): void {
    if (this._list.some((c) => c !== except && c.name === name))
      throw new LibraryError(`A collection named "${name}" already exists; pick another name.`);
  }

  /** A new empty collection (not saved yet). */
  add(name: string): StoredCollection {
    const collection: StoredCollection = { id: randomUUID(), name, sources: [], indexedAt: null };
    this._list.push(collection);
    return collection;
  }

  remove(collection: StoredCollection): void {
    this._list = this._list.filter((c) => c !== collection);
  }

  save(): Promise<void> {
    return writeFileAtomic(this._file, JSON.stringify(this._list, null, 2));
  }
}
