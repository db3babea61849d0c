import { resolve } from 'node:path';
import { LocalAi } from '../../../src/core/engine';
import { EventBus } from '../../../src/core/events';
import { createLogger } from '../../../src/core/log';
import { createSecretStore } from '../../../src/core/secrets';
import { SettingsStore } from '../../../src/core/settings';
import type { SettingsPatch } from '../../../src/shared/settings';
import { tempDir } from '../../helpers/temp-dir';

export const SHARED_MODELS = resolve('../shared/models');
export const STORIES = resolve(SHARED_MODELS, 'stories260K.gguf');
export const TINY_LLAMA = resolve(SHARED_MODELS, 'llama-2-tiny-random.gguf');

/** A LocalAi on a temp data folder with real settings, events and secrets, CPU only. */
export async function openLocalAi(patch: SettingsPatch = {}) {
  const dir = await tempDir('hearth-chat-');
  const events = new EventBus();
  const settings = await SettingsStore.open({
    file: resolve(dir.path, 'settings.json'),
    onChange: (next) => events.emit('settings.changed', next),
  });
  // One thread: the test machine has 2 cores and other suites run beside this one.
  await settings.update({ models: { threads: 1 }, ...patch });
  const { log, close } = createLogger({ dir: resolve(dir.path, 'logs'), level: 'warn' });
  const secrets = createSecretStore({ dir: resolve(dir.path, 'secrets') });
  const ai = new LocalAi({ dataDir: dir.path, settings, events, log, secrets, gpu: false });
  return {
    ai,
    events,
    settings,
    dataDir: dir.path,
    async close() {
      await ai.dispose();
      await settings.dispose();
      await close();
      await dir.cleanup();
    },
  };
}
