import type BetterSqlite3 from 'better-sqlite3';

export const version = 3;
export const name = 'face-checks';

/**
 * 实人 checks as the audit keeps them: decision, method, scores, threshold and model version — never
 * the pictures (`images_kept` is 0 unless a hall configures encrypted retention). Append-only: a check
 * is evidence of what the clerk saw and decided.
 */
export function up(db: BetterSqlite3.Database): void {
  db.exec(`
    CREATE TABLE face_checks (
      id                 TEXT PRIMARY KEY,
      recorded_at        TEXT NOT NULL,
      user_id            TEXT NOT NULL REFERENCES users (id),
      counter_id         TEXT NULL REFERENCES counters (id),
      decision           TEXT NOT NULL CHECK (decision IN ('match', 'no_match', 'retry', 'spoof_suspected')),
      method             TEXT NOT NULL CHECK (method IN ('automatic', 'manual')),
      automatic_decision TEXT NULL CHECK (automatic_decision IS NULL OR automatic_decision IN ('match', 'no_match', 'retry', 'spoof_suspected')),
      reasons            TEXT NOT NULL CHECK (json_valid(reasons) AND json_type(reasons) = 'array'),
      manual_reason      TEXT NULL,
      score              REAL NULL CHECK (score IS NULL OR score BETWEEN 0 AND 1),
      liveness           REAL NULL CHECK (liveness IS NULL OR liveness BETWEEN 0 AND 1),
      antispoof          REAL NULL CHECK (antispoof IS NULL OR antispoof BETWEEN 0 AND 1),
      threshold          REAL NOT NULL CHECK (threshold BETWEEN 0 AND 1),
      model_version      TEXT NOT NULL,
      attempts           INTEGER NOT NULL CHECK (attempts >= 0),
      started_at         TEXT NOT NULL,
      decided_at         TEXT NOT NULL,
      images_kept        INTEGER NOT NULL CHECK (images_kept IN (0, 1)),
      CHECK ((method = 'manual') = (manual_reason IS NOT NULL))
    ) STRICT;
    CREATE INDEX face_checks_by_time ON face_checks (recorded_at);
    CREATE TRIGGER face_checks_no_update BEFORE UPDATE ON face_checks
      BEGIN SELECT RAISE(ABORT, 'face_checks is append-only'); END;
    CREATE TRIGGER face_checks_no_delete BEFORE DELETE ON face_checks
      BEGIN SELECT RAISE(ABORT, 'face_checks is append-only'); END;
  `);
}
