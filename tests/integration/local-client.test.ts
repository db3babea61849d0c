import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, createLocalClient, type Engine } from '../../src/core';
import { contract, eventMethodName, type HearthApi } from '../../src/shared/contract';
import { isHearthError } from '../../src/shared/contract/error-names';
import { tempDir } from '../helpers/temp-dir';

describe('the in-process client', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let api: HearthApi;

  beforeAll(async () => {
    dir = await tempDir();
    engine = await createEngine({ dataDir: dir.path });
    api = createLocalClient(engine);
  });
  afterAll(async () => {
    await engine.dispose();
    await dir.cleanup();
  });

  it('has exactly the contract’s calls and subscriptions, as the preload exposes them', () => {
    expect(Object.keys(api).sort()).toEqual(Object.keys(contract).sort());
    for (const [ns, spec] of Object.entries(contract)) {
      const expected = [...Object.keys(spec.calls), ...Object.keys(spec.events).map(eventMethodName)];
      expect(Object.keys(api[ns as keyof HearthApi]).sort(), ns).toEqual(expected.sort());
    }
  });

  it('checks input and output at dispatch, and fails with a declared error name', async () => {
    const settings = await api.settings.update({ models: { threads: 1 } });
    expect(settings.models.threads).toBe(1);
    const refused = await api.settings.update({ chat: { temperature: 5 } }).catch((error: unknown) => error);
    expect(isHearthError(refused, 'InvalidInputError')).toBe(true);
    const missing = await api.models.remove({ file: 'nothing-here.gguf' }).catch((error: unknown) => error);
    expect(isHearthError(missing, 'ModelNotInstalledError')).toBe(true);
  });

  it('delivers typed events, only to subscribers of that event, until they unsubscribe', async () => {
    const threads: number[] = [];
    const notices: unknown[] = [];
    const stop = api.settings.onChanged((settings) => threads.push(settings.models.threads));
    const stopNotices = api.app.onNotice((notice) => notices.push(notice));
    await api.settings.update({ models: { threads: 2 } });
    stop();
    await api.settings.update({ models: { threads: 3 } });
    stopNotices();
    expect(threads).toEqual([2]);
    expect(notices).toEqual([]);
  });
});
