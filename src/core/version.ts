/** Replaced at build time (electron.vite.config.ts, vitest.config.ts) with package.json's version. */
declare const __HEARTH_VERSION__: string;

export const HEARTH_VERSION: string = __HEARTH_VERSION__;
