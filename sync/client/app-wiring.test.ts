/**
 * main/app.ts wiring: without `sync.hubUrl` the console starts with no client (未注册); with it, the
 * console connects to a real hub server over the websocket transport with its document-signing key,
 * uploads its outbox and stops cleanly on close(). Also: a hub URL that is unreachable never blocks start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { createConsoleApp, type ConsoleApp } from '../../main/app';
import { createMemoryLogger } from '../../main/log';
import { loadOrCreateConsoleKey } from '../../main/security/console-keys';
import { keyFileProtector } from '../../main/security/key-protector';
import { startHubServer } from '../hub/server';
import { SqliteHubStore } from '../hub/store/sqlite';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until<T>(fn: () => T | null | undefined | false | Promise<T | null | undefined | false>, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const open = (dataDir: string): Promise<ConsoleApp> =>
  createConsoleApp({ dataDir, mode: 'browser', emulatedDevices: true, logger: createMemoryLogger(), masterKey: Buffer.alloc(32, 3), emulatorTiming: 'instant' });

describe('app.ts sync wiring', () => {
  it('starts without a hub URL (not enrolled), then with one syncs its outbox to the hub over ws', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hall-sync-app-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    let app = await open(dir);
    expect(app.dispatcher).toBeDefined();
    const consoleId = app.info.consoleId;
    const offline = app.store.db.transaction(() => app.store.outbox.append('case.created', { caseId: 'offline-1' }));

    const hubStore = await SqliteHubStore.open({ file: ':memory:' });
    const hub = await startHubServer({ store: hubStore, port: 0, heartbeatMs: 0 });
    cleanups.push(() => hub.close());
    await hubStore.registerConsole(consoleId, loadOrCreateConsoleKey(dir, keyFileProtector()).publicKeyBase64Url);
    app.store.settings.set('sync.hubUrl', z.string().url(), hub.url);
    await app.close();

    app = await open(dir);
    const opened = app;
    cleanups.push(() => opened.close());
    const changed: unknown[] = [];
    app.events.subscribe((e, p) => {
      if (e === 'sync.changed') changed.push(p);
    });
    // (the first push also carries the audit chain's signed head: docs/security.md "Audit chain")
    await until(async () => (await hubStore.getMutation(offline.mutationId)) !== null, 'the offline case on the hub');
    await until(() => app.store.outbox.countPending() === 0, 'the ack');
    const online = app.store.db.transaction(() => app.store.outbox.append('case.created', { caseId: 'online-2' }));
    await until(async () => (await hubStore.getMutation(online.mutationId)) !== null, 'the second case on the hub');
    expect(await hubStore.lastApplied(consoleId)).toBe(app.store.outbox.lastSeq());
    await until(() => changed.some((s) => (s as { state: string }).state === 'online'), 'sync.changed online');
  });

  it('starts and closes promptly when the hub is unreachable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hall-sync-app-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const first = await open(dir);
    first.store.settings.set('sync.hubUrl', z.string().url(), 'ws://127.0.0.1:9/sync');
    await first.close();
    const app = await open(dir);
    await new Promise((r) => setTimeout(r, 50));
    await app.close();
  });
});
