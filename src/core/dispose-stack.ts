import { DisposedError, type Disposable } from './disposable';

/** Something a DisposeStack can close: an owner with `dispose()`, or a plain cleanup function. */
export type DisposeTarget = Pick<Disposable, 'dispose'> | { dispose(): void } | (() => unknown);

/**
 * Everything an owner created, closed in exact reverse order of creation (after TC39's
 * AsyncDisposableStack, which Node 22 lacks; lifecycle-utils' AsyncDisposeAggregator closes in
 * creation order, the wrong way round for a parent whose later children use the earlier ones).
 * Every target is closed even when one fails; the first failure is thrown at the end.
 */
export class DisposeStack implements Disposable {
  private _targets: DisposeTarget[] = [];
  private _disposing: Promise<void> | null = null;

  constructor(private readonly _what = 'This object') {}

  /** Registers a target and returns it, so an owner can write `this.x = stack.use(new X())`. */
  use<T extends DisposeTarget>(target: T): T {
    if (this._disposing) throw new DisposedError(this._what);
    this._targets.push(target);
    return target;
  }

  /** Registers a cleanup step (clear a timer, stop a listener, abort a controller). */
  defer(cleanup: () => unknown): void {
    this.use(cleanup);
  }

  get disposed(): boolean {
    return this._disposing !== null;
  }

  dispose(): Promise<void> {
    this._disposing ??= this._disposeAll();
    return this._disposing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private async _disposeAll(): Promise<void> {
    const errors: unknown[] = [];
    for (const target of this._targets.splice(0).reverse()) {
      try {
        await (typeof target === 'function' ? target() : target.dispose());
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}

/**
 * An owner whose resources all live on one DisposeStack: `disposed`, `dispose()` and
 * `[Symbol.asyncDispose]` come from the stack, so each owner only registers what it creates.
 */
export abstract class StackOwner implements Disposable {
  protected readonly _stack: DisposeStack;

  /** `what` names the owner in the DisposedError thrown when it is used after closing. */
  constructor(stack: DisposeStack | string) {
    this._stack = typeof stack === 'string' ? new DisposeStack(stack) : stack;
  }

  get disposed(): boolean {
    return this._stack.disposed;
  }

  dispose(): Promise<void> {
    return this._stack.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
