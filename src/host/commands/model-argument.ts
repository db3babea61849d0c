import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { HearthApi } from '../../shared/contract';
import type { ModelRole } from '../../shared/contract/models';
import { printError } from '../terminal-text';

/** A file name alone (`qwen.gguf`) names an installed model; anything with a folder in it is a path. */
function isPathLike(value: string): boolean {
  return /[/\\]/.test(value);
}

/**
 * The installed model file a `--model` option means: an installed file name as it is, or a
 * path to a GGUF file, which is the installed model of that file when it is one (same place,
 * or same name and size) and is otherwise imported once, as `hearth models import` would.
 */
export async function modelFileFor(api: HearthApi, value: string, role: ModelRole): Promise<string> {
  const installed = await api.models.installed();
  if (!isPathLike(value) && installed.some((m) => m.file === value)) return value;
  const fileHere = isPathLike(value) ? resolve(value) : await existingFile(resolve(value));
  if (fileHere === null) return value; // a name: the engine says so if it is not installed
  const size = (await stat(fileHere)).size;
  const same = installed.find((m) => m.path === fileHere || (m.file === basename(fileHere) && m.bytes === size));
  if (same) return same.file;
  printError(`Importing ${basename(fileHere)} into the models folder (once; \`hearth models list\` shows it after).`);
  return (await api.models.import({ path: fileHere, role })).file;
}

/** The path when a file is there, else null (so `--model x.gguf` in the models folder's name still works). */
async function existingFile(path: string): Promise<string | null> {
  // Missing or unreadable: not a path, so the argument is read as an installed file's name.
  const info = await stat(path).catch(() => null);
  return info?.isFile() ? path : null;
}
