import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../src/core/library/work-queue';
import { tempDir } from '../../helpers/temp-dir';

describe('the persisted work queue', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.cleanup());

  it('survives a reopen, queues a path once, and keeps a newer entry over a finished older one', async () => {
    const file = join(dir.path, 'queue.json');
    const queue = await WorkQueue.open(file);
    queue.push([
      { op: 'index', collection: 'c', path: '/a', force: false },
      { op: 'index', collection: 'c', path: '/a', force: false },
      { op: 'delete', collection: 'c', path: '/b' },
    ]);
    expect(queue.size).toBe(2);
    const [first] = queue.peek(1);
    queue.push([{ op: 'index', collection: 'c', path: '/a', force: true }]);
    queue.done([first!]);
    expect(queue.size).toBe(2);
    await queue.save();
    const reopened = await WorkQueue.open(file);
    expect(reopened.peek(10)).toEqual([
      { op: 'delete', collection: 'c', path: '/b' },
      { op: 'index', collection: 'c', path: '/a', force: true },
    ]);
  });

  it('hands out scans first and keeps a forced scan forced', async () => {
    const queue = await WorkQueue.open(join(dir.path, 'q.json'));
    queue.push([{ op: 'index', collection: 'c', path: '/a', force: false }]);
    queue.push([{ op: 'scan', collection: 'c', force: true }]);
    queue.push([{ op: 'scan', collection: 'c', force: false }]);
    expect(queue.peek(5)).toEqual([{ op: 'scan', collection: 'c', force: true }]);
  });

  it('deleting a file cancels its pending index entry', async () => {
    const queue = await WorkQueue.open(join(dir.path, 'q.json'));
    queue.push([{ op: 'index', collection: 'c', path: '/a', force: false }]);
    queue.push([{ op: 'delete', collection: 'c', path: '/a' }]);
    expect(queue.peek(5)).toEqual([{ op: 'delete', collection: 'c', path: '/a' }]);
  });
});
