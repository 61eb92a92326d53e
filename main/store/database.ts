import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseNotSqliteError, DatabaseTooNewError, StoreError } from './errors';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations/index';

export { SCHEMA_VERSION } from './migrations/index';
export { DatabaseTooNewError } from './errors';

import { systemClock, type Clock } from '../domain/clock';

export { systemClock, type Clock } from '../domain/clock';

export interface HallDatabase {
  readonly file: string;
  /** The better-sqlite3 handle, for repositories and migrations. */
  readonly sql: Database.Database;
  /** Schema version after migrations ran (equals SCHEMA_VERSION). */
  readonly schemaVersion: number;
  readonly now: Clock;
  /**
   * A prepared statement for this SQL text, prepared once per connection (preparing costs tens of µs,
   * a 受理 runs some twenty statements). Reading statements come back in their default row mode, so a
   * caller's `.pluck()` does not leak into the next; a statement still being iterated is not shared.
   */
  prepare(sql: string): Database.Statement;
  /** Runs fn in one IMMEDIATE transaction (a savepoint when already inside one); rolls back on throw. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

export interface OpenOptions {
  now?: Clock;
  /** Quiet time after the last write before a passive WAL checkpoint (0 = only SQLite's own). */
  idleCheckpointMs?: number;
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * The schema version of an existing file, found without writing anything and without creating
 * -wal/-shm files. A read-only SQLite connection to a WAL database creates both sidecars, so when no
 * -wal file is present (the main file then holds every committed page) we read `user_version` from
 * the 100-byte header (offset 60, big-endian). When a -wal file is left over, the header may be stale:
 * we open read-only, which reads the WAL and does not checkpoint it into the main file.
 */
export function peekUserVersion(file: string): number {
  if (existsSync(`${file}-wal`) || existsSync(`${file}-journal`)) {
    const ro = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return Number(ro.pragma('user_version', { simple: true }));
    } finally {
      ro.close();
    }
  }
  const header = Buffer.alloc(100);
  const fd = openSync(file, 'r');
  let read: number;
  try {
    read = readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (read === 0) return 0; // an empty file is a new database to SQLite
  if (read < header.length || !header.subarray(0, 16).equals(SQLITE_MAGIC)) {
    throw new DatabaseNotSqliteError(file);
  }
  return header.readUInt32BE(60);
}

function userVersion(sql: Database.Database): number {
  return Number(sql.pragma('user_version', { simple: true }));
}

function checkContiguous(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new StoreError('migrations_invalid', `migration ${m.name} has version ${m.version}, expected ${i + 1}`);
    }
  });
}

/**
 * Applies every migration above the current `user_version`, each in its own IMMEDIATE transaction
 * that also sets `user_version`. Re-reads the version inside the transaction, so two processes
 * opening the same file never apply a migration twice. Returns the final version.
 */
export function runMigrations(sql: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  checkContiguous(migrations);
  for (const m of migrations) {
    if (userVersion(sql) >= m.version) continue;
    sql
      .transaction(() => {
        if (userVersion(sql) >= m.version) return;
        m.up(sql);
        const broken = sql.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) {
          throw new StoreError('migration_failed', `migration ${m.version}-${m.name} left ${broken.length} broken foreign keys`);
        }
        sql.pragma(`user_version = ${m.version}`);
      })
      .immediate();
  }
  return userVersion(sql);
}

/**
 * Opens (or creates) the console database. Refuses, before any write, a file whose schema is newer
 * than this build knows (DatabaseTooNewError; the file is left byte-for-byte as it was).
 */
export function openDatabase(file: string, opts: OpenOptions = {}): HallDatabase {
  const known = SCHEMA_VERSION;
  const inMemory = file === ':memory:';
  const isNew = !inMemory && !existsSync(file);
  if (!inMemory && !isNew) {
    const found = peekUserVersion(file);
    if (found > known) throw new DatabaseTooNewError(file, found, known);
  }
  if (isNew) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });

  const sql = new Database(file);
  try {
    // Owner-only; SQLite gives the -wal/-shm files the same mode. (No POSIX modes on Windows.)
    if (isNew && process.platform !== 'win32') chmodSync(file, 0o600);
    // Check again on the real connection before the first write (another process may have migrated).
    const found = userVersion(sql);
    if (found > known) throw new DatabaseTooNewError(file, found, known);
    if (!inMemory) sql.pragma('journal_mode = WAL');
    sql.pragma('foreign_keys = ON');
    sql.pragma('busy_timeout = 5000');
    sql.pragma('synchronous = NORMAL');
    // Freed cells and pages are zeroed (retention purge, deleted drafts, pruned outbox rows): erased
    // personal fields leave no ciphertext behind in the file (docs/security.md "Reveal and retention").
    sql.pragma('secure_delete = ON');
    // 32 MiB of page cache: the case indexes of a few years stay in memory (default is 2 MiB).
    sql.pragma('cache_size = -32768');
    // Checkpoints copy the WAL back into the file; done inside a commit they stall that commit for
    // tens of ms. They run when the console is idle (below); this is only the safety net (~40 MiB).
    if (!inMemory) sql.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    runMigrations(sql);
  } catch (err) {
    sql.close();
    throw err;
  }

  // Idle checkpointing: a quiet moment after the last write (a counter has many between handlings).
  let idleTimer: ReturnType<typeof setTimeout> | null = null;
  const idleMs = opts.idleCheckpointMs ?? IDLE_CHECKPOINT_MS;
  const scheduleCheckpoint = (): void => {
    if (inMemory || idleMs <= 0) return;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      idleTimer = null;
      if (sql.open && !sql.inTransaction) sql.pragma('wal_checkpoint(PASSIVE)');
    }, idleMs);
    idleTimer.unref?.();
  };

  const prepare = statementCache(sql);

  return {
    file,
    sql,
    prepare,
    schemaVersion: userVersion(sql),
    now: opts.now ?? systemClock,
    transaction: <T>(fn: () => T): T => {
      const outermost = !sql.inTransaction;
      const result = sql.transaction(fn).immediate();
      if (outermost) scheduleCheckpoint();
      return result;
    },
    close: () => {
      if (idleTimer) clearTimeout(idleTimer);
      sql.close();
    },
  };
}

/** Distinct SQL texts kept prepared per connection (the console has ~150, the hub ~60). */
const MAX_CACHED_STATEMENTS = 1000;

/**
 * Statements prepared once per connection, by SQL text (the console's HallDatabase.prepare, the hub's
 * SqliteHubStore). A reading statement comes back in its default row mode, so a caller's `.pluck()`
 * does not leak into the next; one still being iterated is not shared (a fresh one is prepared).
 */
export function statementCache(sql: Database.Database): (text: string) => Database.Statement {
  const statements = new Map<string, Database.Statement>();
  return (text) => {
    const cached = statements.get(text);
    if (cached !== undefined && !cached.busy) {
      if (cached.reader) cached.raw(false).pluck(false).expand(false);
      return cached;
    }
    const fresh = sql.prepare(text);
    // Dynamic SQL (an UPDATE of the fields given) has a few shapes; anything beyond is a bug, not a cache.
    if (statements.size >= MAX_CACHED_STATEMENTS) statements.clear();
    statements.set(text, fresh);
    return fresh;
  };
}

/** WAL pages before SQLite checkpoints inside a commit (safety net; ~40 MiB at 4 KiB pages). */
export const AUTOCHECKPOINT_PAGES = 10_000;
/** Quiet time after the last write before the WAL is checkpointed. */
export const IDLE_CHECKPOINT_MS = 2_000;
