import { describe, expect, it } from 'vitest';
import { workerEnvironment } from '../../../src/core/workers/worker-environment';

const PARENT = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/me',
  USERPROFILE: 'C:\\Users\\me',
  APPDATA: 'C:\\Users\\me\\AppData\\Roaming',
  XDG_DATA_HOME: '/home/me/.local/share',
  HEARTH_API_KEY: 'sk-secret',
  HEARTH_DATA_DIR: '/home/me/.config/Hearth',
  ELECTRON_RUN_AS_NODE: '1',
  NODE_OPTIONS: '--require /tmp/evil.js',
  LD_LIBRARY_PATH: '/usr/local/cuda/lib64',
  SystemRoot: 'C:\\Windows',
  windir: 'C:\\Windows',
};

describe('workerEnvironment', () => {
  it('keeps only PATH and GPU library paths on POSIX, with its own TMPDIR', () => {
    expect(workerEnvironment(PARENT, 'linux', '/tmp/hearth-worker-1')).toEqual({
      PATH: '/usr/bin:/bin',
      LD_LIBRARY_PATH: '/usr/local/cuda/lib64',
      TMPDIR: '/tmp/hearth-worker-1',
    });
  });

  it('keeps what Windows needs to load DLLs, with its own TEMP', () => {
    expect(workerEnvironment(PARENT, 'win32', 'C:\\Temp\\hearth-worker-1')).toEqual({
      PATH: '/usr/bin:/bin',
      SystemRoot: 'C:\\Windows',
      windir: 'C:\\Windows',
      TEMP: 'C:\\Temp\\hearth-worker-1',
      TMP: 'C:\\Temp\\hearth-worker-1',
    });
  });
});
