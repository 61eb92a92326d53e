import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMigrations } from '../database';
import * as m0001 from './0001-initial';
import * as m0002 from './0002-print-jobs';
import * as m0003 from './0003-face-checks';

let db: Database.Database;
const NOW = '2026-11-26T01:00:00.000Z';
beforeEach(() => {
  db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  runMigrations(db, [m0001, m0002, m0003]);
  db.prepare("INSERT INTO users (id, user_name, display_name_enc, role, counter_id, password_hash, failed_attempts, updated_at) VALUES ('u1', 'clerk', x'00', 'clerk', NULL, 'h', 0, ?)").run(NOW);
});
afterEach(() => db.close());

function insert(fields: Partial<Record<string, unknown>> = {}): void {
  const row = {
    id: 'f1', recorded_at: NOW, user_id: 'u1', counter_id: null, decision: 'match', method: 'automatic', automatic_decision: 'match',
    reasons: '["similarity_above_threshold"]', manual_reason: null, score: 0.7, liveness: 0.9, antispoof: 0.8, threshold: 0.6,
    model_version: 'human@3.3.6+faceres', attempts: 1, started_at: NOW, decided_at: NOW, images_kept: 0, ...fields,
  };
  db.prepare(`INSERT INTO face_checks (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row).map((k) => `@${k}`).join(', ')})`).run(row);
}

describe('0003-face-checks', () => {
  it('is version 3 and upgrades a version 2 database', () => {
    expect(m0003.version).toBe(3);
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    const v2 = new Database(':memory:');
    runMigrations(v2, [m0001, m0002]);
    expect(runMigrations(v2, [m0001, m0002, m0003])).toBe(3);
    v2.close();
  });

  it('keeps checks append-only', () => {
    insert();
    expect(() => db.prepare("UPDATE face_checks SET decision = 'no_match'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM face_checks').run()).toThrow(/append-only/);
  });

  it('refuses a manual decision without a reason, scores outside 0..1 and unknown decisions', () => {
    expect(() => insert({ id: 'a', method: 'manual' })).toThrow(/CHECK/);
    expect(() => insert({ id: 'b', score: 1.5 })).toThrow(/CHECK/);
    expect(() => insert({ id: 'c', decision: 'maybe' })).toThrow(/CHECK/);
    expect(() => insert({ id: 'd', user_id: 'ghost' })).toThrow(/FOREIGN KEY/);
    insert({ id: 'e', method: 'manual', manual_reason: '照片年代久远，核对户籍信息后确认本人', decision: 'match' });
  });
});
