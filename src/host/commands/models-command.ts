import type { Command } from 'commander';
import { createEngine, defaultDataDir, type Engine } from '../../core';
import type { CatalogItem, DownloadProgress, InstalledModel, ModelRole } from '../../shared/contract/models';
import { print, printable, printableJson } from '../terminal-text';

const ROLES: readonly ModelRole[] = ['chat', 'embedding', 'reranker'];

function size(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

const FIT_LABEL = { gpu: 'fits on GPU', ram: 'fits in RAM', 'too-large': 'too large' } as const;

async function withEngine<T>(run: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await createEngine({ dataDir: defaultDataDir() });
  try {
    return await run(engine);
  } finally {
    await engine.dispose();
  }
}

export function registerModels(program: Command): void {
  const models = program.command('models').description('List, download, import and delete local GGUF models.');

  models
    .command('list')
    .description('Installed models (with --catalog: the curated catalog and how each fits this machine).')
    .option('--catalog', 'show the catalog instead')
    .option('--json', 'print JSON')
    .action(async (options: { catalog?: boolean; json?: boolean }) =>
      withEngine(async (engine) => {
        const ctx = { door: 'cli' as const };
        if (options.catalog) {
          const items = (await engine.dispatch('models.catalog', {}, ctx)) as CatalogItem[];
          if (options.json) return print(printableJson(items, 2));
          for (const i of items) {
            print(
              `${i.id.padEnd(30)} ${i.role.padEnd(9)} ${size(i.bytes).padStart(9)}  ${FIT_LABEL[i.fit.verdict]}${i.installed ? '  (installed)' : ''}`,
            );
          }
          return;
        }
        const list = (await engine.dispatch('models.installed', {}, ctx)) as InstalledModel[];
        if (options.json) return print(printableJson(list, 2));
        if (list.length === 0)
          return print('No models installed. Try `hearth models list --catalog` and `hearth models pull <id>`.');
        const chosen = engine.settings.get().models;
        for (const m of list) {
          const mark = m.file === chosen.chatModel || m.file === chosen.embeddingModel ? '*' : ' ';
          print(
            `${mark} ${m.file.padEnd(40)} ${m.role.padEnd(9)} ${size(m.bytes).padStart(9)}  ${m.fit ? FIT_LABEL[m.fit.verdict] : ''}`,
          );
        }
      }),
    );

  models
    .command('pull <catalogId>')
    .description('Download a catalog model (resumable; verified by SHA-256).')
    .action(async (catalogId: string) =>
      withEngine(async (engine) => {
        let last: DownloadProgress | null = null;
        const off = engine.events.on('models.downloadProgress', (p) => {
          last = p;
          const pct = p.progress.total ? ` ${((100 * p.progress.done) / p.progress.total).toFixed(1)}%` : '';
          const eta = p.progress.etaSeconds !== null ? ` ETA ${Math.round(p.progress.etaSeconds)}s` : '';
          process.stderr.write(`\r${printable(`${p.file}: ${p.state}${pct} ${size(p.bytesPerSecond)}/s${eta}   `)}`);
        });
        const download = engine.ai.models.download(catalogId, { chooseWhenDone: true });
        const cancel = () => engine.ai.models.cancelDownload(download.id);
        process.once('SIGINT', cancel);
        await download.done;
        process.off('SIGINT', cancel);
        off();
        process.stderr.write('\n');
        const final = last as DownloadProgress | null;
        if (final?.state !== 'done')
          throw new Error(final?.error?.message ?? 'The download was cancelled; run the same command to resume.');
        print(`Installed ${final.file}.`);
      }),
    );

  models
    .command('import <path>')
    .description('Copy a local GGUF file into the models folder after checking it is complete.')
    .option('--role <role>', `chat, embedding or reranker (default: from the file's metadata)`)
    .action(async (path: string, options: { role?: string }) =>
      withEngine(async (engine) => {
        if (options.role && !ROLES.includes(options.role as ModelRole))
          throw new Error(`--role must be one of ${ROLES.join(', ')}.`);
        const m = (await engine.dispatch(
          'models.import',
          { path, ...(options.role ? { role: options.role } : {}) },
          { door: 'cli' },
        )) as InstalledModel;
        print(`Imported ${m.file} as a ${m.role} model (${size(m.bytes)}).`);
      }),
    );

  models
    .command('use <file>')
    .description('Choose an installed model for its role (chat or embedding).')
    .action(async (file: string) =>
      withEngine(async (engine) => {
        const list = (await engine.dispatch('models.installed', {}, { door: 'cli' })) as InstalledModel[];
        const m = list.find((x) => x.file === file);
        if (!m) throw new Error(`${file} is not installed; see \`hearth models list\`.`);
        if (m.role === 'reranker') throw new Error('Rerankers are used automatically by answers over files.');
        await engine.settings.update({ models: m.role === 'chat' ? { chatModel: file } : { embeddingModel: file } });
        print(`Using ${file} as the ${m.role} model.`);
      }),
    );

  models
    .command('rm <file>')
    .description('Delete an installed model.')
    .action(async (file: string) =>
      withEngine(async (engine) => {
        await engine.dispatch('models.remove', { file }, { door: 'cli' });
        print(`Deleted ${file}.`);
      }),
    );
}
