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
import * as m0008 from './0008-hall-cases';

describe('0008-hall-cases', () => {
  it('adds the hall_cases feed, its folded rows and outbox dismissals, keeping rejected rows', () => {
    const db = new Database(':memory:');
    const before = [m0001, m0002, m0003, m0004, m0005, m0006, m0007];
    runMigrations(db, before);
    db.prepare(
      "INSERT INTO outbox (seq, mutation_id, schema_version, hlc, type, payload, created_at, status, reject_reason) VALUES (1, 'm1', 7, 'h', 't', '{}', 't', 'rejected', 'why')",
    ).run();
    expect(runMigrations(db, [...before, m0008])).toBe(8);
    expect(db.prepare('SELECT status FROM outbox WHERE seq = 1').get()).toEqual({ status: 'rejected' });
    const event = db.prepare("INSERT INTO hall_case_events (mutation_id, server_seq, case_id, console_id, console_seq, hlc, type, body) VALUES (?, 1, 'c1', 'C03', 1, 'h', 'case.created', ?)");
    event.run('m1', '{}');
    expect(() => event.run('m1', '{}')).toThrow(/UNIQUE/);
    expect(() => event.run('m2', 'not json')).toThrow(/CHECK/);
    const dismiss = db.prepare("INSERT INTO outbox_dismissals (rejected_seq, reason, user_id, dismissed_at) VALUES (?, ?, 'u', 't')");
    expect(() => dismiss.run(1, '')).toThrow(/CHECK/);
    dismiss.run(1, '已在中心平台人工补录');
    expect(() => dismiss.run(1, 'again')).toThrow(/UNIQUE/);
    db.close();
  });
});
