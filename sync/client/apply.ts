/**
 * Applies downloaded changes to the console store, and keeps the per-bucket cursors. Everything of one
 * pull (its changes and its new cursor) is written by `applyCheckpoint` in ONE transaction; a change
 * that does not fit (bad value, unknown counter) is skipped and logged in a savepoint of its own, so
 * one poisoned change never stalls a bucket.
 */
import { z } from 'zod';
import { CalendarFile } from '../../main/domain/calendar';
import { ServiceItem } from '../../main/domain/catalog';
import { CreditMeasure } from '../../main/domain/credit';
import { CALENDAR_SETTING } from '../../main/services/calendar';
import { ROLES, type Store } from '../../main/store';
import type { Bucket, Change } from '../protocol';

const CreditValue = z.object({ standing: z.enum(['good', 'dishonest', 'watch']), measures: z.array(CreditMeasure), listVersion: z.string().min(1).max(64) });
const UserValue = z.object({
  userName: z.string().min(1).max(64),
  displayName: z.string().min(1).max(100),
  role: z.enum(ROLES),
  counterId: z.string().min(1).max(64).nullable(),
  passwordHash: z.string().min(1).max(512),
});
const IdHash = z.string().regex(/^[0-9a-f]{64}$/);

export interface SkippedChange {
  bucket: Bucket;
  key: string;
  reason: string;
}

/** The stored cursor of every bucket ('' when none). */
export function readCursors(store: Store): Partial<Record<Bucket, string>> {
  const rows = store.db.sql.prepare('SELECT bucket, cursor FROM sync_cursors').all() as { bucket: Bucket; cursor: string }[];
  return Object.fromEntries(rows.map((r) => [r.bucket, r.cursor]));
}

export function cursorEpoch(cursor: string): string | null {
  const at = cursor.lastIndexOf(':');
  return at > 0 ? cursor.slice(0, at) : null;
}

/** reset_required: every cursor goes (the outbox is kept). */
export function dropCursors(store: Store, buckets?: readonly Bucket[]): void {
  store.db.transaction(() => {
    if (buckets === undefined) store.db.sql.prepare('DELETE FROM sync_cursors').run();
    else for (const b of buckets) store.db.sql.prepare('DELETE FROM sync_cursors WHERE bucket = ?').run(b);
  });
}

/** The device allowlist as published (bucket `devices`). */
export function readDevices(store: Store): { id: string; entry: unknown }[] {
  return (store.db.sql.prepare('SELECT id, body FROM sync_devices ORDER BY id').all() as { id: string; body: string }[]).map((r) => ({
    id: r.id,
    entry: JSON.parse(r.body) as unknown,
  }));
}

/**
 * Applies the changes of one pull and its checkpoint cursor in one transaction. `beforeCommit` is a
 * fault hook for tests (throwing rolls everything back). Returns the changes that were skipped.
 */
export function applyCheckpoint(store: Store, bucket: Bucket, changes: readonly Change[], cursor: string, beforeCommit?: () => void): SkippedChange[] {
  const skipped: SkippedChange[] = [];
  let catalogTouched = false;
  const now = store.db.now().toISOString();
  store.db.transaction(() => {
    for (const change of changes) {
      try {
        store.db.transaction(() => {
          if (applyOne(store, bucket, change)) catalogTouched = true;
        });
      } catch (err) {
        skipped.push({ bucket, key: change.key.slice(0, 128), reason: (err instanceof Error ? err.message : String(err)).slice(0, 300) });
      }
    }
    store.db.sql
      .prepare(
        `INSERT INTO sync_cursors (bucket, cursor, epoch, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (bucket) DO UPDATE SET cursor = excluded.cursor, epoch = excluded.epoch, updated_at = excluded.updated_at`,
      )
      .run(bucket, cursor, cursorEpoch(cursor), now);
    beforeCommit?.();
  });
  // The catalog repository caches its rows; an empty upsert drops the cache after deletes.
  if (catalogTouched) store.catalog.upsert([], '');
  return skipped;
}

/** Returns true when a catalog row was deleted (the catalog cache must be dropped). */
function applyOne(store: Store, bucket: Bucket, change: Change): boolean {
  const sql = store.db.sql;
  const version = String(change.serverSeq);
  switch (bucket) {
    case 'catalog':
      if (change.op === 'delete') {
        sql.prepare('DELETE FROM catalog_items WHERE code = ?').run(change.key);
        return true;
      }
      {
        const item = ServiceItem.parse(change.value);
        if (item.code !== change.key) throw new Error(`catalog item code ${item.code} does not match key`);
        store.catalog.upsert([item], version);
      }
      return false;
    case 'calendar':
      if (change.key !== CALENDAR_SETTING) throw new Error('calendar change key must be "calendar"');
      if (change.op === 'delete') sql.prepare('DELETE FROM settings WHERE key = ?').run(CALENDAR_SETTING);
      else store.settings.set(CALENDAR_SETTING, CalendarFile, CalendarFile.parse(change.value));
      return false;
    case 'credit': {
      const idHash = IdHash.parse(change.key);
      if (change.op === 'delete') sql.prepare('DELETE FROM credit_entries WHERE id_hash = ?').run(idHash);
      else store.credit.upsert([{ idHash, ...CreditValue.parse(change.value) }]);
      return false;
    }
    case 'users':
      if (change.op === 'delete') throw new Error('deleting a user is not supported by the console yet');
      store.users.upsert({ id: change.key, ...UserValue.parse(change.value) });
      return false;
    case 'devices':
      if (change.op === 'delete') sql.prepare('DELETE FROM sync_devices WHERE id = ?').run(change.key);
      else {
        const text = JSON.stringify(change.value ?? null);
        sql
          .prepare(
            `INSERT INTO sync_devices (id, body, updated_at) VALUES (?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
          )
          .run(change.key, text, store.db.now().toISOString());
      }
      return false;
    case 'hall_cases':
      return false; // the supervisor view comes later; the cursor still moves
  }
}
