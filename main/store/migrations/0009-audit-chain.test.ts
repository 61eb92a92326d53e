import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AUDIT_GENESIS, auditRowHash, verifyAuditChain } from '../../security/audit-chain';
import { runMigrations } from '../database';
import { auditChainRows, auditHeads, auditIdOfHash } from '../repositories/audit-log';
import * as m0001 from './0001-initial';
import * as m0002 from './0002-print-jobs';
import * as m0003 from './0003-face-checks';
import * as m0004 from './0004-ticket-flow';
import * as m0005 from './0005-counter-status';
import * as m0006 from './0006-intake';
import * as m0007 from './0007-sync-state';
import * as m0008 from './0008-hall-cases';
import * as m0009 from './0009-audit-chain';

const BEFORE = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008];

describe('0009-audit-chain', () => {
  it('chains the rows that already exist, keeping ids and contents, and keeps the log append-only', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    runMigrations(db, BEFORE);
    const insert = db.prepare('INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)');
    insert.run('2026-11-20T01:00:00.000Z', 'u-clerk-1', 'receipt.reprinted', 'case-1', '{"copies":1}');
    insert.run('2026-11-20T02:00:00.000Z', null, 'help.called', null, '{}');
    insert.run('2026-11-21T03:00:00.000Z', 'u-super-1', 'credit.waived', 'case-2', '{"reason":"系统故障"}');
    const before = db.prepare('SELECT id, at, actor, action, subject, detail FROM audit_log ORDER BY id').all();

    expect(runMigrations(db, [...BEFORE, m0009])).toBe(9);
    expect(db.prepare('SELECT id, at, actor, action, subject, detail FROM audit_log ORDER BY id').all()).toEqual(before);
    const rows = [...auditChainRows(db)];
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(rows[0]!.prevHash).toBe(AUDIT_GENESIS);
    rows.forEach((r, i) => {
      expect(r.hash).toBe(auditRowHash(r)); // the migration's frozen copy agrees with audit-chain.ts
      if (i > 0) expect(r.prevHash).toBe(rows[i - 1]!.hash);
    });
    expect(verifyAuditChain(auditChainRows(db), { heads: auditHeads(db), locate: (h) => auditIdOfHash(db, h) })).toMatchObject({ ok: true, rows: 3, heads: 0 });

    expect(() => db.prepare("UPDATE audit_log SET detail = '{}' WHERE id = 1").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE id = 3').run()).toThrow(/append-only/);
    const add = db.prepare("INSERT INTO audit_log (id, at, action, prev_hash, hash) VALUES (?, 't', 'x', ?, ?)");
    expect(() => add.run(null, rows[2]!.hash, 'a'.repeat(64))).toThrow(/continue the chain/); // the id is named, not left to SQLite
    expect(() => add.run(5, rows[2]!.hash, 'a'.repeat(64))).toThrow(/continue the chain/); // a gap
    expect(() => add.run(4, rows[1]!.hash, 'a'.repeat(64))).toThrow(/continue the chain/); // a fork
    expect(() => add.run(4, rows[2]!.hash, 'a'.repeat(64))).not.toThrow();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log' AND name = 'audit_log_by_subject'").get()).toBeDefined();
    db.close();
  });

  it('an empty log migrates to an empty chain', () => {
    const db = new Database(':memory:');
    runMigrations(db, [...BEFORE, m0009]);
    expect([...auditChainRows(db)]).toEqual([]);
    expect(db.prepare('SELECT count(*) AS n FROM audit_heads').get()).toEqual({ n: 0 });
    db.close();
  });
});
