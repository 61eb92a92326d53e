import type BetterSqlite3 from 'better-sqlite3';

export const version = 7;
export const name = 'sync-state';

/**
 * What the console's sync client keeps (issue 6, slice 3; docs/sync.md "The console's client"):
 * - one download cursor per bucket (`"<epoch>:<serverSeq>"`, with the epoch split out for queries),
 *   written in the same transaction as the changes it closes;
 * - the device allowlist the hub publishes (bucket `devices`);
 * - which rejected outbox rows were resolved by a NEW outbox row (outbox rows are immutable; the
 *   "needs correction" list is `outbox.status = 'rejected'` without a resolution);
 * - indexes for the needs-correction list and the retention job on acked rows.
 */
export function up(db: BetterSqlite3.Database): void {
  db.exec(`
    CREATE TABLE sync_cursors (
      bucket     TEXT PRIMARY KEY,
      cursor     TEXT NOT NULL,
      epoch      TEXT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE sync_devices (
      id         TEXT PRIMARY KEY,
      body       TEXT NOT NULL CHECK (json_valid(body)),
      updated_at TEXT NOT NULL
    ) STRICT;

    -- No foreign key to outbox: the retention job may delete an old resolved rejected row.
    CREATE TABLE outbox_resolutions (
      rejected_seq INTEGER PRIMARY KEY CHECK (rejected_seq > 0),
      resent_seq   INTEGER NOT NULL CHECK (resent_seq > rejected_seq),
      resolved_at  TEXT NOT NULL
    ) STRICT;

    CREATE INDEX outbox_rejected ON outbox (seq) WHERE status = 'rejected';
    CREATE INDEX outbox_acked_at ON outbox (acked_at) WHERE status = 'acked';
  `);
}
