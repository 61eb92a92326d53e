import type BetterSqlite3 from 'better-sqlite3';

export const version = 8;
export const name = 'hall-cases';

/**
 * Sync: the supervisor's hall-wide case view and needs-correction dismissals (issue 6; docs/sync.md
 * "Hall-wide cases" and "Needs correction").
 * - `hall_case_events`: the `hall_cases` bucket as downloaded, one row per case mutation of any console
 *   (keyed by mutationId, so a change that comes twice is kept once). Only the fields the view needs are
 *   kept; the hub's payload carries no personal data and nothing else of it is stored.
 * - `hall_cases`: the per-case row folded from those events (rebuilt from them, so the order the events
 *   arrive in never matters).
 * - `outbox_dismissals`: a rejected outbox row marked 已处理 by a clerk or supervisor without resending
 *   (reason and who, audited); it leaves the needs-correction list like a resolved one.
 */
export function up(db: BetterSqlite3.Database): void {
  db.exec(`
    CREATE TABLE hall_case_events (
      mutation_id  TEXT PRIMARY KEY,
      server_seq   INTEGER NOT NULL,
      case_id      TEXT NOT NULL,
      console_id   TEXT NOT NULL,
      console_seq  INTEGER NOT NULL,
      hlc          TEXT NOT NULL,
      type         TEXT NOT NULL,
      body         TEXT NOT NULL CHECK (json_valid(body))
    ) STRICT;
    CREATE INDEX hall_case_events_case ON hall_case_events (case_id);

    CREATE TABLE hall_cases (
      case_id           TEXT PRIMARY KEY,
      receipt_no        TEXT NULL,
      service_item_code TEXT NULL,
      state             TEXT NULL,
      counter_id        TEXT NULL,
      console_id        TEXT NOT NULL,
      accepted_at       TEXT NULL,
      updated_at        TEXT NOT NULL,
      deadline          TEXT NULL,
      commitment_deadline TEXT NULL,
      tolerated         INTEGER NOT NULL DEFAULT 0,
      events            INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX hall_cases_state ON hall_cases (state);
    CREATE INDEX hall_cases_counter ON hall_cases (counter_id);

    CREATE TABLE outbox_dismissals (
      rejected_seq INTEGER PRIMARY KEY CHECK (rejected_seq > 0),
      reason       TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
      user_id      TEXT NOT NULL,
      dismissed_at TEXT NOT NULL
    ) STRICT;
  `);
}
