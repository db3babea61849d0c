import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface FolderLoopOptions {
  /** Count `import type` too (a loop of types is still a loop to read through). Default true. */
  types?: boolean;
}

/** Every .ts file under `root`, declarations left out. */
function sources(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(path);
    }
  };
  walk(root);
  return files;
}

/** The file a relative import names: `x.ts`, or `x/index.ts` for a folder. */
function target(from: string, spec: string): string {
  const path = resolve(dirname(from), spec);
  try {
    if (statSync(path).isDirectory()) return join(path, 'index.ts');
  } catch {
    // Not a folder: a module path without its extension.
  }
  return path.endsWith('.ts') ? path : `${path}.ts`;
}

/** The folder-to-folder import graph under `root` (folders relative to it; `.` for root files, each on its own). */
export function folderGraph(root: string, options: FolderLoopOptions = {}): Map<string, Set<string>> {
  const folderOf = (file: string) => {
    const folder = relative(root, dirname(file));
    return folder === '' ? `./${file.split(/[\\/]/).pop()!.replace(/\.ts$/, '')}` : folder.split(/[\\/]/).join('/');
  };
  const edges = new Map<string, Set<string>>();
  for (const file of sources(root)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:import|export)\s+(type\s+)?[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
      if (match[1] && options.types === false) continue;
      const to = target(file, match[2]!);
      if (!to.startsWith(root)) continue;
      const [a, b] = [folderOf(file), folderOf(to)];
      if (a === b) continue;
      if (!edges.has(a)) edges.set(a, new Set());
      edges.get(a)!.add(b);
    }
  }
  return edges;
}

/** Folders that import each other, directly or round a ring: the graph's strongly connected components of two or more. */
export function folderLoops(root: string, options: FolderLoopOptions = {}): string[][] {
  const edges = folderGraph(resolve(root), options);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) loops.push(component.sort());
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return loops;
}
