import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

/** Who may import whom (after VS Code's layering): a folder's rule keeps its layer honest. */
const layer = (files, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});
const native = ['node-llama-cpp', '@lancedb/*', 'libp2p', '@libp2p/*', '@chainsafe/*'];

export default ts.config(
  { ignores: ['out/', 'dist/', 'node_modules/', 'test-results/', 'bench-results/', 'coverage/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Promises nobody awaits are errors nobody sees: type-aware, so every TypeScript file
    // (and every Svelte component) is checked against the tsconfig that owns it. The two
    // tsconfigs are named rather than found per file (projectService): same findings, a third
    // of the time.
    files: ['**/*.ts', '**/*.svelte'],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.node.json', './tsconfig.web.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    files: ['src/renderer/**/*'],
    languageOptions: { globals: { ...globals.browser } },
  },
  layer(
    ['src/shared/**/*'],
    [
      { group: ['electron', 'node:*', ...native], message: 'src/shared is environment-free.' },
      {
        group: ['**/core/**', '**/main/**', '**/renderer/**', '**/host/**'],
        message: 'src/shared imports only itself.',
      },
    ],
  ),
  layer(
    ['src/core/**/*'],
    [
      { group: ['electron'], message: 'The engine runs without Electron; do this in src/main.' },
      {
        group: ['**/main/**', '**/renderer/**', '**/host/**', '**/preload/**'],
        message: 'src/core is imported, never imports a door.',
      },
    ],
  ),
  layer(
    ['src/renderer/**/*'],
    [
      {
        group: ['electron', 'node:*', ...native],
        message: 'The renderer reaches the engine only through the API object.',
      },
      { group: ['**/core/**', '**/main/**', '**/host/**'], message: 'The renderer talks only to the typed API.' },
      {
        group: ['**/shared/**'],
        allowTypeImports: true,
        message: 'The renderer may import only types from src/shared.',
      },
    ],
  ),
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name='getLlama']:not(:has(SpreadElement > Identifier[name='LLAMA_OPTIONS']))",
          message: 'Spread LLAMA_OPTIONS (src/core/models/llama-options.ts) into getLlama: it must never build from source.',
        },
      ],
    },
  },
  layer(
    ['src/main/**/*'],
    [
      {
        group: ['**/renderer/**', '**/host/**', '**/preload/**'],
        message: 'src/main wires Electron to the engine: it imports core and shared, never another door or the UI.',
      },
    ],
  ),
  {
    // The preload runs sandboxed in the page's process: it only bridges the contract to IPC.
    files: ['src/preload/**/*'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              allowImportNames: ['contextBridge', 'ipcRenderer', 'webUtils', 'IpcRendererEvent'],
              message: 'The preload uses only contextBridge, ipcRenderer and webUtils.',
            },
          ],
          patterns: [
            { group: ['node:*', ...native], message: 'The sandboxed preload has no Node or native modules.' },
            {
              group: ['**/core/**', '**/main/**', '**/renderer/**', '**/host/**'],
              message: 'The preload imports only src/shared.',
            },
          ],
        },
      ],
    },
  },
  layer(['src/host/**/*'], [{ group: ['electron'], message: 'The headless host runs without Electron.' }]),
  {
    // The engine logs through its pino logger (src/core/log.ts): a console line is lost in the app.
    files: ['src/core/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // What the CLI prints can hold file names and model text: print through terminal-text.ts,
    // which neutralises terminal escape sequences.
    files: ['src/host/**/*.ts'],
    ignores: ['src/host/terminal-text.ts'],
    rules: { 'no-console': 'error' },
  },
);
