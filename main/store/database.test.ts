import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUTOCHECKPOINT_PAGES, DatabaseTooNewError, openDatabase, peekUserVersion, runMigrations, SCHEMA_VERSION } from './database';
import { DatabaseNotSqliteError, StoreError } from './errors';
import type { Migration } from './migrations/index';
import { tempDir } from './test-support';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('hall-db-');
});
afterEach(() => tmp.cleanup());

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A database as a newer hall-console would leave it: WAL mode, closed cleanly, higher user_version. */
function writeNewerDatabase(file: string, version: number, journalMode: 'WAL' | 'DELETE' = 'WAL'): void {
  const db = new Database(file);
  db.pragma(`journal_mode = ${journalMode}`);
  db.exec("CREATE TABLE future (x TEXT) STRICT; INSERT INTO future VALUES ('from the future');");
  db.pragma(`user_version = ${version}`);
  db.close();
}

function expectTooNew(file: string, found: number): DatabaseTooNewError {
  try {
    openDatabase(file);
  } catch (err) {
    expect(err).toBeInstanceOf(DatabaseTooNewError);
    if (err instanceof DatabaseTooNewError) return err;
  }
  throw new Error(`expected DatabaseTooNewError for version ${found}`);
}

describe('openDatabase', () => {
  it('creates a file database in WAL mode with the connection settings and the current schema', () => {
    const file = join(tmp.dir, 'hall.sqlite');
    const db = openDatabase(file);
    expect(db.sql.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.sql.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.sql.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.sql.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.sql.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.schemaVersion).toBe(SCHEMA_VERSION);
    expect(db.file).toBe(file);
    db.close();
  });

  it('checkpoints the WAL when idle after a write, not inside the commit', async () => {
    const file = join(tmp.dir, 'idle.sqlite');
    const db = openDatabase(file, { idleCheckpointMs: 30 });
    expect(db.sql.pragma('wal_autocheckpoint', { simple: true })).toBe(AUTOCHECKPOINT_PAGES);
    db.transaction(() => db.sql.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('k', '1', 't')").run());
    const walPages = () => (db.sql.pragma('wal_checkpoint(NOOP)') as { log: number; checkpointed: number }[])[0]!;
    expect(walPages().checkpointed).toBeLessThan(walPages().log); // committed, not yet copied back
    await new Promise((r) => setTimeout(r, 120));
    expect(walPages().checkpointed).toBe(walPages().log);
    db.close();
  });

  it('creates missing directories (0700) and a new file readable by its owner only', () => {
    const file = join(tmp.dir, 'data', 'hall.sqlite');
    const db = openDatabase(file);
    if (process.platform !== 'win32') {
      expect(statSync(join(tmp.dir, 'data')).mode & 0o777).toBe(0o700);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
    }
    db.close();
  });

  it('supports :memory:', () => {
    const db = openDatabase(':memory:');
    expect(db.sql.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.sql.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('uses the injected clock', () => {
    const at = new Date('2026-11-26T00:00:00Z');
    const db = openDatabase(':memory:', { now: () => at });
    expect(db.now()).toBe(at);
    db.close();
  });

  it('reopens an up-to-date database without running migrations again', () => {
    const file = join(tmp.dir, 'hall.sqlite');
    openDatabase(file).close();
    const db = openDatabase(file);
    expect(db.schemaVersion).toBe(SCHEMA_VERSION);
    expect(db.sql.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'cases'").get()).toEqual({ n: 1 });
    db.close();
  });

  it('prepare() keeps one statement per SQL text, in its default row mode, and never shares one being iterated', () => {
    const db = openDatabase(':memory:');
    db.sql.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES (\'a\'), (\'b\')');
    const text = 'SELECT v FROM t ORDER BY id';
    const first = db.prepare(text);
    expect(db.prepare(text)).toBe(first);
    expect(db.prepare(text).pluck().all()).toEqual(['a', 'b']);
    expect(db.prepare(text).all()).toEqual([{ v: 'a' }, { v: 'b' }]); // the pluck() above did not stay
    expect(db.prepare(text).raw().all()).toEqual([['a'], ['b']]);
    expect(db.prepare(text).get()).toEqual({ v: 'a' });
    // Iterating holds the statement: a nested use of the same text gets its own.
    const seen: unknown[] = [];
    for (const row of db.prepare(text).iterate()) seen.push(row, db.prepare(text).all().length);
    expect(seen).toEqual([{ v: 'a' }, 2, { v: 'b' }, 2]);
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    expect(db.prepare('INSERT INTO t (v) VALUES (?)')).toBe(insert);
    db.close();
  });

  it('transaction() commits, rolls back on throw and nests', () => {
    const db = openDatabase(':memory:');
    const put = (k: string): void => {
      db.sql.prepare("INSERT INTO settings (key, value, updated_at) VALUES (?, '1', 'now')").run(k);
    };
    db.transaction(() => put('a'));
    expect(() =>
      db.transaction(() => {
        put('b');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    const result = db.transaction(() => {
      put('c');
      try {
        db.transaction(() => {
          put('d');
          throw new Error('inner');
        });
      } catch {
        // the inner savepoint rolled back, the outer transaction goes on
      }
      return 42;
    });
    expect(result).toBe(42);
    expect(db.sql.prepare('SELECT key FROM settings ORDER BY key').pluck().all()).toEqual(['a', 'c']);
    db.close();
  });
});

describe('a database from a newer hall-console', () => {
  it('is refused before any write: same bytes, no -wal/-shm created (WAL file)', () => {
    const file = join(tmp.dir, 'hall.sqlite');
    const newer = SCHEMA_VERSION + 1;
    writeNewerDatabase(file, newer);
    const before = sha256(file);
    const listing = readdirSync(tmp.dir);
    expect(listing).toEqual(['hall.sqlite']);

    const err = expectTooNew(file, newer);
    expect(err.code).toBe('db_too_new');
    expect(err.foundVersion).toBe(newer);
    expect(err.knownVersion).toBe(SCHEMA_VERSION);
    expect(err.message).toBe(
      `database ${file} is schema version ${newer} but this console only knows up to ${SCHEMA_VERSION}: it was written ` +
        'by a newer hall-console; install that version or newer. The file was not changed.',
    );

    expect(sha256(file)).toBe(before);
    expect(readdirSync(tmp.dir)).toEqual(listing);
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(existsSync(`${file}-shm`)).toBe(false);
  });

  it('is refused the same way in rollback-journal mode', () => {
    const file = join(tmp.dir, 'hall.sqlite');
    writeNewerDatabase(file, SCHEMA_VERSION + 1, 'DELETE');
    const before = sha256(file);
    expect(expectTooNew(file, SCHEMA_VERSION + 1).code).toBe('db_too_new');
    expect(sha256(file)).toBe(before);
    expect(readdirSync(tmp.dir)).toEqual(['hall.sqlite']);
  });

  it('is refused when the newer version is only in a left-over WAL, which is neither checkpointed nor changed', () => {
    // Simulate a crash: copy the files while the writer still holds un-checkpointed pages in its WAL.
    const src = join(tmp.dir, 'writer.sqlite');
    const writer = new Database(src);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('CREATE TABLE future (x TEXT) STRICT');
    writer.pragma(`user_version = ${SCHEMA_VERSION + 3}`);
    const file = join(tmp.dir, 'hall.sqlite');
    copyFileSync(src, file);
    copyFileSync(`${src}-wal`, `${file}-wal`);
    writer.close();
    expect(readFileSync(file).readUInt32BE(60)).toBe(0); // the header alone would say "old"

    const mainBefore = sha256(file);
    const walBefore = sha256(`${file}-wal`);
    expect(expectTooNew(file, SCHEMA_VERSION + 3).foundVersion).toBe(SCHEMA_VERSION + 3);
    expect(sha256(file)).toBe(mainBefore);
    expect(sha256(`${file}-wal`)).toBe(walBefore);
  });

  it('peekUserVersion reads the header without touching the file', () => {
    const file = join(tmp.dir, 'hall.sqlite');
    writeNewerDatabase(file, 12);
    const before = sha256(file);
    expect(peekUserVersion(file)).toBe(12);
    expect(sha256(file)).toBe(before);
    expect(readdirSync(tmp.dir)).toEqual(['hall.sqlite']);
  });
});

describe('files that are not ours', () => {
  it('refuses a non-SQLite file without changing it', () => {
    const file = join(tmp.dir, 'notes.txt');
    writeFileSync(file, 'this is not a database, just some text that is long enough to fill a header.'.repeat(3));
    const before = sha256(file);
    expect(() => openDatabase(file)).toThrow(DatabaseNotSqliteError);
    expect(sha256(file)).toBe(before);
    expect(readdirSync(tmp.dir)).toEqual(['notes.txt']);
  });

  it('treats an empty file as a new database', () => {
    const file = join(tmp.dir, 'empty.sqlite');
    writeFileSync(file, '');
    const db = openDatabase(file);
    expect(db.schemaVersion).toBe(SCHEMA_VERSION);
    db.close();
  });
});

describe('runMigrations', () => {
  const create = (version: number, table: string): Migration => ({
    version,
    name: `create-${table}`,
    up: (db) => db.exec(`CREATE TABLE ${table} (x INTEGER) STRICT`),
  });

  it('applies pending migrations in order, each setting user_version', () => {
    const db = new Database(':memory:');
    expect(runMigrations(db, [create(1, 'a')])).toBe(1);
    expect(runMigrations(db, [create(1, 'a'), create(2, 'b'), create(3, 'c')])).toBe(3);
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    db.close();
  });

  it('rolls a failing migration back completely, keeping the earlier ones', () => {
    const db = new Database(':memory:');
    const failing: Migration = {
      version: 2,
      name: 'half-done',
      up: (d) => {
        d.exec('CREATE TABLE half (x INTEGER) STRICT');
        throw new Error('migration bug');
      },
    };
    expect(() => runMigrations(db, [create(1, 'a'), failing])).toThrow('migration bug');
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all()).toEqual(['a']);
    db.close();
  });

  it('rolls back a migration that leaves broken foreign keys (checked even with enforcement off)', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = OFF'); // as for a table-rebuild migration
    const broken: Migration = {
      version: 1,
      name: 'dangling',
      up: (d) =>
        d.exec(`CREATE TABLE p (id TEXT PRIMARY KEY) STRICT;
                CREATE TABLE c (p_id TEXT REFERENCES p (id)) STRICT;
                INSERT INTO c VALUES ('nowhere');`),
    };
    expect(() => runMigrations(db, [broken])).toThrow(StoreError);
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get()).toBe(0);
    db.close();
  });

  it('refuses a migration list that is not 1..n', () => {
    const db = new Database(':memory:');
    expect(() => runMigrations(db, [create(1, 'a'), create(3, 'c')])).toThrow(/expected 2/);
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    db.close();
  });
});
