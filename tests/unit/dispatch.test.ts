import { describe, expect, it } from 'vitest';
import { createDispatch } from '../../src/core/doors/dispatch';
import { describeIssues } from '../../src/shared/issues';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import * as v from 'valibot';

const context = { door: 'socket' } as const;

describe('createDispatch', () => {
  const calls: unknown[] = [];
  const dispatch = createDispatch({
    settings: {
      get: async () => DEFAULT_SETTINGS,
      update: async (patch) => {
        calls.push(patch);
        return DEFAULT_SETTINGS;
      },
    },
    app: {
      // Breaks the contract on purpose: the dispatcher must not pass it on.
      info: async () => ({ name: 'Hearth' }) as never,
    },
  });

  it('passes valid input to the service and returns its output', async () => {
    await expect(dispatch('settings.update', { chat: { temperature: 1 } }, context)).resolves.toEqual(DEFAULT_SETTINGS);
    expect(calls).toEqual([{ chat: { temperature: 1 } }]);
  });

  it('refuses input that breaks the schema, naming the field, without calling the service', async () => {
    calls.length = 0;
    await expect(dispatch('settings.update', { chat: { temperature: 9 } }, context)).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('chat.temperature'),
    });
    await expect(dispatch('settings.update', { unknownSection: {} }, context)).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
    await expect(dispatch('settings.update', 'not an object', context)).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
    expect(calls).toEqual([]);
  });

  it('refuses calls the contract does not declare', async () => {
    for (const method of ['settings.drop', 'nope.get', 'settings', 'settings.get.extra', '__proto__.get', 'settings.constructor']) {
      await expect(dispatch(method, {}, context)).rejects.toMatchObject({ name: 'UnknownCallError' });
    }
  });

  it('says plainly when a declared call is not built yet', async () => {
    await expect(dispatch('settings.reset', {}, context)).rejects.toMatchObject({
      name: 'NotImplementedError',
      message: 'settings.reset is not available in this version of Hearth yet.',
    });
  });

  it('refuses output that breaks the contract', async () => {
    await expect(dispatch('app.info', {}, context)).rejects.toMatchObject({ name: 'InvalidOutputError' });
  });
});

describe('describeIssues', () => {
  it('names the path of each issue', () => {
    const result = v.safeParse(v.object({ a: v.object({ b: v.number() }) }), { a: { b: 'x' } });
    expect(result.success).toBe(false);
    if (!result.success) expect(describeIssues(result.issues)).toMatch(/^a\.b: /);
  });
});
