import { extname, posix, win32 } from 'node:path';

/**
 * File types the system "opens" by running them: programs, scripts, installers, shortcuts and
 * the formats their shells execute (Windows, macOS, Linux, and interpreters any of them may have
 * registered). A cited source of one of these types is shown in its folder, never opened, so a
 * document in the library can never be a way to start a program. Lower case, without the dot.
 */
// prettier-ignore
export const EXECUTABLE_EXTENSIONS: ReadonlySet<string> = new Set([
  // Windows programs, installers and system formats that run code.
  'exe', 'com', 'scr', 'pif', 'cpl', 'msc', 'msi', 'msp', 'mst', 'msix', 'msixbundle', 'appx', 'appxbundle',
  'appref-ms', 'application', 'gadget', 'dll', 'ocx', 'sys', 'drv', 'inf', 'reg', 'scf', 'lnk', 'url',
  'chm', 'hta', 'cab', 'diagcab', 'settingcontent-ms', 'library-ms', 'xbap', 'xll', 'mde', 'ade', 'adp',
  // Windows scripts (cmd, Windows Script Host, PowerShell).
  'bat', 'cmd', 'vb', 'vbs', 'vbe', 'js', 'jse', 'ws', 'wsf', 'wsc', 'wsh', 'ps1', 'ps1xml', 'ps2', 'ps2xml',
  'psc1', 'psc2', 'psd1', 'psm1', 'msh', 'msh1', 'msh2', 'mshxml',
  // macOS applications, installers, scripts and terminal launchers.
  'app', 'command', 'tool', 'terminal', 'pkg', 'mpkg', 'dmg', 'scpt', 'scptd', 'applescript', 'workflow',
  'action', 'prefpane', 'kext', 'osax', 'fileloc', 'inetloc', 'webloc',
  // Linux programs, packages, launchers and shell scripts.
  'sh', 'bash', 'zsh', 'ksh', 'csh', 'tcsh', 'fish', 'run', 'bin', 'elf', 'out', 'so', 'appimage', 'desktop',
  'deb', 'rpm', 'snap', 'flatpak', 'flatpakref', 'flatpakrepo',
  // Interpreted code a desktop may hand to its interpreter.
  'py', 'pyw', 'pyz', 'pyc', 'pl', 'pm', 'rb', 'php', 'lua', 'tcl', 'jar', 'cgi', 'mjs', 'cjs', 'wasm',
]);

export interface OpenFacts {
  /** The platform whose rules apply (its path syntax, and whether exec bits mean anything). */
  platform: NodeJS.Platform;
  /** The file's `stat().mode`; on POSIX an exec bit makes any file a program. */
  mode: number;
}

/** The extension as the platform's shell sees it: Windows ignores trailing dots and spaces. */
function extensionOf(path: string, platform: NodeJS.Platform): string {
  const name = platform === 'win32' ? win32.basename(path).replace(/[. ]+$/, '') : posix.basename(path);
  return extname(name).slice(1).toLowerCase();
}

/**
 * Whether handing `path` to the system viewer could run it: an executable or script type by
 * extension on any platform, or (outside Windows) any file with an exec bit set.
 */
export function isExecutableFile(path: string, facts: OpenFacts): boolean {
  if (EXECUTABLE_EXTENSIONS.has(extensionOf(path, facts.platform))) return true;
  return facts.platform !== 'win32' && (facts.mode & 0o111) !== 0;
}

/** Open a document; for anything that could run, show it in its folder instead. */
export function openAction(path: string, facts: OpenFacts): 'open' | 'reveal' {
  return isExecutableFile(path, facts) ? 'reveal' : 'open';
}
