import type BetterSqlite3 from 'better-sqlite3';

export const version = 5;
export const name = 'counter-status';

/**
 * 开窗 / 暂停 / 关窗: whether a counter calls tickets now, since when and why. Existing counters are
 * open (they called tickets before this version); when they became so is unknown (NULL).
 */
export function up(db: BetterSqlite3.Database): void {
  db.exec(`
    ALTER TABLE counters ADD COLUMN status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paused', 'closed'));
    ALTER TABLE counters ADD COLUMN status_changed_at TEXT NULL;
    ALTER TABLE counters ADD COLUMN status_reason TEXT NULL CHECK (status_reason IS NULL OR length(status_reason) <= 200);
  `);
}
