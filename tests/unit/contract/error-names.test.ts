import { describe, expect, it } from 'vitest';
import { contract } from '../../../src/shared/contract';
import { hearthErrorNames, isHearthError } from '../../../src/shared/contract/error-names';
import { RemoteError } from '../../../src/shared/errors';
import { ModelNotInstalledError } from '../../../src/core/models/errors/model-not-installed-error';

describe('declared error names', () => {
  it('are declared per namespace, with the doors’ own names beside them', () => {
    expect(contract.models.errors).toContain('ModelNotInstalledError');
    expect(contract.settings.errors).toEqual([]);
    expect(hearthErrorNames.has('InvalidInputError')).toBe(true);
    expect(hearthErrorNames.has('DataFolderInUseError')).toBe(true);
    expect(hearthErrorNames.has('ModelNotInstalledError')).toBe(true);
    expect(hearthErrorNames.has('Error')).toBe(false);
  });

  it('match by name, whether the error was thrown here or rebuilt from the wire', () => {
    expect(isHearthError(new ModelNotInstalledError('x.gguf'), 'ModelNotInstalledError')).toBe(true);
    expect(isHearthError(new RemoteError('ModelNotInstalledError', 'gone'), 'ModelNotInstalledError')).toBe(true);
    expect(isHearthError(new RemoteError('DiskFullError', 'full'), 'ModelNotInstalledError')).toBe(false);
    expect(isHearthError('ModelNotInstalledError', 'ModelNotInstalledError')).toBe(false);
    expect(isHearthError(null, 'InvalidInputError')).toBe(false);
  });

  it('name every error class of the models namespace', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const dir = new URL('../../../src/core/models/errors/', import.meta.url);
    for (const file of await readdir(dir)) {
      const name = /readonly name = '(\w+)'/.exec(await readFile(new URL(file, dir), 'utf8'))?.[1];
      if (name) expect(contract.models.errors as readonly string[], `${file} declares ${name}`).toContain(name);
    }
  });
});
