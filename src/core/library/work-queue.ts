import * as v from 'valibot';
import writeFileAtomic from 'write-file-atomic';
import { readJsonState, type OnStateDamage } from '../state';

/** One unit of persisted work. */
export type WorkItem =
  | { op: 'scan'; collection: string; force: boolean }
  | { op: 'index'; collection: string; path: string; force: boolean }
  | { op: 'delete'; collection: string; path: string }
  | { op: 'problem'; collection: string; path: string; state: 'error' | 'skipped'; message: string };

const WorkItemSchema = v.variant('op', [
  v.object({ op: v.literal('scan'), collection: v.string(), force: v.boolean() }),
  v.object({ op: v.literal('index'), collection: v.string(), path: v.string(), force: v.boolean() }),
  v.object({ op: v.literal('delete'), collection: v.string(), path: v.string() }),
  v.object({
    op: v.literal('problem'),
    collection: v.string(),
    path: v.string(),
    state: v.picklist(['error', 'skipped']),
    message: v.string(),
  }),
]);

function itemKey(item: WorkItem): string {
  return item.op === 'scan'
    ? `scan:${item.collection}`
    : `${item.op === 'delete' ? 'd' : 'f'}:${item.collection}:${item.path}`;
}

/**
 * The library's to-do list, written atomically to disk whenever it changes, so a killed
 * process resumes where it stopped. Items are removed only after their results are in the
 * index, and one path is queued at most once per collection.
 */
export class WorkQueue {
  private _items = new Map<string, WorkItem>();
  private _saving: Promise<void> = Promise.resolve();
  private _dirty = false;

  private constructor(private readonly _file: string) {}

  static async open(file: string, onDamage?: OnStateDamage): Promise<WorkQueue> {
    const queue = new WorkQueue(file);
    const state = await readJsonState(file, v.array(WorkItemSchema), {
      onDamage,
      consequence:
        'the library starts with no pending work; indexed files are untouched, and Re-index in Library finds what was pending.',
    });
    if (state.kind === 'value') for (const item of state.value) queue._items.set(itemKey(item), item);
    return queue;
  }

  /** True when this item (the same op on the same path, or a scan of the collection) is queued. */
  has(item: WorkItem): boolean {
    return this._items.has(itemKey(item));
  }

  get size(): number {
    return this._items.size;
  }

  /** Adds items; a file queued again replaces its earlier entry (an edit after a delete wins). */
  push(items: readonly WorkItem[]): void {
    for (let item of items) {
      const key = itemKey(item);
      const earlier = this._items.get(key);
      // A forced rescan stays forced when a plain one is queued behind it.
      if (item.op === 'scan' && earlier?.op === 'scan' && earlier.force) item = { ...item, force: true };
      if (item.op !== 'scan') this._items.delete(`${item.op === 'delete' ? 'f' : 'd'}:${item.collection}:${item.path}`);
      this._items.delete(key);
      this._items.set(key, item);
    }
    this._dirty = true;
  }

  /** The oldest `count` items, scans first, without removing them. */
  peek(count: number, accept: (item: WorkItem) => boolean = () => true): WorkItem[] {
    const out: WorkItem[] = [];
    for (const item of this._items.values()) {
      if (item.op === 'scan' && accept(item)) return [item];
    }
    for (const item of this._items.values()) {
      if (out.length >= count) break;
      if (item.op !== 'scan' && accept(item)) out.push(item);
    }
    return out;
  }

  /** Removes finished items, unless they were queued again meanwhile (then the newer stays). */
  done(items: readonly WorkItem[]): void {
    for (const item of items) {
      const key = itemKey(item);
      if (this._items.get(key) === item) this._items.delete(key);
    }
    this._dirty = true;
  }

  drop(predicate: (item: WorkItem) => boolean): void {
    for (const [key, item] of this._items) if (predicate(item)) this._items.delete(key);
    this._dirty = true;
  }

  count(predicate: (item: WorkItem) => boolean): number {
    let n = 0;
    for (const item of this._items.values()) if (predicate(item)) n++;
    return n;
  }

  /** Writes the queue to disk (atomically; calls coalesce). */
  save(): Promise<void> {
    if (!this._dirty) return this._saving;
    this._dirty = false;
    const snapshot = JSON.stringify([...this._items.values()]);
    this._saving = this._saving.then(() => writeFileAtomic(this._file, snapshot));
    return this._saving;
  }
}
