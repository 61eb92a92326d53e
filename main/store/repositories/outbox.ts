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

export class OutboxRepository {
  private readonly hlc: () => string;

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
    this.db.sql
      .prepare(
        `INSERT INTO outbox (seq, mutation_id, schema_version, hlc, type, payload, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(entry.seq, entry.mutationId, entry.schemaVersion, entry.hlc, type, JSON.stringify(entry.payload), entry.createdAt);
    return entry;
  }

  /** Pending rows in seq order, oldest first. */
  pending(limit = 100): OutboxEntry[] {
    return this.db.sql
      .prepare(`SELECT * FROM outbox WHERE status = 'pending' ORDER BY seq LIMIT ?`)
      .all(limit)
      .map(toEntry);
  }

  /** Marks pending rows acked (after the hub's ack); returns how many changed. Acked rows are kept. */
  markAcked(seqs: readonly number[]): number {
    const stmt = this.db.sql.prepare(`UPDATE outbox SET status = 'acked', acked_at = ? WHERE seq = ? AND status = 'pending'`);
    const at = this.clock().toISOString();
    return this.db.transaction(() => seqs.reduce((n, seq) => n + stmt.run(at, seq).changes, 0));
  }

  /** The hub quarantined it: keep the row, record why. */
  markRejected(seq: number, reason: string): boolean {
    const info = this.db.sql
      .prepare(`UPDATE outbox SET status = 'rejected', acked_at = ?, reject_reason = ? WHERE seq = ? AND status = 'pending'`)
      .run(this.clock().toISOString(), reason, seq);
    return info.changes === 1;
  }

  countPending(): number {
    const row = this.db.sql.prepare(`SELECT count(*) AS n FROM outbox WHERE status = 'pending'`).get();
    return parseRow(z.object({ n: z.number().int() }), row, 'outbox').n;
  }

  lastSeq(): number {
    const row = this.db.sql.prepare('SELECT coalesce(max(seq), 0) AS seq FROM outbox').get();
    return parseRow(z.object({ seq: z.number().int() }), row, 'outbox').seq;
  }

  get(seq: number): OutboxEntry | null {
    const row = this.db.sql.prepare('SELECT * FROM outbox WHERE seq = ?').get(seq);
    return row === undefined ? null : toEntry(row);
  }

  private lastHlc(): string | null {
    const row = this.db.sql.prepare('SELECT hlc FROM outbox ORDER BY seq DESC LIMIT 1').get();
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
