/**
 * Hub schema on SQLite, one entry per `PRAGMA user_version` (the console's runner applies them:
 * main/store/database.ts runMigrations). Append new versions; never edit a released one.
 * Times are ISO-8601 UTC text; JSON columns hold JSON text exactly as it will be sent.
 */
import type { Migration } from '../../../main/store/migrations/migration';

export const HUB_SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'hub-initial',
    up(db) {
      db.exec(`
        CREATE TABLE hub_meta (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL
        ) STRICT;

        CREATE TABLE hub_consoles (
          console_id    TEXT PRIMARY KEY,
          public_key    TEXT NOT NULL,
          status        TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
          last_applied  INTEGER NOT NULL DEFAULT 0 CHECK (last_applied >= 0),
          registered_at TEXT NOT NULL,
          revoked_at    TEXT
        ) STRICT;

        -- Applied mutations, once each (mutation_id is global: the cross-console dedupe key).
        CREATE TABLE hub_mutations (
          mutation_id    TEXT NOT NULL PRIMARY KEY,
          console_id     TEXT NOT NULL REFERENCES hub_consoles (console_id),
          seq            INTEGER NOT NULL,
          schema_version INTEGER NOT NULL,
          hlc            TEXT NOT NULL,
          type           TEXT NOT NULL,
          payload        TEXT NOT NULL,
          content_hash   TEXT NOT NULL,
          applied_at     TEXT NOT NULL
        ) STRICT;
        CREATE INDEX hub_mutations_console ON hub_mutations (console_id, seq);

        -- What became of every seq a console used (applied, duplicate of a stored mutation, rejected).
        CREATE TABLE hub_console_seqs (
          console_id  TEXT NOT NULL REFERENCES hub_consoles (console_id),
          seq         INTEGER NOT NULL,
          mutation_id TEXT,
          outcome     TEXT NOT NULL CHECK (outcome IN ('applied', 'duplicate', 'rejected')),
          reason      TEXT,
          PRIMARY KEY (console_id, seq)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE hub_quarantine (
          id          INTEGER PRIMARY KEY AUTOINCREMENT,
          console_id  TEXT NOT NULL,
          seq         INTEGER NOT NULL,
          mutation_id TEXT,
          type        TEXT,
          raw         TEXT NOT NULL,
          reason      TEXT NOT NULL,
          received_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX hub_quarantine_console ON hub_quarantine (console_id, id);

        -- The change log. AUTOINCREMENT: a serverSeq is never reused, even after the newest rows are deleted.
        CREATE TABLE hub_changes (
          server_seq INTEGER PRIMARY KEY AUTOINCREMENT,
          bucket     TEXT NOT NULL,
          op         TEXT NOT NULL CHECK (op IN ('put', 'delete')),
          key        TEXT NOT NULL,
          value      TEXT,
          created_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX hub_changes_bucket ON hub_changes (bucket, server_seq);
      `);
    },
  },
  {
    version: 2,
    name: 'change-tags-and-hellos',
    up(db) {
      db.exec(`
        -- A random tag per change, carried in cursors: a hub that lost its last commits but kept its
        -- epoch (lost fsync, a file copied back) reuses serverSeqs; the tag tells the console's cursor
        -- points at a change that no longer exists. Rows from before this version have no tag.
        ALTER TABLE hub_changes ADD COLUMN tag TEXT;

        -- hello signatures seen recently (replay refusal across hub processes on one database).
        CREATE TABLE hub_hellos (
          console_id TEXT NOT NULL,
          issued_at  TEXT NOT NULL,
          issued_ms  INTEGER NOT NULL,
          PRIMARY KEY (console_id, issued_at)
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 3,
    name: 'enrollments',
    up(db) {
      db.exec(`
        -- One-time enrollment codes (docs/security.md "Enrollment"): one pending code per console id,
        -- kept only as a salted scrypt hash; used_at set when consumed; attempts counts wrong codes.
        CREATE TABLE hub_enrollments (
          console_id TEXT PRIMARY KEY,
          role       TEXT NOT NULL CHECK (role IN ('clerk', 'kiosk', 'supervisor')),
          counter    INTEGER CHECK (counter BETWEEN 1 AND 999),
          hall       TEXT,
          code_hash  TEXT NOT NULL,
          created_at TEXT NOT NULL,
          expires_at TEXT NOT NULL,
          used_at    TEXT,
          attempts   INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0)
        ) STRICT;
      `);
    },
  },
  {
    version: 4,
    name: 'hall-scope',
    up(db) {
      db.exec(`
        -- Per-hall buckets (docs/sync.md "Halls"): a console belongs to at most one hall; a change is for
        -- one hall or (NULL) for every hall. hall_cases rows carry the pushing console's hall.
        ALTER TABLE hub_consoles ADD COLUMN hall_id TEXT;
        ALTER TABLE hub_changes ADD COLUMN hall_id TEXT;
        CREATE INDEX hub_changes_hall ON hub_changes (bucket, hall_id, server_seq);
      `);
    },
  },
  {
    version: 5,
    name: 'audit-head-index',
    up(db) {
      db.exec(`
        -- A console's latest audit.head, read by every push that carries one (docs/security.md "Audit
        -- chain"): partial, so the other mutations pay nothing for it.
        CREATE INDEX hub_mutations_audit_head ON hub_mutations (console_id, seq) WHERE type = 'audit.head';
      `);
    },
  },
  {
    version: 6,
    name: 'lean-push',
    up(db) {
      db.exec(`
        -- How the hub stores a push (docs/sync.md): per applied mutation one hub_mutations row and nothing
        -- else. (1) content_hash becomes optional: new rows are hashed only when a mutationId comes again.
        CREATE TABLE hub_mutations_v6 (
          mutation_id    TEXT NOT NULL PRIMARY KEY,
          console_id     TEXT NOT NULL REFERENCES hub_consoles (console_id),
          seq            INTEGER NOT NULL,
          schema_version INTEGER NOT NULL,
          hlc            TEXT NOT NULL,
          type           TEXT NOT NULL,
          payload        TEXT NOT NULL,
          content_hash   TEXT,
          applied_at     TEXT NOT NULL
        ) STRICT;
        INSERT INTO hub_mutations_v6 (mutation_id, console_id, seq, schema_version, hlc, type, payload, content_hash, applied_at)
          SELECT mutation_id, console_id, seq, schema_version, hlc, type, payload, content_hash, applied_at FROM hub_mutations ORDER BY rowid;
        DROP TABLE hub_mutations;
        ALTER TABLE hub_mutations_v6 RENAME TO hub_mutations;
        CREATE INDEX hub_mutations_console ON hub_mutations (console_id, seq);
        CREATE INDEX hub_mutations_audit_head ON hub_mutations (console_id, seq) WHERE type = 'audit.head';

        -- (2) An applied seq is its hub_mutations row; the ledger keeps duplicates and rejections only.
        DELETE FROM hub_console_seqs WHERE outcome = 'applied';

        -- (3) hall_cases: one row per push for its case.* mutations (a range), read back from hub_mutations.
        -- The row's server_seq is the range's last serverSeq, first_seq its first; the mutation of seq k
        -- has serverSeq first_seq + (k - seq_from). Rows of other buckets leave the three columns NULL.
        ALTER TABLE hub_changes ADD COLUMN first_seq INTEGER;
        ALTER TABLE hub_changes ADD COLUMN console_id TEXT;
        ALTER TABLE hub_changes ADD COLUMN seq_from INTEGER;
        UPDATE hub_changes
           SET first_seq = server_seq, console_id = json_extract(value, '$.consoleId'), seq_from = json_extract(value, '$.seq'), value = NULL
         WHERE bucket = 'hall_cases';
      `);
    },
  },
  {
    version: 7,
    name: 'enrollment-hall-id',
    up(db) {
      db.exec(`
        -- An enrollment code may carry the hall id that scopes the console's buckets (docs/sync.md "Halls"):
        -- set on the console when the code is used, next to the hall name it shows.
        ALTER TABLE hub_enrollments ADD COLUMN hall_id TEXT;
      `);
    },
  },
];

export const HUB_SQLITE_SCHEMA_VERSION: number = HUB_SQLITE_MIGRATIONS.at(-1)?.version ?? 0;
