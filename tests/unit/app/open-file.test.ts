import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  isExecutableFile,
  openAction,
  openCitedFile,
  viewerProcessOpener,
  type FileOpener,
  type SpawnViewer,
} from '../../../src/core/app/open-file';
import { tempDir } from '../../helpers/temp-dir';

const DOCUMENT = 0o100644;
const PROGRAM = 0o100755;

describe('openAction', () => {
  it.each([
    ['C:\\Users\\me\\notes.txt', 'win32'],
    ['C:\\Users\\me\\a&calc.txt', 'win32'],
    ['/home/me/report.pdf', 'linux'],
    ['/Users/me/Paper.DOCX', 'darwin'],
    ['/home/me/README', 'linux'],
  ] as const)('opens the document %s on %s', (path, platform) => {
    expect(openAction(path, { platform, mode: DOCUMENT })).toBe('open');
  });

  it.each([
    // Windows programs and scripts, whatever their case, and with the trailing dots Windows ignores.
    ['C:\\docs\\setup.exe', 'win32'],
    ['C:\\docs\\run.BAT', 'win32'],
    ['C:\\docs\\run.cmd', 'win32'],
    ['C:\\docs\\macro.vbs', 'win32'],
    ['C:\\docs\\tool.js', 'win32'],
    ['C:\\docs\\page.hta', 'win32'],
    ['C:\\docs\\deploy.ps1', 'win32'],
    ['C:\\docs\\shortcut.lnk', 'win32'],
    ['C:\\docs\\invoice.pdf.exe', 'win32'],
    ['C:\\docs\\sneaky.bat.', 'win32'],
    ['C:\\docs\\sneaky.cmd . ', 'win32'],
    // macOS
    ['/Users/me/start.command', 'darwin'],
    ['/Users/me/Thing.app', 'darwin'],
    ['/Users/me/installer.pkg', 'darwin'],
    ['/Users/me/do.scpt', 'darwin'],
    // Linux, and scripts for interpreters any desktop may have registered.
    ['/home/me/install.sh', 'linux'],
    ['/home/me/Tool.AppImage', 'linux'],
    ['/home/me/launcher.desktop', 'linux'],
    ['/home/me/package.deb', 'linux'],
    ['/home/me/script.py', 'linux'],
    ['/home/me/app.jar', 'darwin'],
  ] as const)('reveals the program %s on %s', (path, platform) => {
    expect(openAction(path, { platform, mode: DOCUMENT })).toBe('reveal');
  });

  it('reveals any file with an exec bit on POSIX, and ignores mode bits on Windows', () => {
    expect(isExecutableFile('/home/me/notes.txt', { platform: 'linux', mode: PROGRAM })).toBe(true);
    expect(isExecutableFile('/home/me/notes.txt', { platform: 'darwin', mode: 0o100744 })).toBe(true);
    expect(isExecutableFile('/home/me/notes.txt', { platform: 'linux', mode: 0o100640 })).toBe(false);
    expect(isExecutableFile('C:\\docs\\notes.txt', { platform: 'win32', mode: PROGRAM })).toBe(false);
  });
});

/** Records every spawn and lets it "start" at once. */
function recordingSpawn(): {
  spawn: SpawnViewer;
  calls: { command: string; args: readonly string[]; shell: unknown }[];
} {
  const calls: { command: string; args: readonly string[]; shell: unknown }[] = [];
  const spawn: SpawnViewer = (command, args, options) => {
    calls.push({ command, args, shell: options.shell });
    return {
      once(event: string, listener: () => void) {
        if (event === 'spawn') queueMicrotask(listener);
        return this;
      },
      unref() {},
    } as unknown as ReturnType<SpawnViewer>;
  };
  return { spawn, calls };
}

describe('viewerProcessOpener', () => {
  it('starts explorer.exe on Windows with the name as one argument and no shell', async () => {
    const { spawn, calls } = recordingSpawn();
    await viewerProcessOpener({ platform: 'win32', spawn }).open('C:\\Users\\me\\a&calc.txt');
    expect(calls).toEqual([{ command: 'explorer.exe', args: ['C:\\Users\\me\\a&calc.txt'], shell: false }]);
  });

  it.each([
    ['darwin', 'open'],
    ['linux', 'xdg-open'],
  ] as const)('starts %s’s viewer (%s) without a shell', async (platform, command) => {
    const { spawn, calls } = recordingSpawn();
    await viewerProcessOpener({ platform, spawn }).open('/home/me/a&calc; rm -rf ~.txt');
    expect(calls).toEqual([{ command, args: ['/home/me/a&calc; rm -rf ~.txt'], shell: false }]);
  });

  it('reveals by opening the containing folder', async () => {
    const { spawn, calls } = recordingSpawn();
    await viewerProcessOpener({ platform: 'win32', spawn }).reveal('C:\\Users\\me\\setup.exe');
    await viewerProcessOpener({ platform: 'linux', spawn }).reveal('/home/me/install.sh');
    expect(calls.map((c) => c.args)).toEqual([['C:\\Users\\me'], ['/home/me']]);
  });
});

describe('openCitedFile', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.cleanup());

  function recordingOpener(): FileOpener & { log: string[] } {
    const log: string[] = [];
    return { log, open: async (p) => void log.push(`open ${p}`), reveal: async (p) => void log.push(`reveal ${p}`) };
  }

  it('opens a document, and reveals a script or a file with the exec bit', async () => {
    const document = join(dir.path, 'a&calc.txt');
    const script = join(dir.path, 'run.bat');
    const program = join(dir.path, 'notes');
    await writeFile(document, 'hello');
    await writeFile(script, 'calc');
    await writeFile(program, '#!/bin/sh');
    await chmod(program, 0o755);
    const opener = recordingOpener();
    expect(await openCitedFile(document, opener, { platform: 'linux' })).toBe('opened');
    expect(await openCitedFile(script, opener, { platform: 'linux' })).toBe('revealed');
    expect(await openCitedFile(program, opener, { platform: 'linux' })).toBe('revealed');
    expect(opener.log).toEqual([`open ${document}`, `reveal ${script}`, `reveal ${program}`]);
  });

  it('refuses relative paths, folders and missing files without opening anything', async () => {
    const opener = recordingOpener();
    await mkdir(join(dir.path, 'folder.txt'));
    await expect(openCitedFile('notes.txt', opener)).rejects.toThrow(/not an absolute path/);
    await expect(openCitedFile(join(dir.path, 'folder.txt'), opener)).rejects.toThrow(/is not a file/);
    await expect(openCitedFile(join(dir.path, 'gone.txt'), opener)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(opener.log).toEqual([]);
  });
});
