import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runMigrations } from '../database';
import * as m0001 from './0001-initial';
import * as m0002 from './0002-print-jobs';
import * as m0003 from './0003-face-checks';
import * as m0004 from './0004-ticket-flow';

describe('0004-ticket-flow', () => {
  it('adds re-queue count and transfer target to tickets, keeping existing tickets', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    runMigrations(db, [m0001, m0002, m0003]);
    db.prepare("INSERT INTO tickets (id, number, group_code, business_date, issued_at) VALUES ('t1', 'A001', 'A', '2026-11-26', '2026-11-26T01:00:00.000Z')").run();
    expect(runMigrations(db, [m0001, m0002, m0003, m0004])).toBe(4);
    expect(db.prepare("SELECT requeue_count, target_counter_id FROM tickets WHERE id = 't1'").get()).toEqual({ requeue_count: 0, target_counter_id: null });
    expect(() => db.prepare("UPDATE tickets SET requeue_count = -1 WHERE id = 't1'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE tickets SET target_counter_id = 'nope' WHERE id = 't1'").run()).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
