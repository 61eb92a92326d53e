import { z } from 'zod';
import type { Clock, HallDatabase } from '../database';
import { fieldContext, type FieldCipher } from '../field-cipher';
import { blob, parseJsonColumn, parseRow } from './rows';

const Row = z.object({ counter_id: z.string(), id: z.string(), user_id: z.string(), body_enc: blob, started_at: z.string(), updated_at: z.string() });

export interface StoredDraft<T> {
  id: string;
  counterId: string;
  userId: string;
  body: T;
  startedAt: string;
  updatedAt: string;
}

/**
 * One intake draft per counter, saved on every change so a crash or restart loses nothing. The body
 * holds clear card data until the case is written, so it is stored whole as one field-cipher envelope.
 */
export class IntakeDraftRepository {
  constructor(
    private readonly db: HallDatabase,
    private readonly cipher: FieldCipher,
    private readonly clock: Clock,
  ) {}

  get<T>(counterId: string, schema: z.ZodType<T>): StoredDraft<T> | null {
    const raw = this.db.prepare('SELECT * FROM intake_drafts WHERE counter_id = ?').get(counterId);
    if (raw === undefined) return null;
    const r = parseRow(Row, raw, 'intake_drafts', counterId);
    const text = this.cipher.decrypt(r.body_enc, fieldContext('intake_drafts.body', r.id));
    return { id: r.id, counterId: r.counter_id, userId: r.user_id, body: parseJsonColumn(schema, text, 'intake_drafts', r.id), startedAt: r.started_at, updatedAt: r.updated_at };
  }

  save<T>(draft: { id: string; counterId: string; userId: string; startedAt: string }, schema: z.ZodType<T>, body: T): string {
    const text = JSON.stringify(schema.parse(body));
    const at = this.clock().toISOString();
    this.db
      .prepare(
        `INSERT INTO intake_drafts (counter_id, id, user_id, body_enc, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (counter_id) DO UPDATE SET id = excluded.id, user_id = excluded.user_id, body_enc = excluded.body_enc,
           started_at = excluded.started_at, updated_at = excluded.updated_at`,
      )
      .run(draft.counterId, draft.id, draft.userId, this.cipher.encrypt(text, fieldContext('intake_drafts.body', draft.id)), draft.startedAt, at);
    return at;
  }

  delete(counterId: string): boolean {
    return this.db.prepare('DELETE FROM intake_drafts WHERE counter_id = ?').run(counterId).changes > 0;
  }
}

/** Daily receipt-number sequences per console code (办件编号 stay unique without the hub). */
export class ReceiptSequenceRepository {
  constructor(private readonly db: HallDatabase) {}

  /** The next sequence for the console and business day; call inside the transaction that uses it. */
  next(consoleCode: string, businessDate: string): number {
    const row = this.db
      .prepare(
        `INSERT INTO receipt_sequences (console_code, business_date, last) VALUES (?, ?, 1)
         ON CONFLICT (console_code, business_date) DO UPDATE SET last = last + 1 RETURNING last`,
      )
      .get(consoleCode, businessDate) as { last: number };
    return row.last;
  }
}
