import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { HearthApi } from '../../shared/contract';
import type { DownloadProgress, ModelRole } from '../../shared/contract/models';
import { withHearth } from '../client/open-hearth';
import { print, printable, printableJson } from '../terminal-text';

const ROLES: readonly ModelRole[] = ['chat', 'embedding', 'reranker'];

function size(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

const FIT_LABEL = { gpu: 'fits on GPU', ram: 'fits in RAM', 'too-large': 'too large' } as const;

function withApi<T>(command: string, run: (api: HearthApi) => Promise<T>): Promise<T> {
  return withHearth({ command: `hearth models ${command}` }, ({ api }) => run(api));
}

export function registerModels(program: Command): void {
  const models = program.command('models').description('List, download, import and delete local GGUF models.');

  models
    .command('list')
    .description('Installed models (with --catalog: the curated catalog and how each fits this machine).')
    .option('--catalog', 'show the catalog instead')
    .option('--json', 'print JSON')
    .action(async (options: { catalog?: boolean; json?: boolean }) =>
      withApi('list', async (api) => {
        if (options.catalog) {
          const items = await api.models.catalog();
          if (options.json) return print(printableJson(items, 2));
          for (const i of items) {
            print(
              `${i.id.padEnd(30)} ${i.role.padEnd(9)} ${size(i.bytes).padStart(9)}  ${FIT_LABEL[i.fit.verdict]}${i.installed ? '  (installed)' : ''}`,
            );
          }
          return;
        }
        const list = await api.models.installed();
        if (options.json) return print(printableJson(list, 2));
        if (list.length === 0)
          return print('No models installed. Try `hearth models list --catalog` and `hearth models pull <id>`.');
        const chosen = (await api.settings.get()).models;
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
      withApi('pull', async (api) => {
        let id: string | null = null;
        let settle: (final: DownloadProgress) => void = () => undefined;
        const finished = new Promise<DownloadProgress>((resolve) => (settle = resolve));
        const early: DownloadProgress[] = [];
        const show = (p: DownloadProgress) => {
          if (p.id !== id) return;
          const pct = p.progress.total ? ` ${((100 * p.progress.done) / p.progress.total).toFixed(1)}%` : '';
          const eta = p.progress.etaSeconds !== null ? ` ETA ${Math.round(p.progress.etaSeconds)}s` : '';
          process.stderr.write(`\r${printable(`${p.file}: ${p.state}${pct} ${size(p.bytesPerSecond)}/s${eta}   `)}`);
          if (p.state === 'done' || p.state === 'failed' || p.state === 'cancelled') settle(p);
        };
        const off = api.models.onDownloadProgress((p) => (id === null ? early.push(p) : show(p)));
        // A cancel that fails found the download already over; its last progress says how it ended.
        const cancel = () => void (id && api.models.cancelDownload({ id }).catch(() => undefined));
        try {
          id = (await api.models.download({ catalogId })).id;
          early.splice(0).forEach(show);
          // A download that finished before this command asked (a second pull) has no more events.
          const already = (await api.models.downloads()).find((d) => d.id === id);
          if (already) show(already);
          process.once('SIGINT', cancel);
          const final = await finished;
          process.stderr.write('\n');
          if (final.state !== 'done')
            throw new Error(final.error?.message ?? 'The download was cancelled; run the same command to resume.');
          const item = (await api.models.catalog()).find((i) => i.id === catalogId);
          const chosen = (await api.settings.get()).models;
          // Like the first-run setup: the first model of a role is the one used.
          if (item?.role === 'chat' && !chosen.chatModel)
            await api.settings.update({ models: { chatModel: final.file } });
          if (item?.role === 'embedding' && !chosen.embeddingModel)
            await api.settings.update({ models: { embeddingModel: final.file } });
          print(`Installed ${final.file}.`);
        } finally {
          process.off('SIGINT', cancel);
          off();
        }
      }),
    );

  models
    .command('import <path>')
    .description('Copy a local GGUF file into the models folder after checking it is complete.')
    .option('--role <role>', `chat, embedding or reranker (default: from the file's metadata)`)
    .option('--change-role', 'when the file is installed with another role, change it')
    .action(async (path: string, options: { role?: string; changeRole?: boolean }) =>
      withApi('import', async (api) => {
        const role = ROLES.find((r) => r === options.role);
        if (options.role && !role) throw new Error(`--role must be one of ${ROLES.join(', ')}.`);
        // The path is the user's, relative to this shell: the engine may run in another folder.
        const m = await api.models.import({
          path: resolve(path),
          ...(role ? { role } : {}),
          ...(options.changeRole ? { changeRole: true } : {}),
        });
        print(`Imported ${m.file} as ${m.role === 'embedding' ? 'an' : 'a'} ${m.role} model (${size(m.bytes)}).`);
      }),
    );

  models
    .command('use <file>')
    .description('Choose an installed model for its role (chat or embedding).')
    .action(async (file: string) =>
      withApi('use', async (api) => {
        const m = (await api.models.installed()).find((x) => x.file === file);
        if (!m) throw new Error(`${file} is not installed; see \`hearth models list\`.`);
        if (m.role === 'reranker') throw new Error('Rerankers are used automatically by answers over files.');
        await api.settings.update({ models: m.role === 'chat' ? { chatModel: file } : { embeddingModel: file } });
        print(`Using ${file} as the ${m.role} model.`);
      }),
    );

  models
    .command('rm <file>')
    .description('Delete an installed model.')
    .action(async (file: string) =>
      withApi('rm', async (api) => {
        await api.models.remove({ file });
        print(`Deleted ${file}.`);
      }),
    );
}
