import type BetterSqlite3 from 'better-sqlite3';

export const version = 2;
export const name = 'print-jobs';

/**
 * The persistent print queue. `document` is the receipt document as JSON (masked personal data only:
 * the receipt schemas refuse clear names and ID numbers, so no *_enc column is needed).
 * `seq` orders printing (assigned max(seq) + 1 by the writer). The document and the identity of a job
 * never change; only its delivery columns do. `kind` is checked for shape only, so new document kinds
 * need no migration.
 */
export function up(db: BetterSqlite3.Database): void {
  db.exec(`
    CREATE TABLE print_jobs (
      id          TEXT PRIMARY KEY,
      seq         INTEGER NOT NULL UNIQUE CHECK (seq > 0),
      kind        TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 64 AND kind NOT GLOB '*[^a-z0-9-]*'),
      reference   TEXT NULL CHECK (reference IS NULL OR length(reference) <= 64),
      document    TEXT NOT NULL CHECK (json_valid(document) AND json_type(document) = 'object'),
      state       TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'printing', 'printed', 'failed')),
      attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      last_error  TEXT NULL,
      created_at  TEXT NOT NULL,
      updated_at  TEXT NOT NULL,
      printed_at  TEXT NULL,
      reprint_of  TEXT NULL REFERENCES print_jobs (id),
      CHECK ((state = 'printed') = (printed_at IS NOT NULL))
    ) STRICT;
    CREATE INDEX print_jobs_open ON print_jobs (seq) WHERE state IN ('queued', 'printing');
    CREATE INDEX print_jobs_by_reference ON print_jobs (reference) WHERE reference IS NOT NULL;
    CREATE TRIGGER print_jobs_immutable BEFORE UPDATE OF id, seq, kind, reference, document, created_at, reprint_of
      ON print_jobs BEGIN SELECT RAISE(ABORT, 'print_jobs: a job''s identity and document never change'); END;
    -- A job not yet printed (or given up) is never dropped.
    CREATE TRIGGER print_jobs_keep_open BEFORE DELETE ON print_jobs
      WHEN OLD.state IN ('queued', 'printing')
      BEGIN SELECT RAISE(ABORT, 'print_jobs: a queued or printing job cannot be deleted'); END;
  `);
}
