import { describe, expect, it } from 'vitest';
import { DisposeStack, StackOwner } from '../../../src/core/dispose-stack';

describe('DisposeStack', () => {
  it('closes what was registered in exact reverse order, awaiting each', async () => {
    const order: string[] = [];
    const stack = new DisposeStack();
    stack.use({ dispose: async () => void order.push('runtime') });
    stack.defer(() => void order.push('timer'));
    stack.use({
      dispose: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push('service');
      },
    });
    await stack.dispose();
    expect(order).toEqual(['service', 'timer', 'runtime']);
  });

  it('closes every target when one fails, then throws the first failure', async () => {
    const order: string[] = [];
    const stack = new DisposeStack();
    stack.defer(() => void order.push('first'));
    stack.defer(() => {
      throw new Error('second failed');
    });
    stack.defer(() => {
      throw new Error('third failed');
    });
    await expect(stack.dispose()).rejects.toThrow('third failed');
    expect(order).toEqual(['first']);
  });

  it('disposes once, however often it is asked, and refuses new targets after', async () => {
    let calls = 0;
    const stack = new DisposeStack('The library');
    stack.defer(() => void calls++);
    await Promise.all([stack.dispose(), stack.dispose()]);
    await stack.dispose();
    expect(calls).toBe(1);
    expect(stack.disposed).toBe(true);
    expect(() => stack.defer(() => undefined)).toThrow(/The library has been closed/);
  });

  it('gives a StackOwner its disposed, dispose and asyncDispose from its stack', async () => {
    const closed: string[] = [];
    class Service extends StackOwner {
      constructor() {
        super('The service');
        this._stack.defer(() => void closed.push('context'));
        this._stack.defer(() => void closed.push('answers'));
      }
    }
    {
      await using service = new Service();
      expect(service.disposed).toBe(false);
    }
    expect(closed).toEqual(['answers', 'context']);
  });
});
