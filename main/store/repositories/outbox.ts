import { z } from 'zod';
import type { Clock, HallDatabase } from '../database';
import { OUTBOX_STATUSES, type OutboxStatus } from '../enums';
import { StoreError } from '../errors';
import { uuidv7 } from '../uuidv7';
import { jsonValue, parseJsonColumn, parseRow, type JsonValue } from './rows';

export interface OutboxEntry {
  /** Gapless per console, from 1. */
  seq: number;
  mutationId: string;
  schemaVersion: number;
  hlc: string;
  type: string;
  payload: JsonValue;
  createdAt: string;
  ackedAt: string | null;
  status: OutboxStatus;
  rejectReason: string | null;
}

const Row = z.object({
  seq: z.number().int(),
  mutation_id: z.string(),
  schema_version: z.number().int(),
  hlc: z.string(),
  type: z.string(),
  payload: z.string(),
  created_at: z.string(),
  acked_at: z.string().nullable(),
  status: z.enum(OUTBOX_STATUSES),
  reject_reason: z.string().nullable(),
});

/**
 * Hybrid logical clock stamps `<15-digit ms>-<6-digit counter>`, string-sortable and monotonic even
 * when the wall clock steps back. Starts after `last` (the newest stamp already stored).
 * Merging remote stamps is the sync client's concern.
 */
export function createHlc(clock: Clock, last: string | null): () => string {
  let ms = 0;
  let counter = 0;
  const m = last === null ? null : /^(\d{15})-(\d{6})$/.exec(last);
  if (m) {
    ms = Number(m[1]);
    counter = Number(m[2]);
  }
  return () => {
    const wall = clock().getTime();
    if (wall > ms) {
      ms = wall;
      counter = 0;
    } else {
      counter += 1;
    }
    return `${String(ms).padStart(15, '0')}-${String(counter).padStart(6, '0')}`;
  };
}

/** One answer of the hub to a pushed row (the protocol's PushResult). */
export interface OutboxAck {
  seq: number;
  status: 'applied' | 'duplicate' | 'rejected';
  reason?: string;
}

/** A row the hub rejected and that no newer row has resolved yet ("needs correction"). */
export interface NeedsCorrection {
  seq: number;
  mutationId: string;
  type: string;
  payload: JsonValue;
  reason: string;
  rejectedAt: string | null;
  createdAt: string;
}

/** Acked rows are kept this long (re-push to a hub restored from an older backup). */
export const OUTBOX_RETENTION_DAYS = 30;

export class OutboxRepository {
  private readonly hlc: () => string;
  private readonly appendListeners = new Set<(entry: OutboxEntry) => void>();

  constructor(
    private readonly db: HallDatabase,
    private readonly clock: Clock,
    hlc?: () => string,
  ) {
    this.hlc = hlc ?? createHlc(clock, this.lastHlc());
  }

  /**
   * Appends one mutation for the hub. Must run inside the caller's write transaction (the one that
   * makes the change), so the change and its outbox row commit or roll back together. The seq is
   * max(seq) + 1 read inside that transaction: a rolled-back write leaves no gap.
   */
  append(type: string, payload: JsonValue): OutboxEntry {
    if (!this.db.sql.inTransaction) {
      throw new StoreError('outbox_outside_transaction', 'outbox append must run inside the write transaction');
    }
    const now = this.clock();
    const entry: OutboxEntry = {
      seq: this.lastSeq() + 1,
      mutationId: uuidv7(now),
      schemaVersion: this.db.schemaVersion,
      hlc: this.hlc(),
      type,
      payload: jsonValue.parse(payload),
      createdAt: now.toISOString(),
      ackedAt: null,
      status: 'pending',
      rejectReason: null,
    };
    this.db
      .prepare(
        `INSERT INTO outbox (seq, mutation_id, schema_version, hlc, type, payload, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(entry.seq, entry.mutationId, entry.schemaVersion, entry.hlc, type, JSON.stringify(entry.payload), entry.createdAt);
    for (const listener of this.appendListeners) {
      try {
        listener(entry);
      } catch {
        // a listener (status bar, sync client) never fails the write it observes
      }
    }
    return entry;
  }

  /**
   * Called after each append, still inside the caller's transaction (which may yet roll back):
   * listeners only schedule work (a debounced status event, a push) and never throw into the write.
   */
  onAppend(listener: (entry: OutboxEntry) => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  /** Rows with seq >= `seq` whatever their status, in seq order (push, and re-push to a hub that is behind). */
  from(seq: number, limit = 100): OutboxEntry[] {
    return this.db.prepare('SELECT * FROM outbox WHERE seq >= ? ORDER BY seq LIMIT ?').all(seq, limit).map(toEntry);
  }

  /** The oldest pending seq, or null. */
  firstPendingSeq(): number | null {
    const row = this.db.prepare(`SELECT min(seq) AS seq FROM outbox WHERE status = 'pending'`).get() as { seq: number | null };
    return row.seq;
  }

  /** The oldest row still kept (retention may have deleted older acked ones), or null when empty. */
  firstSeq(): number | null {
    const row = this.db.prepare('SELECT min(seq) AS seq FROM outbox').get() as { seq: number | null };
    return row.seq;
  }

  /** The highest seq the hub has answered (acked or rejected); 0 when none. */
  lastAnsweredSeq(): number {
    const row = this.db.prepare(`SELECT coalesce(max(seq), 0) AS seq FROM outbox WHERE status != 'pending'`).get();
    return parseRow(z.object({ seq: z.number().int() }), row, 'outbox').seq;
  }

  /**
   * Records one push_ack in ONE transaction: applied/duplicate → acked, rejected → rejected with its
   * reason. Only pending rows change (a re-pushed acked row stays acked). Returns what changed.
   */
  recordAcks(results: readonly OutboxAck[]): { acked: number; rejected: number } {
    const ack = this.db.prepare(`UPDATE outbox SET status = 'acked', acked_at = ? WHERE seq = ? AND status = 'pending'`);
    const reject = this.db.prepare(`UPDATE outbox SET status = 'rejected', acked_at = ?, reject_reason = ? WHERE seq = ? AND status = 'pending'`);
    const at = this.clock().toISOString();
    return this.db.transaction(() => {
      let acked = 0;
      let rejected = 0;
      for (const r of results) {
        if (r.status === 'rejected') rejected += reject.run(at, (r.reason ?? 'rejected').slice(0, 500), r.seq).changes;
        else acked += ack.run(at, r.seq).changes;
      }
      return { acked, rejected };
    });
  }

  /** Rejected rows not yet resolved by a newer row, oldest first ("needs correction"). */
  needsCorrection(limit = 500): NeedsCorrection[] {
    return this.db
      .prepare(
        `SELECT * FROM outbox o WHERE status = 'rejected'
           AND NOT EXISTS (SELECT 1 FROM outbox_resolutions r WHERE r.rejected_seq = o.seq)
           AND NOT EXISTS (SELECT 1 FROM outbox_dismissals d WHERE d.rejected_seq = o.seq)
         ORDER BY seq LIMIT ?`,
      )
      .all(limit)
      .map((raw) => {
        const e = toEntry(raw);
        return { seq: e.seq, mutationId: e.mutationId, type: e.type, payload: e.payload, reason: e.rejectReason ?? '', rejectedAt: e.ackedAt, createdAt: e.createdAt };
      });
  }

  countNeedsCorrection(): number {
    const row = this.db
      .prepare(
        `SELECT count(*) AS n FROM outbox o WHERE status = 'rejected'
           AND NOT EXISTS (SELECT 1 FROM outbox_resolutions r WHERE r.rejected_seq = o.seq)
           AND NOT EXISTS (SELECT 1 FROM outbox_dismissals d WHERE d.rejected_seq = o.seq)`,
      )
      .get();
    return parseRow(z.object({ n: z.number().int() }), row, 'outbox').n;
  }

  /**
   * A rejected row is fixed: appends the corrected mutation as a NEW row (new seq and mutationId;
   * the rejected row is never edited) and records that it resolves `seq`, in one transaction.
   * Without `fix` the original type and payload are sent again (the hub's rule may have been fixed).
   */
  resolveRejected(seq: number, fix?: { type?: string; payload?: JsonValue }): OutboxEntry {
    return this.db.transaction(() => {
      const row = this.get(seq);
      if (row === null || row.status !== 'rejected') throw new StoreError('outbox_not_rejected', `outbox row ${seq} is not a rejected row`);
      const resolved =
        this.db.prepare('SELECT 1 FROM outbox_resolutions WHERE rejected_seq = ?').get(seq) ??
        this.db.prepare('SELECT 1 FROM outbox_dismissals WHERE rejected_seq = ?').get(seq);
      if (resolved !== undefined) throw new StoreError('outbox_already_resolved', `outbox row ${seq} was already resolved`);
      const entry = this.append(fix?.type ?? row.type, fix?.payload ?? row.payload);
      this.db.prepare('INSERT INTO outbox_resolutions (rejected_seq, resent_seq, resolved_at) VALUES (?, ?, ?)').run(seq, entry.seq, this.clock().toISOString());
      return entry;
    });
  }

  /**
   * A rejected row is settled without resending (标记已处理: the hub's copy is not wanted, or the case was
   * redone by other means): records who and why; the row leaves the needs-correction list. The row
   * itself is never edited. Throws like resolveRejected when it is not an open rejected row.
   */
  dismissRejected(seq: number, reason: string, userId: string): void {
    this.db.transaction(() => {
      const row = this.get(seq);
      if (row === null || row.status !== 'rejected') throw new StoreError('outbox_not_rejected', `outbox row ${seq} is not a rejected row`);
      const settled =
        this.db.prepare('SELECT 1 FROM outbox_resolutions WHERE rejected_seq = ?').get(seq) ??
        this.db.prepare('SELECT 1 FROM outbox_dismissals WHERE rejected_seq = ?').get(seq);
      if (settled !== undefined) throw new StoreError('outbox_already_resolved', `outbox row ${seq} was already resolved`);
      this.db.prepare('INSERT INTO outbox_dismissals (rejected_seq, reason, user_id, dismissed_at) VALUES (?, ?, ?, ?)').run(seq, reason, userId, this.clock().toISOString());
    });
  }

  /**
   * Retention: deletes acked rows (and rejected rows already resolved) acked more than
   * `olderThanDays` ago, below the oldest pending row (so the rows still to push stay contiguous).
   * Pending rows, unresolved rejected rows and the newest row are kept (the outbox_keep trigger
   * enforces the first and the last). Returns how many were deleted.
   */
  pruneAcked(olderThanDays = OUTBOX_RETENTION_DAYS): number {
    const cutoff = new Date(this.clock().getTime() - olderThanDays * 86_400_000).toISOString();
    return this.db.transaction(
      () =>
        this.db
          .prepare(
            `DELETE FROM outbox
              WHERE acked_at IS NOT NULL AND acked_at < ?
                AND seq < (SELECT max(seq) FROM outbox)
                AND seq < coalesce((SELECT min(seq) FROM outbox WHERE status = 'pending'), 9223372036854775807)
                AND (status = 'acked'
                     OR (status = 'rejected' AND EXISTS (SELECT 1 FROM outbox_resolutions r WHERE r.rejected_seq = outbox.seq))
                     OR (status = 'rejected' AND EXISTS (SELECT 1 FROM outbox_dismissals d WHERE d.rejected_seq = outbox.seq)))`,
          )
          .run(cutoff).changes,
    );
  }

  /** Pending rows in seq order, oldest first. */
  pending(limit = 100): OutboxEntry[] {
    return this.db
      .prepare(`SELECT * FROM outbox WHERE status = 'pending' ORDER BY seq LIMIT ?`)
      .all(limit)
      .map(toEntry);
  }

  /** Marks pending rows acked (after the hub's ack); returns how many changed. Acked rows are kept. */
  markAcked(seqs: readonly number[]): number {
    const stmt = this.db.prepare(`UPDATE outbox SET status = 'acked', acked_at = ? WHERE seq = ? AND status = 'pending'`);
    const at = this.clock().toISOString();
    return this.db.transaction(() => seqs.reduce((n, seq) => n + stmt.run(at, seq).changes, 0));
  }

  /** The hub quarantined it: keep the row, record why. */
  markRejected(seq: number, reason: string): boolean {
    const info = this.db
      .prepare(`UPDATE outbox SET status = 'rejected', acked_at = ?, reject_reason = ? WHERE seq = ? AND status = 'pending'`)
      .run(this.clock().toISOString(), reason, seq);
    return info.changes === 1;
  }

  countPending(): number {
    const row = this.db.prepare(`SELECT count(*) AS n FROM outbox WHERE status = 'pending'`).get();
    return parseRow(z.object({ n: z.number().int() }), row, 'outbox').n;
  }

  lastSeq(): number {
    const row = this.db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM outbox').get();
    return parseRow(z.object({ seq: z.number().int() }), row, 'outbox').seq;
  }

  get(seq: number): OutboxEntry | null {
    const row = this.db.prepare('SELECT * FROM outbox WHERE seq = ?').get(seq);
    return row === undefined ? null : toEntry(row);
  }

  private lastHlc(): string | null {
    const row = this.db.prepare('SELECT hlc FROM outbox ORDER BY seq DESC LIMIT 1').get();
    return row === undefined ? null : parseRow(z.object({ hlc: z.string() }), row, 'outbox').hlc;
  }
}

function toEntry(raw: unknown): OutboxEntry {
  const row = parseRow(Row, raw, 'outbox');
  return {
    seq: row.seq,
    mutationId: row.mutation_id,
    schemaVersion: row.schema_version,
    hlc: row.hlc,
    type: row.type,
    payload: parseJsonColumn(jsonValue, row.payload, 'outbox', String(row.seq)),
    createdAt: row.created_at,
    ackedAt: row.acked_at,
    status: row.status,
    rejectReason: row.reject_reason,
  };
}
