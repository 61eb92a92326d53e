import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMigrations } from '../database';
import { CASE_STATES, OUTBOX_STATUSES, ROLES, TICKET_STATES } from '../enums';
import * as m0001 from './0001-initial';

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  runMigrations(db, [m0001]);
});
afterEach(() => db.close());

const TABLES = ['case_events', 'cases', 'counters', 'outbox', 'settings', 'tickets', 'users'];
const NOW = '2026-11-26T01:00:00.000Z';

function counter(id = 'c1', number = 1): void {
  db.prepare("INSERT INTO counters (id, number, name, zone) VALUES (?, ?, 'n', 'z')").run(id, number);
}
function caseRow(id = 'k1', state = 'draft'): void {
  db.prepare(
    `INSERT INTO cases (id, receipt_no, service_item_code, state, created_at, updated_at)
     VALUES (?, ?, 'S1', ?, ?, ?)`,
  ).run(id, `R-${id}`, state, NOW, NOW);
}
function outboxRow(seq: number, status = 'pending'): void {
  db.prepare(
    `INSERT INTO outbox (seq, mutation_id, schema_version, hlc, type, payload, created_at, status)
     VALUES (?, ?, 1, 'h', 't', '{}', ?, ?)`,
  ).run(seq, `m${seq}`, NOW, status);
}

describe('0001-initial', () => {
  it('is version 1 named initial and sets user_version', () => {
    expect(m0001.version).toBe(1);
    expect(m0001.name).toBe('initial');
    expect(db.pragma('user_version', { simple: true })).toBe(1);
  });

  it('creates the seven tables, all STRICT', () => {
    const rows = db.prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
    expect(rows).toEqual(TABLES.map((name) => ({ name, strict: 1 })));
    expect(() => db.prepare("INSERT INTO counters (id, number, name, zone) VALUES ('c', 'three', 'n', 'z')").run()).toThrow(
      /cannot store TEXT value in INTEGER column/,
    );
  });

  it('stores personal fields as BLOB columns and nothing personal in clear columns', () => {
    const types = (table: string): Record<string, string> =>
      Object.fromEntries(
        db
          .prepare(`SELECT name, type FROM pragma_table_info('${table}')`)
          .all()
          .map((r) => Object.values(r as Record<string, string>)),
      );
    expect(types('users').display_name_enc).toBe('BLOB');
    const cases = types('cases');
    for (const c of ['applicant_name_enc', 'applicant_id_enc', 'applicant_address_enc', 'applicant_phone_enc']) {
      expect(cases[c]).toBe('BLOB');
    }
    expect(cases.applicant_id_index).toBe('TEXT');
  });

  it('CHECK constraints accept exactly the enum values of enums.ts', () => {
    counter();
    ROLES.forEach((role, i) => {
      db.prepare("INSERT INTO users (id, user_name, display_name_enc, role, password_hash, updated_at) VALUES (?, ?, x'00', ?, 'h', ?)").run(
        `u${i}`,
        `user${i}`,
        role,
        NOW,
      );
    });
    expect(() =>
      db.prepare("INSERT INTO users (id, user_name, display_name_enc, role, password_hash, updated_at) VALUES ('x', 'x', x'00', 'root', 'h', ?)").run(NOW),
    ).toThrow(/CHECK/);

    TICKET_STATES.forEach((state, i) => {
      db.prepare("INSERT INTO tickets (id, number, group_code, business_date, issued_at, state) VALUES (?, ?, 'A', '2026-11-26', ?, ?)").run(
        `t${i}`,
        `A${i}`,
        NOW,
        state,
      );
    });
    expect(() =>
      db.prepare("INSERT INTO tickets (id, number, group_code, business_date, issued_at, state) VALUES ('tx', 'A99', 'A', '2026-11-26', ?, 'lost')").run(NOW),
    ).toThrow(/CHECK/);

    CASE_STATES.forEach((state) => caseRow(`k-${state}`, state));
    expect(() => caseRow('k-bad', 'pending')).toThrow(/CHECK/);

    OUTBOX_STATUSES.forEach((status, i) => outboxRow(i + 1, status));
    expect(() => outboxRow(99, 'sent')).toThrow(/CHECK/);
  });

  it('validates JSON columns and business dates', () => {
    expect(() =>
      db.prepare("INSERT INTO counters (id, number, name, zone, service_groups) VALUES ('c', 1, 'n', 'z', '\"A\"')").run(),
    ).toThrow(/CHECK/);
    expect(() =>
      db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('k', 'not json', ?)").run(NOW),
    ).toThrow(/CHECK/);
    expect(() =>
      db.prepare("INSERT INTO tickets (id, number, group_code, business_date, issued_at) VALUES ('t', 'A1', 'A', '26/11/2026', ?)").run(NOW),
    ).toThrow(/CHECK/);
  });

  it('keeps ticket numbers unique per business day', () => {
    const insert = db.prepare("INSERT INTO tickets (id, number, group_code, business_date, issued_at) VALUES (?, 'A012', 'A', ?, ?)");
    insert.run('t1', '2026-11-26', NOW);
    insert.run('t2', '2026-11-27', NOW);
    expect(() => insert.run('t3', '2026-11-26', NOW)).toThrow(/UNIQUE/);
  });

  it('enforces foreign keys', () => {
    expect(() =>
      db.prepare("INSERT INTO case_events (case_id, to_state, actor_user_id, at) VALUES ('missing', 'draft', 'u', ?)").run(NOW),
    ).toThrow(/FOREIGN KEY/);
    expect(() =>
      db.prepare("INSERT INTO users (id, user_name, display_name_enc, role, counter_id, password_hash, updated_at) VALUES ('u', 'u', x'00', 'clerk', 'nope', 'h', ?)").run(NOW),
    ).toThrow(/FOREIGN KEY/);
  });

  it('makes case_events append-only', () => {
    caseRow();
    db.prepare("INSERT INTO case_events (case_id, to_state, actor_user_id, at) VALUES ('k1', 'draft', 'u', ?)").run(NOW);
    expect(() => db.prepare("UPDATE case_events SET reason = 'edited'").run()).toThrow('case_events is append-only');
    expect(() => db.prepare('DELETE FROM case_events').run()).toThrow('case_events is append-only');
    expect(db.prepare('SELECT count(*) FROM case_events').pluck().get()).toBe(1);
  });

  it('protects the outbox: immutable content, pending and newest rows never deleted', () => {
    outboxRow(1, 'acked');
    outboxRow(2, 'pending');
    outboxRow(3, 'acked');
    expect(() => db.prepare("UPDATE outbox SET payload = '{\"x\":1}' WHERE seq = 1").run()).toThrow(/immutable/);
    expect(() => db.prepare('UPDATE outbox SET seq = 10 WHERE seq = 1').run()).toThrow(/immutable/);
    db.prepare("UPDATE outbox SET status = 'acked', acked_at = ? WHERE seq = 2").run(NOW);
    expect(() => db.prepare('DELETE FROM outbox WHERE seq = 3').run()).toThrow(/cannot be deleted/);
    expect(() => db.prepare('DELETE FROM outbox').run()).toThrow(/cannot be deleted/);
    db.prepare('DELETE FROM outbox WHERE seq <= 2').run();
    expect(db.prepare('SELECT seq FROM outbox').pluck().all()).toEqual([3]);
    outboxRow(4, 'pending');
    expect(() => db.prepare('DELETE FROM outbox WHERE seq = 4').run()).toThrow(/cannot be deleted/);
  });

  it('indexes cases by the applicant blind index', () => {
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT * FROM cases WHERE applicant_id_index = 'abc'")
      .all()
      .map((r) => String((r as { detail: unknown }).detail));
    expect(plan.join(' ')).toContain('cases_by_applicant_id_index');
  });
});
