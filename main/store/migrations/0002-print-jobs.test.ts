import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMigrations } from '../database';
import { PRINT_JOB_STATES } from '../repositories/print-jobs';
import * as m0001 from './0001-initial';
import * as m0002 from './0002-print-jobs';

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  runMigrations(db, [m0001, m0002]);
});
afterEach(() => db.close());

const NOW = '2026-11-26T01:00:00.000Z';

function job(id: string, seq: number, fields: { state?: string; printedAt?: string | null; kind?: string; document?: string; reprintOf?: string | null } = {}): void {
  db.prepare(
    `INSERT INTO print_jobs (id, seq, kind, document, state, created_at, updated_at, printed_at, reprint_of)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(id, seq, fields.kind ?? 'acceptance-receipt', fields.document ?? '{"kind":"x"}', fields.state ?? 'queued', NOW, NOW, fields.printedAt ?? null, fields.reprintOf ?? null);
}

describe('0002-print-jobs', () => {
  it('is version 2 named print-jobs and upgrades a version 1 database', () => {
    expect(m0002.version).toBe(2);
    expect(m0002.name).toBe('print-jobs');
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    const v1 = new Database(':memory:');
    runMigrations(v1, [m0001]);
    v1.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('k', '1', ?)").run(NOW);
    expect(runMigrations(v1, [m0001, m0002])).toBe(2);
    expect(v1.prepare('SELECT count(*) FROM settings').pluck().get()).toBe(1);
    v1.close();
  });

  it('creates a STRICT print_jobs table', () => {
    expect(db.prepare("SELECT strict FROM pragma_table_list WHERE name = 'print_jobs'").pluck().get()).toBe(1);
    expect(() => job('a', 'one' as unknown as number)).toThrow(/cannot store TEXT value in INTEGER column/);
  });

  it('accepts exactly the states of the repository, printed_at set iff printed', () => {
    PRINT_JOB_STATES.forEach((state, i) => job(`j${i}`, i + 1, { state, printedAt: state === 'printed' ? NOW : null }));
    expect(() => job('bad', 10, { state: 'lost' })).toThrow(/CHECK/);
    expect(() => job('p1', 11, { state: 'printed', printedAt: null })).toThrow(/CHECK/);
    expect(() => job('p2', 12, { state: 'queued', printedAt: NOW })).toThrow(/CHECK/);
  });

  it('checks kind shape, JSON object documents, unique order and reprint references', () => {
    expect(() => job('k', 1, { kind: 'Receipt!' })).toThrow(/CHECK/);
    expect(() => job('d1', 1, { document: 'not json' })).toThrow(/CHECK/);
    expect(() => job('d2', 1, { document: '[1]' })).toThrow(/CHECK/);
    job('a', 1);
    expect(() => job('b', 1)).toThrow(/UNIQUE/);
    expect(() => job('c', 2, { reprintOf: 'missing' })).toThrow(/FOREIGN KEY/);
    job('c', 2, { reprintOf: 'a' });
  });

  it('keeps a job’s document and identity immutable; only delivery columns change', () => {
    job('a', 1);
    expect(() => db.prepare(`UPDATE print_jobs SET document = '{"kind":"y"}' WHERE id = 'a'`).run()).toThrow(/never change/);
    expect(() => db.prepare(`UPDATE print_jobs SET seq = 5 WHERE id = 'a'`).run()).toThrow(/never change/);
    db.prepare(`UPDATE print_jobs SET state = 'printing', attempts = 1, last_error = 'x' WHERE id = 'a'`).run();
  });

  it('never deletes a queued or printing job; printed and failed ones can be purged', () => {
    job('q', 1);
    job('p', 2, { state: 'printing' });
    job('d', 3, { state: 'printed', printedAt: NOW });
    job('f', 4, { state: 'failed' });
    expect(() => db.prepare(`DELETE FROM print_jobs WHERE id = 'q'`).run()).toThrow(/cannot be deleted/);
    expect(() => db.prepare(`DELETE FROM print_jobs WHERE id = 'p'`).run()).toThrow(/cannot be deleted/);
    db.prepare(`DELETE FROM print_jobs WHERE state IN ('printed', 'failed')`).run();
    expect(db.prepare('SELECT id FROM print_jobs ORDER BY seq').pluck().all()).toEqual(['q', 'p']);
  });

  it('finds the next job through the partial index', () => {
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT * FROM print_jobs WHERE state IN ('queued', 'printing') ORDER BY seq LIMIT 1")
      .all()
      .map((r) => String((r as { detail: unknown }).detail));
    expect(plan.join(' ')).toContain('print_jobs_open');
  });
});
