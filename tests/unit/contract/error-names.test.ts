import { describe, expect, it } from 'vitest';
import { contract } from '../../../src/shared/contract';
import { isHearthError } from '../../../src/shared/contract/error-names';
import { DoorErrorName, RemoteError } from '../../../src/shared/errors';
import { ModelNotInstalledError } from '../../../src/core/models/errors/model-not-installed-error';

describe('declared error names', () => {
  it('are declared per namespace, with the doors’ own names beside them', () => {
    expect(contract.models.errors).toContain('ModelNotInstalledError');
    expect(contract.settings.errors).toEqual([]);
    const doors: string[] = Object.values(DoorErrorName);
    expect(doors).toContain('InvalidInputError');
    expect(doors).toContain('DataFolderInUseError');
    const declared = [...doors, ...Object.values(contract).flatMap((ns) => ns.errors)];
    expect(declared).toContain('ModelNotInstalledError');
    expect(declared).not.toContain('Error');
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
