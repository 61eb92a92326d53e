import type BetterSqlite3 from 'better-sqlite3';

export const version = 4;
export const name = 'ticket-flow';

/**
 * What calling needs beyond the first schema: how often a ticket was re-queued (a skipped ticket may
 * be re-queued once), and the counter a transferred ticket waits for.
 */
export function up(db: BetterSqlite3.Database): void {
  db.exec(`
    ALTER TABLE tickets ADD COLUMN requeue_count INTEGER NOT NULL DEFAULT 0 CHECK (requeue_count >= 0);
    ALTER TABLE tickets ADD COLUMN target_counter_id TEXT NULL REFERENCES counters (id);
  `);
}
