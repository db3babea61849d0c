// Runs before `npm start`: without Electron's binary, electron-vite ends in a bare
// "Electron uninstall" error. Say what happened and what to do instead.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let binary;
try {
  binary = require('electron');
} catch {
  binary = undefined;
}
if (typeof binary !== 'string' || !existsSync(binary)) {
  console.error(
    [
      "Hearth's desktop app needs Electron's program, and it is not installed here",
      '(npm skips it when ELECTRON_SKIP_BINARY_DOWNLOAD is set, or when its download failed).',
      '',
      '  To install it:        node node_modules/electron/install.js   (then `npm start` again)',
      '  Or, without Electron: npm run serve   (opens Hearth in your browser)',
    ].join('\n'),
  );
  process.exit(1);
}
