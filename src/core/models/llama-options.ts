import type { LlamaLogLevel } from 'node-llama-cpp';

/**
 * What every `getLlama()` in Hearth shares. `build: 'never'` because node-llama-cpp's default
 * outside Electron would, when no prebuilt binary loads, download llama.cpp's sources and
 * compile them: network traffic the user never allowed and minutes of work. Hearth uses the
 * binaries it ships with, or fails with node-llama-cpp's own clear error. Plain data (a type-only
 * import) so that importing it neither loads the native addon nor breaks a worker's copy.
 */
export const LLAMA_OPTIONS = { build: 'never', logLevel: 'error' as LlamaLogLevel } as const;
