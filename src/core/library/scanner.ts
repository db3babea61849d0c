import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import picomatch from 'picomatch';

export interface ScannedFile {
  path: string;
  bytes: number;
  mtime: number;
}

export interface ScanProblem {
  path: string;
  state: 'error' | 'skipped';
  message: string;
}

export interface ScanOptions {
  /** Extra user globs (matched against the path relative to the source, and the base name). */
  ignore?: readonly string[];
  signal?: AbortSignal;
}

const ALWAYS_IGNORED = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.DS_Store', 'Thumbs.db']);

/** Whether a path is left out of the library: hidden files, VCS and dependency folders, user globs. */
export function ignoreMatcher(globs: readonly string[] = []): (path: string, root: string) => boolean {
  const user = globs.length > 0 ? picomatch([...globs], { dot: true, basename: false }) : null;
  const userBase = globs.length > 0 ? picomatch([...globs], { dot: true, basename: true }) : null;
  return (path, root) => {
    const rel = relative(root, path);
    if (!rel || rel.startsWith('..')) return false;
    for (const part of rel.split(sep)) {
      if (part.startsWith('.') || ALWAYS_IGNORED.has(part)) return true;
    }
    return Boolean(user?.(rel.split(sep).join('/')) || userBase?.(basename(path)));
  };
}

/**
 * Lists the files under a source (a folder or a single file), following symbolic links but
 * detecting loops by real path, and reporting folders it cannot enter instead of failing.
 */
export async function scanSource(
  source: string,
  options: ScanOptions = {},
): Promise<{ files: ScannedFile[]; problems: ScanProblem[] }> {
  const ignored = ignoreMatcher(options.ignore);
  const files: ScannedFile[] = [];
  const problems: ScanProblem[] = [];
  const seenDirs = new Set<string>();

  const visit = async (path: string, ancestors: ReadonlySet<string>): Promise<void> => {
    options.signal?.throwIfAborted();
    if (ignored(path, source)) return;
    let info;
    try {
      const link = await lstat(path);
      info = link.isSymbolicLink() ? await stat(path) : link;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push({
        path,
        state: 'error',
        message:
          code === 'ENOENT'
            ? 'This is a link to something that no longer exists; fix or delete the link.'
            : code === 'ELOOP'
              ? 'This link points back into itself (a symbolic link loop); Hearth skipped it.'
              : `Hearth cannot read this (${code ?? 'error'}); check its permissions.`,
      });
      return;
    }
    if (info.isDirectory()) {
      const real = await realpath(path).catch(() => path);
      if (ancestors.has(real) || seenDirs.has(real)) {
        problems.push({
          path,
          state: 'skipped',
          message: ancestors.has(real)
            ? 'This folder link points back to a folder that contains it (a symbolic link loop); Hearth skipped it.'
            : 'This folder is reached through another link too; Hearth indexed it once.',
        });
        return;
      }
      seenDirs.add(real);
      let entries: string[];
      try {
        // Names as bytes: a name that is not UTF-8 (from an old disk or another system) would come
        // back with replacement characters, naming a file that does not exist.
        const raw = await readdir(path, { encoding: 'buffer' });
        entries = [];
        for (const name of raw) {
          const text = name.toString('utf8');
          if (Buffer.from(text, 'utf8').equals(name)) entries.push(text);
          else {
            problems.push({
              path: join(path, text),
              state: 'skipped',
              message:
                'This name is not valid UTF-8 text (it was probably made on another system), so Hearth cannot open it by name; rename the file to index it.',
            });
          }
        }
      } catch (error) {
        problems.push({
          path,
          state: 'error',
          message: `Hearth cannot open this folder (${(error as NodeJS.ErrnoException).code ?? 'error'}); check its permissions.`,
        });
        return;
      }
      const next = new Set(ancestors).add(real);
      for (const entry of entries.sort()) await visit(join(path, entry), next);
      return;
    }
    // Pipes, sockets and devices are listed as files by some tools but reading them can block forever.
    if (!info.isFile()) {
      problems.push({
        path,
        state: 'skipped',
        message: 'This is not a regular file (a pipe, socket or device), so it cannot be read as a document.',
      });
      return;
    }
    files.push({ path, bytes: info.size, mtime: Math.floor(info.mtimeMs) });
  };

  await visit(source, new Set());
  return { files, problems };
}
