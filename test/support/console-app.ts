/** A console app on a temp data dir with demo data, for integration and e2e tests. Synthetic data only. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createConsoleApp, DATABASE_FILE, type ConsoleApp } from '../../main/app';
import { createStore } from '../../main/store';
import { createMemoryLogger } from '../../main/log';

export const TEST_KEY = Buffer.alloc(32, 9);

export async function tempConsoleApp(options: { hubUrl?: string; hallCases?: boolean } = {}): Promise<{ app: ConsoleApp; dataDir: string; logger: ReturnType<typeof createMemoryLogger>; cleanup(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hall-app-'));
  const logger = createMemoryLogger();
  if (options.hubUrl) {
    // The technician's setting, there before the console starts (the sync client starts with it).
    const store = createStore(join(dataDir, DATABASE_FILE), TEST_KEY);
    store.settings.set('sync.hubUrl', z.string().url(), options.hubUrl);
    // A supervisor station also downloads every console's cases (全厅办件; sync/client/buckets.ts).
    if (options.hallCases) store.settings.set('sync.hallCases', z.boolean(), true);
    store.close();
  }
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
