import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createEngine } from '../../src/core';
import type { SettingsPatch } from '../../src/shared/settings';
import { tempDir } from './temp-dir';

export interface IndexedHomeOptions {
  /** The temp folder's name prefix. */
  prefix: string;
  /** Writes the files to index into this (existing) folder, `<home>/docs`. */
  writeFiles: (docs: string) => Promise<void>;
  /** A GGUF file imported as the chat model and chosen, run on one thread. Default: none. */
  chatModel?: string;
  /** Settings applied before indexing (chunk sizes, answer length). Default: none. */
  settings?: SettingsPatch;
  /** The collection the folder is added to. Default: "research". */
  collection?: string;
}

/**
 * A data folder with a folder of files already indexed, made with the engine in this process (no
 * watcher) the way `hearth index` would, and closed again: the frame for starting a UI session on it.
 */
export async function indexedHome(
  options: IndexedHomeOptions,
): Promise<{ path: string; docs: string; cleanup: () => Promise<void> }> {
  const home = await tempDir(options.prefix);
  const docs = join(home.path, 'docs');
  await mkdir(docs, { recursive: true });
  await options.writeFiles(docs);
  const engine = await createEngine({ dataDir: home.path });
  try {
    const cli = { door: 'cli' as const };
    if (options.chatModel) {
      const model = (await engine.dispatch('models.import', { path: options.chatModel, role: 'chat' }, cli)) as {
        file: string;
      };
      await engine.dispatch('settings.update', { models: { chatModel: model.file, threads: 1 } }, cli);
    }
    if (options.settings) await engine.dispatch('settings.update', options.settings, cli);
    engine.library.configure({ watch: false });
    await engine.dispatch('library.addSource', { collection: options.collection ?? 'research', path: docs }, cli);
    await (await engine.library.get()).whenIdle();
  } finally {
    await engine.dispose();
  }
  return { ...home, docs };
}
