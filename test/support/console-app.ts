/** A console app on a temp data dir with demo data, for integration and e2e tests. Synthetic data only. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConsoleApp, type ConsoleApp } from '../../main/app';
import { createMemoryLogger } from '../../main/log';

export const TEST_KEY = Buffer.alloc(32, 9);

export async function tempConsoleApp(): Promise<{ app: ConsoleApp; dataDir: string; logger: ReturnType<typeof createMemoryLogger>; cleanup(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hall-app-'));
  const logger = createMemoryLogger();
  const app = await createConsoleApp({ dataDir, mode: 'browser', emulatedDevices: true, logger, demo: true, masterKey: TEST_KEY });
  return {
    app,
    dataDir,
    logger,
    async cleanup() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
