import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runMigrations } from '../database';
import { COUNTER_STATUSES } from '../enums';
import * as m0001 from './0001-initial';
import * as m0002 from './0002-print-jobs';
import * as m0003 from './0003-face-checks';
import * as m0004 from './0004-ticket-flow';
import * as m0005 from './0005-counter-status';

describe('0005-counter-status', () => {
  it('adds status, when it changed and why to counters; existing counters stay open', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    runMigrations(db, [m0001, m0002, m0003, m0004]);
    db.prepare("INSERT INTO counters (id, number, name, zone, service_groups) VALUES ('c03', 3, '综合受理', 'A区', '[\"A\"]')").run();
    expect(m0005.version).toBe(5);
    expect(runMigrations(db, [m0001, m0002, m0003, m0004, m0005])).toBe(5);
    expect(db.pragma('user_version', { simple: true })).toBe(5);
    expect(db.prepare("SELECT status, status_changed_at, status_reason FROM counters WHERE id = 'c03'").get()).toEqual({
      status: 'open',
      status_changed_at: null,
      status_reason: null,
    });
    db.prepare("INSERT INTO counters (id, number, name, zone) VALUES ('c05', 5, '社保医保', 'B区')").run();
    expect(db.prepare("SELECT status FROM counters WHERE id = 'c05'").pluck().get()).toBe('open');
    db.close();
  });

  it('CHECK accepts exactly the counter statuses of enums.ts', () => {
    const db = new Database(':memory:');
    runMigrations(db, [m0001, m0002, m0003, m0004, m0005]);
    db.prepare("INSERT INTO counters (id, number, name, zone) VALUES ('c03', 3, '综合受理', 'A区')").run();
    const set = db.prepare("UPDATE counters SET status = ?, status_changed_at = '2026-11-26T01:00:00.000Z' WHERE id = 'c03'");
    for (const status of COUNTER_STATUSES) set.run(status);
    expect(() => set.run('busy')).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE counters SET status_reason = ? WHERE id = 'c03'").run('长'.repeat(201))).toThrow(/CHECK/);
    db.close();
  });
});
