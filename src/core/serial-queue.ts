/**
 * Runs tasks one at a time, in the order they arrive; a task that fails does not stop the ones
 * queued after it. For resources that serve one caller at a time (a context sequence, a file).
 */
export class SerialQueue {
  private _tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this._tail.then(task);
    // The tail only orders tasks; each caller gets its own task's failure from `result`.
    this._tail = result.catch(() => undefined);
    return result;
  }

  /** Settles when every task queued so far has settled. */
  async idle(): Promise<void> {
    await this._tail;
  }
}
