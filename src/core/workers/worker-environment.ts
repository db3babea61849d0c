/**
 * Everything a network worker's environment holds: what the OS needs to start a process and
 * load GPU libraries, and a temp folder of its own. No HEARTH_* settings or secrets, no HOME,
 * APPDATA, XDG_* or USERPROFILE, so nothing in it leads to the user's data folder.
 */
export function workerEnvironment(
  parent: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  tempDir: string,
): Record<string, string> {
  const keep =
    platform === 'win32'
      ? // Windows processes need SystemRoot and windir to load system DLLs; PATH finds GPU runtimes.
        ['PATH', 'Path', 'SystemRoot', 'windir', 'PATHEXT', 'NUMBER_OF_PROCESSORS', 'PROCESSOR_ARCHITECTURE']
      : // LD_LIBRARY_PATH / DYLD_LIBRARY_PATH are how CUDA and Vulkan runtimes outside /usr are found.
        ['PATH', 'LD_LIBRARY_PATH', 'DYLD_LIBRARY_PATH'];
  const env: Record<string, string> = {};
  for (const name of keep) {
    const value = parent[name];
    if (value !== undefined) env[name] = value;
  }
  if (platform === 'win32') Object.assign(env, { TEMP: tempDir, TMP: tempDir });
  else env.TMPDIR = tempDir;
  return env;
}
