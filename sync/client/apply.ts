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
import { applyHallCaseChange, clearHallCases } from './hall-cases';

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

/**
 * reset_required: the cursors go (the outbox is kept). Each bucket that had one keeps a row with cursor
 * '' — "reset pending" — so the next full download of it REPLACES what the console holds (rows the hub
 * no longer has are deleted), even if the console restarts in between. A bucket never synced has no
 * row: its first download only adds (a console's locally imported catalog is not wiped by an empty hub).
 */
export function dropCursors(store: Store, buckets?: readonly Bucket[]): void {
  const now = store.db.now().toISOString();
  store.db.transaction(() => {
    if (buckets === undefined) store.db.sql.prepare(`UPDATE sync_cursors SET cursor = '', epoch = NULL, updated_at = ?`).run(now);
    else for (const b of buckets) store.db.sql.prepare(`UPDATE sync_cursors SET cursor = '', epoch = NULL, updated_at = ? WHERE bucket = ?`).run(now, b);
  });
}

/** Buckets whose next full download replaces the local rows (after a reset). */
export function resetPending(store: Store): Bucket[] {
  return (store.db.sql.prepare(`SELECT bucket FROM sync_cursors WHERE cursor = ''`).all() as { bucket: Bucket }[]).map((r) => r.bucket);
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
export function applyCheckpoint(
  store: Store,
  bucket: Bucket,
  changes: readonly Change[],
  cursor: string,
  beforeCommit?: () => void,
  hooks: ApplyHooks = {},
): SkippedChange[] {
  const skipped: SkippedChange[] = [];
  let catalogTouched = false;
  const now = store.db.now().toISOString();
  store.db.transaction(() => {
    const replacing = store.db.sql.prepare(`SELECT 1 FROM sync_cursors WHERE bucket = ? AND cursor = ''`).get(bucket) !== undefined;
    // hall_cases after a reset: the full download replaces the whole feed (in this transaction, so the view is never empty meanwhile).
    if (replacing && bucket === 'hall_cases') clearHallCases(store);
    for (const change of changes) {
      try {
        store.db.transaction(() => {
          if (applyOne(store, bucket, change, hooks)) catalogTouched = true;
        });
      } catch (err) {
        skipped.push({ bucket, key: change.key.slice(0, 128), reason: (err instanceof Error ? err.message : String(err)).slice(0, 300) });
      }
    }
    if (replacing && removeAbsent(store, bucket, changes)) catalogTouched = true;
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

/**
 * After a reset, the full download is the whole bucket: local rows of it that the download does not put
 * are deleted (the hub lost them, or another hub never had them); so is the calendar when the hub has
 * none. Users are left as they are (no user deletes on the console yet). Returns true when catalog
 * rows were deleted.
 */
function removeAbsent(store: Store, bucket: Bucket, changes: readonly Change[]): boolean {
  const last = new Map<string, Change['op']>();
  for (const c of changes) last.set(c.key, c.op);
  const kept = [...last].filter(([, op]) => op === 'put').map(([key]) => key);
  const sql = store.db.sql;
  if (bucket === 'calendar') {
    if (!kept.includes(CALENDAR_SETTING)) sql.prepare('DELETE FROM settings WHERE key = ?').run(CALENDAR_SETTING);
    return false;
  }
  const table = bucket === 'catalog' ? ['catalog_items', 'code'] : bucket === 'credit' ? ['credit_entries', 'id_hash'] : bucket === 'devices' ? ['sync_devices', 'id'] : null;
  if (table === null) return false;
  const [name, key] = table as [string, string];
  sql.exec('CREATE TEMP TABLE IF NOT EXISTS sync_kept (key TEXT PRIMARY KEY)');
  sql.exec('DELETE FROM temp.sync_kept');
  const add = sql.prepare('INSERT OR IGNORE INTO temp.sync_kept (key) VALUES (?)');
  for (const k of kept) add.run(k);
  const removed = sql.prepare(`DELETE FROM ${name} WHERE ${key} NOT IN (SELECT key FROM temp.sync_kept)`).run().changes;
  sql.exec('DELETE FROM temp.sync_kept');
  return bucket === 'catalog' && removed > 0;
}

/** A payment the payment platform confirmed, as the hub publishes it (bucket `payments`, key = payment code). */
export const PaymentValue = z.object({ amountFen: z.number().int().nonnegative(), paidAt: z.string().datetime({ offset: true }) });
export interface PaymentConfirmation extends z.infer<typeof PaymentValue> {
  paymentCode: string;
}

export interface ApplyHooks {
  onPayment?: (payment: PaymentConfirmation) => void;
}

/** Returns true when a catalog row was deleted (the catalog cache must be dropped). */
function applyOne(store: Store, bucket: Bucket, change: Change, hooks: ApplyHooks): boolean {
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
    case 'payments':
      // A payment is never taken back by the console (a refund is the case's own business); deletes are ignored.
      if (change.op === 'put') hooks.onPayment?.({ paymentCode: change.key, ...PaymentValue.parse(change.value) });
      return false;
    case 'hall_cases':
      applyHallCaseChange(store, change); // the supervisor's 全厅办件 (hall-cases.ts)
      return false;
  }
}
