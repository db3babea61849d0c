import { describe, expect, it } from 'vitest';
import { createDispatch, toWireError } from '../../src/core/doors/dispatch';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';

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
    const refused = await dispatch('settings.update', { chat: { temperature: 9 } }, context).catch((e: unknown) => e);
    const words = 'chat.temperature must be between 0 and 2; 9 is not.';
    expect(refused).toMatchObject({ name: 'InvalidInputError', message: words });
    // The same words travel as data, with the field's path, for a form to place them.
    expect(toWireError(refused)).toEqual({
      name: 'InvalidInputError',
      message: words,
      issues: [{ path: 'chat.temperature', message: words }],
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

  it('refuses output that breaks the contract, as a bug to report, without the values', async () => {
    const broken = await dispatch('app.info', {}, context).catch((e: unknown) => e);
    expect(broken).toMatchObject({
      name: 'InvalidOutputError',
      message: expect.stringMatching(/^Hearth answered app\.info with a result its contract does not allow, at version \(missing\)/) as unknown,
    });
    expect(toWireError(broken)).not.toHaveProperty('issues');
  });
});
