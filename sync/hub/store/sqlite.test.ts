import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase, runMigrations } from '../../../main/store/database';
import { describeHubStore, type Schema5Hub } from './hub-store.suite';
import { HUB_APPLICATION_ID, SqliteHubStore } from './sqlite';
import { HUB_SQLITE_MIGRATIONS, HUB_SQLITE_SCHEMA_VERSION } from './sqlite-migrations';
import { HubStoreError } from './types';

/** A hub file as schema 5 left it (the upgrade test of the suite). */
function seedSchema5(file: string, c: Schema5Hub): void {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`application_id = ${HUB_APPLICATION_ID}`);
    runMigrations(db, HUB_SQLITE_MIGRATIONS.filter((m) => m.version <= 5));
    db.prepare(`INSERT INTO hub_meta (key, value) VALUES ('epoch', ?)`).run(c.epoch);
    const k = c.console;
    db.prepare(`INSERT INTO hub_consoles (console_id, public_key, status, last_applied, registered_at, hall_id) VALUES (?, ?, 'active', ?, ?, ?)`).run(k.consoleId, k.publicKey, k.lastApplied, k.registeredAt, k.hallId);
    const m = db.prepare('INSERT INTO hub_mutations (mutation_id, console_id, seq, schema_version, hlc, type, payload, content_hash, applied_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (const x of c.mutations) m.run(x.mutationId, x.consoleId, x.seq, x.schemaVersion, x.hlc, x.type, x.payload, x.contentHash, x.appliedAt);
    const l = db.prepare('INSERT INTO hub_console_seqs (console_id, seq, mutation_id, outcome, reason) VALUES (?, ?, ?, ?, ?)');
    for (const x of c.ledger) l.run(x.consoleId, x.seq, x.mutationId, x.outcome, x.reason);
    const ch = db.prepare('INSERT INTO hub_changes (server_seq, bucket, op, key, value, created_at, tag, hall_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    for (const x of c.changes) ch.run(x.serverSeq, x.bucket, x.op, x.key, x.value, x.createdAt, x.tag, x.hallId);
  } finally {
    db.close();
  }
}

describeHubStore('sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hall-hub-'));
  const file = join(dir, 'hub.sqlite');
  return {
    open: (options) => SqliteHubStore.open({ file, watchIntervalMs: 20, ...options }),
    seedSchema5: async (content) => seedSchema5(file, content),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SqliteHubStore files', () => {
  const withDir = async (fn: (dir: string) => Promise<void>): Promise<void> => {
    const dir = mkdtempSync(join(tmpdir(), 'hall-hub-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('creates hub.sqlite in WAL mode, owner-only, marked as a hub database', () =>
    withDir(async (dir) => {
      const file = join(dir, 'nested', 'hub.sqlite');
      const store = await SqliteHubStore.open({ file });
      await store.close();
      const raw = new Database(file, { readonly: true });
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.pragma('user_version', { simple: true })).toBe(HUB_SQLITE_SCHEMA_VERSION);
      expect(raw.pragma('application_id', { simple: true })).toBe(0x48414c48);
      raw.close();
      if (process.platform !== 'win32') {
        const { statSync } = await import('node:fs');
        expect(statSync(file).mode & 0o777).toBe(0o600);
      }
    }));

  it('refuses a console database and a newer hub schema without changing them', () =>
    withDir(async (dir) => {
      const consoleFile = join(dir, 'hall.sqlite');
      openDatabase(consoleFile).close();
      await expect(SqliteHubStore.open({ file: consoleFile })).rejects.toMatchObject({ code: 'not_hub_db' });

      const future = join(dir, 'future.sqlite');
      await (await SqliteHubStore.open({ file: future })).close();
      const raw = new Database(future);
      raw.pragma('user_version = 99');
      raw.close();
      await expect(SqliteHubStore.open({ file: future })).rejects.toBeInstanceOf(HubStoreError);
      await expect(SqliteHubStore.open({ file: future })).rejects.toMatchObject({ code: 'db_too_new' });

      const text = join(dir, 'notes.sqlite');
      writeFileSync(text, 'x'.repeat(200));
      await expect(SqliteHubStore.open({ file: text })).rejects.toThrow();
    }));

  it('works in memory', async () => {
    const store = await SqliteHubStore.open({ file: ':memory:' });
    expect(await store.epoch()).not.toBe('');
    await store.close();
  });
});
