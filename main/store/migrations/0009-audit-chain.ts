import { createHash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';

export const version = 9;
export const name = 'audit-chain';

/** The chain's start: the `prev_hash` of the first row. */
const GENESIS = '0'.repeat(64);

/**
 * Frozen copy of the v1 row hash (`main/security/audit-chain.ts` `auditRowHash`, tested to agree):
 * SHA-256, lower-case hex, over the UTF-8 JSON array
 * `["HALLAUDITROW1", id, at, actor, action, subject, detail, prev_hash]` (detail as its stored text).
 */
function rowHash(r: { id: number; at: string; actor: string | null; action: string; subject: string | null; detail: string; prev_hash: string }): string {
  const text = JSON.stringify(['HALLAUDITROW1', r.id, r.at, r.actor, r.action, r.subject, r.detail, r.prev_hash]);
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Audit chain (issue 7, docs/security.md "Audit chain").
 * - `audit_log` gains `prev_hash` and `hash`: each row's hash covers its own fields and the previous
 *   row's hash. The table is rebuilt (the append-only triggers forbid the UPDATE that ALTER + backfill
 *   would need) and the rows that already exist are chained here, in id order, keeping their ids.
 * - A BEFORE INSERT trigger makes a row that does not continue the chain impossible: its id must be the
 *   last id + 1 and its `prev_hash` the last row's hash (the SHA-256 itself is computed by the
 *   repository; SQLite has no SHA-256).
 * - `audit_heads`: every chain head the console signed (last id, hash, time, Ed25519 signature) —
 *   what is sent to the hub with each sync and what lets `hall audit verify` see a truncated tail.
 *   Append-only as well.
 */
export function up(db: BetterSqlite3.Database): void {
  db.exec(`
    DROP TRIGGER audit_log_no_update;
    DROP TRIGGER audit_log_no_delete;
    DROP INDEX audit_log_by_subject;
    CREATE TABLE audit_log_chained (
      id         INTEGER PRIMARY KEY AUTOINCREMENT,
      at         TEXT NOT NULL,
      actor      TEXT NULL,
      action     TEXT NOT NULL,
      subject    TEXT NULL,
      detail     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
      prev_hash  TEXT NOT NULL CHECK (length(prev_hash) = 64),
      hash       TEXT NOT NULL CHECK (length(hash) = 64)
    ) STRICT;
  `);
  const rows = db.prepare('SELECT id, at, actor, action, subject, detail FROM audit_log ORDER BY id').all() as {
    id: number;
    at: string;
    actor: string | null;
    action: string;
    subject: string | null;
    detail: string;
  }[];
  const insert = db.prepare(
    'INSERT INTO audit_log_chained (id, at, actor, action, subject, detail, prev_hash, hash) VALUES (@id, @at, @actor, @action, @subject, @detail, @prev_hash, @hash)',
  );
  let prev = GENESIS;
  for (const r of rows) {
    const row = { ...r, prev_hash: prev };
    const hash = rowHash(row);
    insert.run({ ...row, hash });
    prev = hash;
  }
  db.exec(`
    DROP TABLE audit_log;
    ALTER TABLE audit_log_chained RENAME TO audit_log;
    CREATE INDEX audit_log_by_subject ON audit_log (subject, id);
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
      WHEN NEW.id IS NOT (SELECT coalesce(max(id), 0) + 1 FROM audit_log)
        OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '${GENESIS}')
      BEGIN SELECT RAISE(ABORT, 'audit_log row does not continue the chain'); END;

    CREATE TABLE audit_heads (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      console_id  TEXT NOT NULL,
      last_id     INTEGER NOT NULL CHECK (last_id >= 1),
      hash        TEXT NOT NULL CHECK (length(hash) = 64),
      at          TEXT NOT NULL,
      signature   TEXT NOT NULL
    ) STRICT;
    CREATE TRIGGER audit_heads_no_update BEFORE UPDATE ON audit_heads
      BEGIN SELECT RAISE(ABORT, 'audit_heads is append-only'); END;
    CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON audit_heads
      BEGIN SELECT RAISE(ABORT, 'audit_heads is append-only'); END;
  `);
}
