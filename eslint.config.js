// Layer boundaries (as VS Code enforces its layers): who may import what. See docs/architecture.md.
import tseslint from 'typescript-eslint';

const ELECTRON = { name: 'electron', message: "Only main/electron/ and preload/index.ts may import 'electron': keep the shell thin." };
const NODE_IO = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'net', 'node:net', 'http', 'node:http', 'child_process', 'node:child_process', 'better-sqlite3', 'pg', 'ws', 'node-hid', 'serialport'];

/** One no-restricted-imports rule per layer (a later config replaces the whole rule, so each layer lists all of it). */
function restrict({ paths = [], patterns = [] }) {
  return ['error', { paths: [ELECTRON, ...paths], patterns }];
}
const group = (globs, message) => ({ group: globs, message });

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'release/', 'coverage/', 'test/e2e/__screenshots__/'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': restrict({}),
    },
  },
  {
    files: ['renderer/**'],
    ignores: ['renderer/vite.config.ts'],
    rules: {
      'no-restricted-imports': restrict({
        paths: NODE_IO.map((name) => ({ name, message: 'The renderer has no I/O of its own: go through the HallApi contract.' })),
        patterns: [group(['**/main/**', '**/drivers/**', '**/sync/**', 'node:*'], 'The renderer imports only preload/ (the contract) and UI libraries.')],
      }),
    },
  },
  {
    files: ['preload/**'],
    rules: {
      'no-restricted-imports': restrict({
        patterns: [group(['**/main/**', '**/drivers/**', '**/sync/**', '**/renderer/**', 'node:*'], 'preload/ is the contract: it imports zod only.')],
      }),
    },
  },
  {
    files: ['main/domain/**'],
    rules: {
      'no-restricted-imports': restrict({
        paths: NODE_IO.map((name) => ({ name, message: 'main/domain holds pure rules: no I/O.' })),
        patterns: [group(['**/store/**', '**/services/**', '**/ipc/**', '**/host/**', '**/drivers/**', '**/sync/**'], 'main/domain holds pure rules: no I/O layers.')],
      }),
    },
  },
  {
    files: ['main/store/**', 'main/services/**', 'main/ipc/**', 'main/host/**', 'main/security/**', 'drivers/**', 'sync/**'],
    rules: {
      'no-restricted-imports': restrict({
        patterns: [group(['**/renderer/**', '**/main/electron/**', '../electron/**', '../../electron/**'], 'Plain-Node layers never reach into the Electron shell or the renderer.')],
      }),
    },
  },
  {
    files: ['main/electron/**', 'preload/index.ts', 'test/**', '**/*.test.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
