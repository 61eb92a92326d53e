import type BetterSqlite3 from 'better-sqlite3';

/**
 * One schema version. `up` runs inside a transaction opened by the runner, which also sets
 * `PRAGMA user_version = version` in that same transaction. A migration is frozen once released:
 * it inlines its own SQL and never imports enums or helpers that may change later.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: BetterSqlite3.Database): void;
}
