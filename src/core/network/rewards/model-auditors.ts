import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { modelSha256, TokenAuditor } from '../audit';

/** A model file this node holds, named by its sha256 (what an offered model is to rewards). */
export interface ModelCopy {
  sha256: string;
  path: string;
}

/**
 * The token auditors this node can run: one per model it has a copy of (offered models, whose
 * hashes are known, and GGUF files in the models folder, hashed the first time a job needs a
 * model that is not offered). Loaded on first use, one CPU thread each.
 */
export class ModelAuditors {
  private readonly _auditors = new Map<string, Promise<TokenAuditor | null>>();
  private readonly _hashes = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

  constructor(
    private readonly _offered: () => readonly ModelCopy[],
    private readonly _modelsDir: string,
  ) {}

  auditorFor(sha256: string): Promise<TokenAuditor | null> {
    let auditor = this._auditors.get(sha256);
    if (!auditor) {
      auditor = this._find(sha256).then((path) =>
        path ? TokenAuditor.load({ modelPath: path, modelHash: sha256 }) : null,
      );
      // A miss or a failed load is retried later: the user may download the model meanwhile.
      auditor.then(
        (a) => a ?? this._auditors.delete(sha256),
        () => this._auditors.delete(sha256),
      );
      this._auditors.set(sha256, auditor);
    }
    return auditor;
  }

  private async _find(sha256: string): Promise<string | null> {
    const offered = this._offered().find((m) => m.sha256 === sha256);
    if (offered) return offered.path;
    // No models folder yet: no local copy to audit with.
    const files = await readdir(this._modelsDir).catch(() => [] as string[]);
    for (const name of files.filter((f) => f.endsWith('.gguf'))) {
      const path = join(this._modelsDir, name);
      // A file removed while the folder is read is simply not a candidate.
      const info = await stat(path).catch(() => null);
      if (!info) continue;
      let known = this._hashes.get(path);
      if (!known || known.size !== info.size || known.mtimeMs !== info.mtimeMs) {
        known = { size: info.size, mtimeMs: info.mtimeMs, sha256: await modelSha256(path) };
        this._hashes.set(path, known);
      }
      if (known.sha256 === sha256) return path;
    }
    return null;
  }

  async dispose(): Promise<void> {
    const auditors = [...this._auditors.values()];
    this._auditors.clear();
    // An auditor that never loaded has nothing to dispose (its audits already said why).
    await Promise.all(auditors.map(async (a) => (await a.catch(() => null))?.dispose()));
  }
}
