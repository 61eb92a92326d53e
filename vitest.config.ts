import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{main,preload,renderer,drivers,sync,bin,test}/**/*.test.{ts,tsx}'],
    exclude: ['test/e2e/**', 'node_modules/**', 'out/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 20_000,
  },
});
