import { defineConfig } from 'vitest/config';
import '../../vitest.config'; // for its Node 20 reporter fix (Map.groupBy)

/** E2E: Playwright (playwright-core) driving Debian Chromium against the headless host. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
