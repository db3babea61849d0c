import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

export default defineConfig({
  // Node side: the Electron shell (index) and the headless host / CLI (hearth) share the
  // engine, so they are built together into out/main.
  main: {
    define: { __HEARTH_VERSION__: JSON.stringify(version) },
    build: {
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          hearth: resolve('src/host/cli.ts'),
          // Runs network jobs in its own process, away from the user's data (see src/core/network/worker).
          'network-worker': resolve('src/core/network/worker/inference-worker.ts'),
          // Reads documents on worker threads under a heap cap (see src/core/library/extract/extract-pool.ts).
          'extract-worker': resolve('src/core/library/extract/extract-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot load modules: bundle everything into one CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    base: './',
    plugins: [svelte()],
    build: {
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
