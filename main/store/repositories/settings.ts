import { z } from 'zod';
import type { Clock, HallDatabase } from '../database';
import { parseJsonColumn, parseRow } from './rows';

const Row = z.object({ key: z.string(), value: z.string(), updated_at: z.string() });

/** Key/value settings stored as JSON; every read and write goes through the caller's zod schema. */
export class SettingsRepository {
  constructor(
    private readonly db: HallDatabase,
    private readonly clock: Clock,
  ) {}

  /** The stored value, or undefined when the key was never set. Throws RowValidationError if it no longer fits. */
  get<T>(key: string, schema: z.ZodType<T>): T | undefined {
    const raw = this.db.prepare('SELECT * FROM settings WHERE key = ?').get(key);
    if (raw === undefined) return undefined;
    const row = parseRow(Row, raw, 'settings');
    return parseJsonColumn(schema, row.value, 'settings', key);
  }

  set<T>(key: string, schema: z.ZodType<T>, value: T): T {
    const parsed = schema.parse(value);
    const text = JSON.stringify(parsed);
    if (text === undefined) throw new TypeError(`setting ${key}: value is not JSON`);
    this.db
      .prepare(
        `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(key, text, this.clock().toISOString());
    return parsed;
  }
}
