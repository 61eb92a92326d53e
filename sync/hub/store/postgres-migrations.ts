/**
 * Hub schema on PostgreSQL, one entry per version, recorded in `hub_migrations`. The adapter applies
 * them at open under an advisory lock, so hub processes starting together never race. Append new
 * versions; never edit a released one. JSON is kept as text (exactly what is sent; jsonb would refuse
 * a `\u0000` escape and make such a mutation impossible to quarantine).
 */
export interface PgMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const HUB_PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'hub-initial',
    sql: `
      CREATE TABLE hub_meta (
        key   text PRIMARY KEY,
        value text NOT NULL
      );

      CREATE TABLE hub_consoles (
        console_id    text PRIMARY KEY,
        public_key    text NOT NULL,
        status        text NOT NULL CHECK (status IN ('active', 'revoked')),
        last_applied  bigint NOT NULL DEFAULT 0 CHECK (last_applied >= 0),
        registered_at timestamptz NOT NULL,
        revoked_at    timestamptz
      );

      CREATE TABLE hub_mutations (
        mutation_id    text PRIMARY KEY,
        console_id     text NOT NULL REFERENCES hub_consoles (console_id),
        seq            bigint NOT NULL,
        schema_version integer NOT NULL,
        hlc            text NOT NULL,
        type           text NOT NULL,
        payload        text NOT NULL,
        content_hash   text NOT NULL,
        applied_at     timestamptz NOT NULL
      );
      CREATE INDEX hub_mutations_console ON hub_mutations (console_id, seq);

      CREATE TABLE hub_console_seqs (
        console_id  text NOT NULL REFERENCES hub_consoles (console_id),
        seq         bigint NOT NULL,
        mutation_id text,
        outcome     text NOT NULL CHECK (outcome IN ('applied', 'duplicate', 'rejected')),
        reason      text,
        PRIMARY KEY (console_id, seq)
      );

      CREATE TABLE hub_quarantine (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        console_id  text NOT NULL,
        seq         bigint NOT NULL,
        mutation_id text,
        type        text,
        raw         text NOT NULL,
        reason      text NOT NULL,
        received_at timestamptz NOT NULL
      );
      CREATE INDEX hub_quarantine_console ON hub_quarantine (console_id, id);

      -- serverSeq comes from this sequence; appends hold an EXCLUSIVE lock on hub_changes until commit,
      -- so serverSeqs become visible in increasing order and a cursor never skips a late commit.
      CREATE SEQUENCE hub_server_seq AS bigint;
      CREATE TABLE hub_changes (
        server_seq bigint PRIMARY KEY,
        bucket     text NOT NULL,
        op         text NOT NULL CHECK (op IN ('put', 'delete')),
        key        text NOT NULL,
        value      text,
        created_at timestamptz NOT NULL
      );
      CREATE INDEX hub_changes_bucket ON hub_changes (bucket, server_seq);
    `,
  },
  {
    version: 2,
    name: 'change-tags-and-hellos',
    sql: `
      -- A random tag per change, carried in cursors (see the SQLite migration 2 and docs/sync.md).
      ALTER TABLE hub_changes ADD COLUMN tag text;

      -- hello signatures seen recently (replay refusal across hub processes).
      CREATE TABLE hub_hellos (
        console_id text NOT NULL,
        issued_at  text NOT NULL,
        issued_ms  bigint NOT NULL,
        PRIMARY KEY (console_id, issued_at)
      );
    `,
  },
  {
    version: 3,
    name: 'enrollments',
    sql: `
      -- One-time enrollment codes (see the SQLite migration 3 and docs/security.md "Enrollment").
      CREATE TABLE hub_enrollments (
        console_id text PRIMARY KEY,
        role       text NOT NULL CHECK (role IN ('clerk', 'kiosk', 'supervisor')),
        counter    integer CHECK (counter BETWEEN 1 AND 999),
        hall       text,
        code_hash  text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at    timestamptz,
        attempts   integer NOT NULL DEFAULT 0 CHECK (attempts >= 0)
      );
    `,
  },
  {
    version: 4,
    name: 'hall-scope',
    sql: `
      -- Per-hall buckets (see the SQLite migration 4 and docs/sync.md "Halls").
      ALTER TABLE hub_consoles ADD COLUMN hall_id text;
      ALTER TABLE hub_changes ADD COLUMN hall_id text;
      CREATE INDEX hub_changes_hall ON hub_changes (bucket, hall_id, server_seq);
    `,
  },
  {
    version: 5,
    name: 'audit-head-index',
    sql: `
      -- A console's latest audit.head (see the SQLite migration 5 and docs/security.md "Audit chain").
      CREATE INDEX hub_mutations_audit_head ON hub_mutations (console_id, seq) WHERE type = 'audit.head';
    `,
  },
  {
    version: 6,
    name: 'lean-push',
    sql: `
      -- How the hub stores a push (see the SQLite migration 6 and docs/sync.md).
      ALTER TABLE hub_mutations ALTER COLUMN content_hash DROP NOT NULL;
      DELETE FROM hub_console_seqs WHERE outcome = 'applied';
      ALTER TABLE hub_changes ADD COLUMN first_seq bigint;
      ALTER TABLE hub_changes ADD COLUMN console_id text;
      ALTER TABLE hub_changes ADD COLUMN seq_from bigint;
      UPDATE hub_changes
         SET first_seq = server_seq, console_id = value::jsonb ->> 'consoleId', seq_from = (value::jsonb ->> 'seq')::bigint, value = NULL
       WHERE bucket = 'hall_cases';
    `,
  },
  {
    version: 7,
    name: 'enrollment-hall-id',
    sql: `
      -- The hall id an enrollment code sets on the console (see the SQLite migration 7).
      ALTER TABLE hub_enrollments ADD COLUMN hall_id text;
    `,
  },
];

export const HUB_PG_SCHEMA_VERSION: number = HUB_PG_MIGRATIONS.at(-1)?.version ?? 0;
