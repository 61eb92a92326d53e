import type BetterSqlite3 from 'better-sqlite3';

export const version = 1;
export const name = 'initial';

/**
 * First schema. Personal fields are `*_enc` BLOBs (field-cipher envelopes); they are NULL only after
 * a retention purge. ID numbers are searchable only through `applicant_id_index` (a blind index).
 * Times are ISO-8601 UTC strings; business dates are local `YYYY-MM-DD`.
 */
export function up(db: BetterSqlite3.Database): void {
  db.exec(`
    CREATE TABLE counters (
      id             TEXT PRIMARY KEY,
      number         INTEGER NOT NULL UNIQUE CHECK (number > 0),
      name           TEXT NOT NULL,
      zone           TEXT NOT NULL,
      service_groups TEXT NOT NULL DEFAULT '[]'
                     CHECK (json_valid(service_groups) AND json_type(service_groups) = 'array'),
      active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
    ) STRICT;

    CREATE TABLE users (
      id               TEXT PRIMARY KEY,
      user_name        TEXT NOT NULL UNIQUE,
      display_name_enc BLOB NOT NULL,
      role             TEXT NOT NULL CHECK (role IN ('clerk', 'kiosk', 'supervisor', 'technician', 'admin')),
      counter_id       TEXT NULL REFERENCES counters (id),
      password_hash    TEXT NOT NULL,
      failed_attempts  INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
      locked_until     TEXT NULL,
      updated_at       TEXT NOT NULL
    ) STRICT;

    CREATE TABLE tickets (
      id                 TEXT PRIMARY KEY,
      number             TEXT NOT NULL,
      group_code         TEXT NOT NULL,
      business_date      TEXT NOT NULL
                         CHECK (business_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
      issued_at          TEXT NOT NULL,
      state              TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN
                           ('waiting', 'called', 'recalled', 'serving', 'suspended', 'transferred', 'done', 'skipped')),
      counter_id         TEXT NULL REFERENCES counters (id),
      applicant_id_index TEXT NULL,
      priority           TEXT NULL,
      called_at          TEXT NULL,
      served_at          TEXT NULL,
      finished_at        TEXT NULL,
      recall_count       INTEGER NOT NULL DEFAULT 0 CHECK (recall_count >= 0),
      UNIQUE (business_date, number)
    ) STRICT;
    CREATE INDEX tickets_by_day_state ON tickets (business_date, state, issued_at);

    CREATE TABLE cases (
      id                    TEXT PRIMARY KEY,
      receipt_no            TEXT NOT NULL UNIQUE,
      ticket_id             TEXT NULL REFERENCES tickets (id),
      service_item_code     TEXT NOT NULL,
      state                 TEXT NOT NULL CHECK (state IN
                              ('draft', 'received', 'correction', 'rejected', 'accepted', 'reviewing', 'paused',
                               'approved', 'denied', 'completed', 'delivered', 'archived', 'withdrawn')),
      tolerated             INTEGER NOT NULL DEFAULT 0 CHECK (tolerated IN (0, 1)),
      applicant_name_enc    BLOB NULL,
      applicant_id_enc      BLOB NULL,
      applicant_id_index    TEXT NULL,
      applicant_address_enc BLOB NULL,
      applicant_phone_enc   BLOB NULL,
      counter_id            TEXT NULL REFERENCES counters (id),
      clerk_user_id         TEXT NULL REFERENCES users (id),
      created_at            TEXT NOT NULL,
      updated_at            TEXT NOT NULL,
      deadline              TEXT NULL
    ) STRICT;
    CREATE INDEX cases_by_applicant_id_index ON cases (applicant_id_index);

    CREATE TABLE case_events (
      id            INTEGER PRIMARY KEY AUTOINCREMENT,
      case_id       TEXT NOT NULL REFERENCES cases (id),
      from_state    TEXT NULL,
      to_state      TEXT NOT NULL,
      actor_user_id TEXT NOT NULL,
      at            TEXT NOT NULL,
      reason        TEXT NULL
    ) STRICT;
    CREATE INDEX case_events_by_case ON case_events (case_id, id);
    CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
      BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
    CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
      BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;

    -- seq is assigned by the writer as max(seq) + 1 inside its transaction: gapless per console.
    CREATE TABLE outbox (
      seq            INTEGER PRIMARY KEY CHECK (seq > 0),
      mutation_id    TEXT NOT NULL UNIQUE,
      schema_version INTEGER NOT NULL,
      hlc            TEXT NOT NULL,
      type           TEXT NOT NULL,
      payload        TEXT NOT NULL CHECK (json_valid(payload)),
      created_at     TEXT NOT NULL,
      acked_at       TEXT NULL,
      status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'acked', 'rejected')),
      reject_reason  TEXT NULL
    ) STRICT;
    CREATE INDEX outbox_pending ON outbox (seq) WHERE status = 'pending';
    -- Only the delivery columns change after insert.
    CREATE TRIGGER outbox_immutable BEFORE UPDATE OF seq, mutation_id, schema_version, hlc, type, payload, created_at
      ON outbox BEGIN SELECT RAISE(ABORT, 'outbox rows are immutable except their delivery status'); END;
    -- A pending row is never dropped, and the newest row is kept so max(seq) never goes back.
    CREATE TRIGGER outbox_keep BEFORE DELETE ON outbox
      WHEN OLD.status = 'pending' OR OLD.seq = (SELECT max(seq) FROM outbox)
      BEGIN SELECT RAISE(ABORT, 'outbox: pending rows and the newest row cannot be deleted'); END;

    CREATE TABLE settings (
      key        TEXT PRIMARY KEY,
      value      TEXT NOT NULL CHECK (json_valid(value)),
      updated_at TEXT NOT NULL
    ) STRICT;
  `);
}
