import type BetterSqlite3 from 'better-sqlite3';

export const version = 6;
export const name = 'intake';

/**
 * What the counter's intake needs (issue 5):
 * - cases gain the agent (代办), the materials checklist, the 容缺 commitment, the fees and their
 *   payment, the credit decision, the 实人 check and the pauses of the legal clock;
 * - the catalog and the credit lists the hub publishes (seeded locally for a new hall);
 * - intake drafts (encrypted: they hold the clear card data until the case is written);
 * - receipt-number sequences per console and day;
 * - ratings (好差评) and their callbacks (回访);
 * - a general append-only audit log (reprints, credit waivers, discarded drafts, help calls).
 */
export function up(db: BetterSqlite3.Database): void {
  db.exec(`
    ALTER TABLE cases ADD COLUMN agent_name_enc BLOB NULL;
    ALTER TABLE cases ADD COLUMN agent_id_enc BLOB NULL;
    ALTER TABLE cases ADD COLUMN materials TEXT NOT NULL DEFAULT '[]'
      CHECK (json_valid(materials) AND json_type(materials) = 'array');
    ALTER TABLE cases ADD COLUMN commitment_deadline TEXT NULL;
    ALTER TABLE cases ADD COLUMN commitment_fulfilled_at TEXT NULL;
    ALTER TABLE cases ADD COLUMN fee_total_fen INTEGER NOT NULL DEFAULT 0 CHECK (fee_total_fen >= 0);
    ALTER TABLE cases ADD COLUMN payment_code TEXT NULL;
    ALTER TABLE cases ADD COLUMN paid_at TEXT NULL;
    ALTER TABLE cases ADD COLUMN paid_via TEXT NULL;
    ALTER TABLE cases ADD COLUMN credit TEXT NULL CHECK (credit IS NULL OR json_valid(credit));
    ALTER TABLE cases ADD COLUMN face_check_id TEXT NULL REFERENCES face_checks (id);
    ALTER TABLE cases ADD COLUMN pauses TEXT NOT NULL DEFAULT '[]'
      CHECK (json_valid(pauses) AND json_type(pauses) = 'array');
    ALTER TABLE cases ADD COLUMN correction_rounds INTEGER NOT NULL DEFAULT 0 CHECK (correction_rounds >= 0);
    ALTER TABLE cases ADD COLUMN business_date TEXT NULL;
    ALTER TABLE cases ADD COLUMN decision_reason TEXT NULL;
    ALTER TABLE cases ADD COLUMN return_by TEXT NULL;

    -- The clerk's list: open cases of a counter by deadline, every case newest first, by day.
    CREATE INDEX cases_by_counter_state_deadline ON cases (counter_id, state, deadline);
    CREATE INDEX cases_by_state_deadline ON cases (state, deadline);
    -- History newest first, also within a date range: (business_date, created_at) is the order.
    CREATE INDEX cases_by_counter_day ON cases (counter_id, business_date, created_at);
    CREATE INDEX cases_by_clerk_day ON cases (clerk_user_id, business_date, created_at);
    CREATE INDEX cases_by_day ON cases (business_date, created_at);
    CREATE INDEX cases_commitments_open ON cases (commitment_deadline)
      WHERE commitment_deadline IS NOT NULL AND commitment_fulfilled_at IS NULL;
    CREATE INDEX cases_by_payment_code ON cases (payment_code) WHERE payment_code IS NOT NULL;

    CREATE TABLE catalog_items (
      code       TEXT PRIMARY KEY,
      body       TEXT NOT NULL CHECK (json_valid(body)),
      version    TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;

    -- 失信被执行人 / 重点关注: the hub publishes SHA-256 hashes of ID numbers, never the numbers.
    CREATE TABLE credit_entries (
      id_hash      TEXT PRIMARY KEY CHECK (length(id_hash) = 64),
      standing     TEXT NOT NULL CHECK (standing IN ('good', 'dishonest', 'watch')),
      measures     TEXT NOT NULL CHECK (json_valid(measures) AND json_type(measures) = 'array'),
      list_version TEXT NOT NULL
    ) STRICT;

    -- One draft per counter; body_enc holds the clear card data encrypted (field cipher).
    CREATE TABLE intake_drafts (
      counter_id TEXT PRIMARY KEY REFERENCES counters (id),
      id         TEXT NOT NULL UNIQUE,
      user_id    TEXT NOT NULL REFERENCES users (id),
      body_enc   BLOB NOT NULL,
      started_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE receipt_sequences (
      console_code  TEXT NOT NULL,
      business_date TEXT NOT NULL,
      last          INTEGER NOT NULL CHECK (last > 0),
      PRIMARY KEY (console_code, business_date)
    ) STRICT;

    -- A handling waiting for its one rating (一次一评); rated_at set once.
    CREATE TABLE rating_requests (
      id                TEXT PRIMARY KEY,
      counter_id        TEXT NULL REFERENCES counters (id),
      ticket_id         TEXT NULL REFERENCES tickets (id),
      case_id           TEXT NULL REFERENCES cases (id),
      service_item_code TEXT NULL,
      clerk_user_id     TEXT NULL REFERENCES users (id),
      created_at        TEXT NOT NULL,
      rated_at          TEXT NULL,
      expired_at        TEXT NULL
    ) STRICT;
    CREATE INDEX rating_requests_open ON rating_requests (counter_id, created_at) WHERE rated_at IS NULL AND expired_at IS NULL;
    CREATE INDEX rating_requests_by_case ON rating_requests (case_id);

    CREATE TABLE ratings (
      id          TEXT PRIMARY KEY,
      request_id  TEXT NOT NULL UNIQUE REFERENCES rating_requests (id),
      level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
      reasons     TEXT NOT NULL CHECK (json_valid(reasons) AND json_type(reasons) = 'array'),
      comment_enc BLOB NULL,
      rated_at    TEXT NOT NULL
    ) STRICT;
    CREATE TRIGGER ratings_no_update BEFORE UPDATE ON ratings
      BEGIN SELECT RAISE(ABORT, 'ratings are append-only'); END;

    CREATE TABLE callbacks (
      id           TEXT PRIMARY KEY,
      rating_id    TEXT NOT NULL UNIQUE REFERENCES ratings (id),
      opened_at    TEXT NOT NULL,
      fix_deadline TEXT NOT NULL,
      state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
      closed_at    TEXT NULL,
      closed_by    TEXT NULL REFERENCES users (id),
      note         TEXT NULL,
      CHECK ((state = 'closed') = (closed_at IS NOT NULL))
    ) STRICT;
    CREATE INDEX callbacks_open ON callbacks (state, fix_deadline);

    CREATE TABLE audit_log (
      id       INTEGER PRIMARY KEY AUTOINCREMENT,
      at       TEXT NOT NULL,
      actor    TEXT NULL,
      action   TEXT NOT NULL,
      subject  TEXT NULL,
      detail   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail))
    ) STRICT;
    CREATE INDEX audit_log_by_subject ON audit_log (subject, id);
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
  `);
}
