/**
 * 好差评 (migration 0006): the handling waiting for its one rating (rating_requests), the rating
 * itself (ratings, append-only, the comment encrypted: an applicant may write their name or phone in
 * it), and the callback (回访) a rating ≤ 2 opens. The rules (one rating per handling, which levels open
 * a callback, the fix deadline) are the service's and main/domain/rating.ts; this records them.
 * Callers run the writes inside their transaction together with the outbox rows.
 */
import { z } from 'zod';
import type { Clock, HallDatabase } from '../database';
import { NotFoundError } from '../errors';
import { fieldContext, type FieldCipher } from '../field-cipher';
import { uuidv7 } from '../uuidv7';
import { blob, parseJsonColumn, parseRow } from './rows';

export interface RatingRequest {
  id: string;
  counterId: string | null;
  ticketId: string | null;
  caseId: string | null;
  serviceItemCode: string | null;
  /** Whom the rating is about; never shown to the pad, the kiosk or any clerk. */
  clerkUserId: string | null;
  createdAt: string;
  ratedAt: string | null;
  /** A newer handling at the same counter ended this one unrated. */
  expiredAt: string | null;
}

export interface NewRatingRequest {
  counterId: string | null;
  ticketId: string | null;
  caseId: string | null;
  serviceItemCode: string | null;
  clerkUserId: string | null;
}

export interface NewRating {
  requestId: string;
  level: number;
  reasons: readonly string[];
  /** Personal text: stored encrypted, never logged, never in an outbox payload. */
  comment: string | null;
}

export type CallbackState = 'open' | 'closed';

/** A callback with what the supervisor's ledger shows of its rating and handling. */
export interface CallbackRecord {
  id: string;
  ratingId: string;
  openedAt: string;
  fixDeadline: string;
  state: CallbackState;
  closedAt: string | null;
  closedBy: string | null;
  note: string | null;
  level: number;
  reasons: string[];
  counterId: string | null;
  counterNumber: number | null;
  caseId: string | null;
  receiptNo: string | null;
}

const RequestRow = z.object({
  id: z.string(),
  counter_id: z.string().nullable(),
  ticket_id: z.string().nullable(),
  case_id: z.string().nullable(),
  service_item_code: z.string().nullable(),
  clerk_user_id: z.string().nullable(),
  created_at: z.string(),
  rated_at: z.string().nullable(),
  expired_at: z.string().nullable(),
});

const RatingRow = z.object({
  id: z.string(),
  request_id: z.string(),
  level: z.number().int().min(1).max(5),
  reasons: z.string(),
  comment_enc: blob.nullable(),
  rated_at: z.string(),
});

const CallbackRow = z.object({
  id: z.string(),
  rating_id: z.string(),
  opened_at: z.string(),
  fix_deadline: z.string(),
  state: z.enum(['open', 'closed']),
  closed_at: z.string().nullable(),
  closed_by: z.string().nullable(),
  note: z.string().nullable(),
  level: z.number().int().min(1).max(5),
  reasons: z.string(),
  counter_id: z.string().nullable(),
  counter_number: z.number().int().nullable(),
  case_id: z.string().nullable(),
  receipt_no: z.string().nullable(),
});

const Reasons = z.array(z.string());
const COMMENT = 'ratings.comment';

const CALLBACK_SELECT = `
  SELECT cb.*, r.level, r.reasons, rq.counter_id, co.number AS counter_number, rq.case_id, cs.receipt_no
  FROM callbacks cb
  JOIN ratings r ON r.id = cb.rating_id
  JOIN rating_requests rq ON rq.id = r.request_id
  LEFT JOIN counters co ON co.id = rq.counter_id
  LEFT JOIN cases cs ON cs.id = rq.case_id`;

export class RatingRepository {
  constructor(
    private readonly db: HallDatabase,
    private readonly cipher: FieldCipher,
    private readonly clock: Clock,
  ) {}

  // ----- requests -----

  insertRequest(input: NewRatingRequest): RatingRequest {
    const now = this.clock();
    const id = uuidv7(now);
    this.db
      .prepare(
        `INSERT INTO rating_requests (id, counter_id, ticket_id, case_id, service_item_code, clerk_user_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, input.counterId, input.ticketId, input.caseId, input.serviceItemCode, input.clerkUserId, now.toISOString());
    return this.mustGetRequest(id);
  }

  getRequest(id: string): RatingRequest | null {
    const row = this.db.prepare('SELECT * FROM rating_requests WHERE id = ?').get(id);
    return row === undefined ? null : toRequest(row);
  }

  /** Every request of one handling: by its ticket when it has one, else by its case (newest first). */
  forHandling(ticketId: string | null, caseId: string | null): RatingRequest[] {
    if (ticketId !== null) {
      return this.db.prepare('SELECT * FROM rating_requests WHERE ticket_id = ? ORDER BY created_at DESC, id DESC').all(ticketId).map(toRequest);
    }
    if (caseId !== null) {
      return this.db
        .prepare('SELECT * FROM rating_requests WHERE case_id = ? AND ticket_id IS NULL ORDER BY created_at DESC, id DESC')
        .all(caseId)
        .map(toRequest);
    }
    return [];
  }

  /** The newest unrated, unexpired request of a counter (the rating pad's). */
  openAt(counterId: string): RatingRequest | null {
    const row = this.db
      .prepare(
        `SELECT * FROM rating_requests WHERE counter_id = ? AND rated_at IS NULL AND expired_at IS NULL
         ORDER BY created_at DESC, id DESC LIMIT 1`,
      )
      .get(counterId);
    return row === undefined ? null : toRequest(row);
  }

  /** The newest open request of a case (the kiosk's 查询 → 评价). */
  openForCase(caseId: string): RatingRequest | null {
    const row = this.db
      .prepare(
        `SELECT * FROM rating_requests WHERE case_id = ? AND rated_at IS NULL AND expired_at IS NULL
         ORDER BY created_at DESC, id DESC LIMIT 1`,
      )
      .get(caseId);
    return row === undefined ? null : toRequest(row);
  }

  /** Fill in what a later step learnt about the same handling (the case of a finished ticket…); set fields stay. */
  completeRequest(id: string, fields: Partial<Pick<RatingRequest, 'counterId' | 'caseId' | 'serviceItemCode' | 'clerkUserId'>>): RatingRequest {
    this.db
      .prepare(
        `UPDATE rating_requests SET
           counter_id = coalesce(counter_id, @counterId),
           case_id = coalesce(case_id, @caseId),
           service_item_code = coalesce(service_item_code, @serviceItemCode),
           clerk_user_id = coalesce(clerk_user_id, @clerkUserId)
         WHERE id = @id`,
      )
      .run({
        id,
        counterId: fields.counterId ?? null,
        caseId: fields.caseId ?? null,
        serviceItemCode: fields.serviceItemCode ?? null,
        clerkUserId: fields.clerkUserId ?? null,
      });
    return this.mustGetRequest(id);
  }

  /** Ends the open requests of a counter except `keepId` (a newer handling began there); returns their ids. */
  expireOpenAt(counterId: string, keepId: string): string[] {
    const ids = this.db
      .prepare('SELECT id FROM rating_requests WHERE counter_id = ? AND id <> ? AND rated_at IS NULL AND expired_at IS NULL')
      .pluck()
      .all(counterId, keepId) as string[];
    const stmt = this.db.prepare('UPDATE rating_requests SET expired_at = ? WHERE id = ?');
    const at = this.clock().toISOString();
    for (const id of ids) stmt.run(at, id);
    return ids;
  }

  // ----- ratings -----

  /**
   * Stores the rating and marks its request rated. Returns null when the request was rated or
   * expired meanwhile (the caller reads it again to say which).
   */
  insertRating(input: NewRating): { id: string; ratedAt: string } | null {
    const now = this.clock();
    const ratedAt = now.toISOString();
    const marked = this.db
      .prepare('UPDATE rating_requests SET rated_at = ? WHERE id = ? AND rated_at IS NULL AND expired_at IS NULL')
      .run(ratedAt, input.requestId);
    if (marked.changes === 0) return null;
    const id = uuidv7(now);
    this.db
      .prepare('INSERT INTO ratings (id, request_id, level, reasons, comment_enc, rated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, input.requestId, input.level, JSON.stringify(Reasons.parse([...input.reasons])), this.cipher.encryptOptional(input.comment, fieldContext(COMMENT, id)), ratedAt);
    return { id, ratedAt };
  }

  /** One rating with its comment decrypted (personal data: for a supervisor's review, never logged). */
  getRating(id: string): { id: string; requestId: string; level: number; reasons: string[]; comment: string | null; ratedAt: string } | null {
    const raw = this.db.prepare('SELECT * FROM ratings WHERE id = ?').get(id);
    if (raw === undefined) return null;
    const r = parseRow(RatingRow, raw, 'ratings');
    return {
      id: r.id,
      requestId: r.request_id,
      level: r.level,
      reasons: parseJsonColumn(Reasons, r.reasons, 'ratings', r.id),
      comment: this.cipher.decryptOptional(r.comment_enc, fieldContext(COMMENT, r.id)),
      ratedAt: r.rated_at,
    };
  }

  // ----- callbacks -----

  insertCallback(ratingId: string, fixDeadline: string): string {
    const now = this.clock();
    const id = uuidv7(now);
    this.db.prepare('INSERT INTO callbacks (id, rating_id, opened_at, fix_deadline) VALUES (?, ?, ?, ?)').run(id, ratingId, now.toISOString(), fixDeadline);
    return id;
  }

  getCallback(id: string): CallbackRecord | null {
    const row = this.db.prepare(`${CALLBACK_SELECT} WHERE cb.id = ?`).get(id);
    return row === undefined ? null : toCallback(row);
  }

  /** Open ones first by fix deadline, then closed ones newest first. */
  listCallbacks(state: CallbackState | 'all', limit = 500): CallbackRecord[] {
    return this.db
      .prepare(
        `${CALLBACK_SELECT} WHERE (@state = 'all' OR cb.state = @state)
         ORDER BY cb.state = 'closed', CASE WHEN cb.state = 'open' THEN cb.fix_deadline END, cb.closed_at DESC, cb.opened_at, cb.id
         LIMIT @limit`,
      )
      .all({ state, limit })
      .map(toCallback);
  }

  /** Closes an open callback; false when it is not open (closed meanwhile or unknown). */
  closeCallback(id: string, closedBy: string, note: string): boolean {
    const info = this.db
      .prepare(`UPDATE callbacks SET state = 'closed', closed_at = ?, closed_by = ?, note = ? WHERE id = ? AND state = 'open'`)
      .run(this.clock().toISOString(), closedBy, note, id);
    return info.changes === 1;
  }

  private mustGetRequest(id: string): RatingRequest {
    const found = this.getRequest(id);
    if (found === null) throw new NotFoundError('rating_request', id);
    return found;
  }
}

function toRequest(raw: unknown): RatingRequest {
  const r = parseRow(RequestRow, raw, 'rating_requests');
  return {
    id: r.id,
    counterId: r.counter_id,
    ticketId: r.ticket_id,
    caseId: r.case_id,
    serviceItemCode: r.service_item_code,
    clerkUserId: r.clerk_user_id,
    createdAt: r.created_at,
    ratedAt: r.rated_at,
    expiredAt: r.expired_at,
  };
}

function toCallback(raw: unknown): CallbackRecord {
  const r = parseRow(CallbackRow, raw, 'callbacks');
  return {
    id: r.id,
    ratingId: r.rating_id,
    openedAt: r.opened_at,
    fixDeadline: r.fix_deadline,
    state: r.state,
    closedAt: r.closed_at,
    closedBy: r.closed_by,
    note: r.note,
    level: r.level,
    reasons: parseJsonColumn(Reasons, r.reasons, 'ratings', r.rating_id),
    counterId: r.counter_id,
    counterNumber: r.counter_number,
    caseId: r.case_id,
    receiptNo: r.receipt_no,
  };
}
