import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runMigrations } from '../database';
import * as m0001 from './0001-initial';
import * as m0002 from './0002-print-jobs';
import * as m0003 from './0003-face-checks';
import * as m0004 from './0004-ticket-flow';
import * as m0005 from './0005-counter-status';
import * as m0006 from './0006-intake';
import * as m0007 from './0007-sync-state';

describe('0007-sync-state', () => {
  it('adds cursors, the device allowlist and outbox resolutions, keeping existing outbox rows', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    runMigrations(db, [m0001, m0002, m0003, m0004, m0005, m0006]);
    db.prepare(
      "INSERT INTO outbox (seq, mutation_id, schema_version, hlc, type, payload, created_at, status, reject_reason) VALUES (1, 'm1', 6, 'h', 't', '{}', 't', 'rejected', 'why')",
    ).run();
    expect(runMigrations(db, [m0001, m0002, m0003, m0004, m0005, m0006, m0007])).toBe(7);
    expect(db.prepare('SELECT status, reject_reason FROM outbox WHERE seq = 1').get()).toEqual({ status: 'rejected', reject_reason: 'why' });
    db.prepare("INSERT INTO sync_cursors (bucket, cursor, epoch, updated_at) VALUES ('catalog', 'e1:5', 'e1', 't')").run();
    expect(() => db.prepare("INSERT INTO sync_cursors (bucket, cursor, epoch, updated_at) VALUES ('catalog', 'e1:6', 'e1', 't')").run()).toThrow(/UNIQUE/);
    expect(() => db.prepare("INSERT INTO sync_devices (id, body, updated_at) VALUES ('d1', 'not json', 't')").run()).toThrow(/CHECK/);
    db.prepare("INSERT INTO outbox_resolutions (rejected_seq, resent_seq, resolved_at) VALUES (1, 2, 't')").run();
    expect(() => db.prepare("INSERT INTO outbox_resolutions (rejected_seq, resent_seq, resolved_at) VALUES (3, 2, 't')").run()).toThrow(/CHECK/);
    db.close();
  });
});
