import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runMigrations } from '../database';
import * as m0001 from './0001-initial';
import * as m0002 from './0002-print-jobs';
import * as m0003 from './0003-face-checks';
import * as m0004 from './0004-ticket-flow';
import * as m0005 from './0005-counter-status';
import * as m0006 from './0006-intake';

describe('0006-intake', () => {
  it('extends cases keeping existing rows, and adds catalog, credit, drafts, sequences, ratings, callbacks and audit tables', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    runMigrations(db, [m0001, m0002, m0003, m0004, m0005]);
    db.prepare(
      "INSERT INTO cases (id, receipt_no, service_item_code, state, created_at, updated_at) VALUES ('c1', 'HALL01-20261126-C03-0001', 'X', 'accepted', 't', 't')",
    ).run();
    expect(runMigrations(db, [m0001, m0002, m0003, m0004, m0005, m0006])).toBe(6);
    expect(db.prepare("SELECT materials, fee_total_fen, pauses, correction_rounds, credit FROM cases WHERE id = 'c1'").get()).toEqual({
      materials: '[]',
      fee_total_fen: 0,
      pauses: '[]',
      correction_rounds: 0,
      credit: null,
    });
    expect(() => db.prepare("UPDATE cases SET fee_total_fen = -1 WHERE id = 'c1'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE cases SET materials = 'x' WHERE id = 'c1'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO credit_entries VALUES ('short', 'dishonest', '[]', 'v1')").run()).toThrow(/CHECK/);
    db.prepare("INSERT INTO audit_log (at, actor, action) VALUES ('t', 'u', 'reprint')").run();
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE audit_log SET action = 'x'").run()).toThrow(/append-only/);
    db.prepare("INSERT INTO rating_requests (id, created_at) VALUES ('r1', 't')").run();
    db.prepare("INSERT INTO ratings (id, request_id, level, reasons, rated_at) VALUES ('x1', 'r1', 2, '[]', 't')").run();
    expect(() => db.prepare("INSERT INTO ratings (id, request_id, level, reasons, rated_at) VALUES ('x2', 'r1', 5, '[]', 't')").run()).toThrow(/UNIQUE/);
    expect(() => db.prepare("UPDATE ratings SET level = 5").run()).toThrow(/append-only/);
    expect(() => db.prepare("INSERT INTO callbacks (id, rating_id, opened_at, fix_deadline, state) VALUES ('cb', 'x1', 't', 'd', 'closed')").run()).toThrow(/CHECK/);
    db.close();
  });
});
