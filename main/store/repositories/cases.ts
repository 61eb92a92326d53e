import { z } from 'zod';
import type { Clock, HallDatabase } from '../database';
import { CASE_STATES, type CaseState } from '../enums';
import { NotFoundError } from '../errors';
import { fieldContext, type FieldCipher } from '../field-cipher';
import { uuidv7 } from '../uuidv7';
import { OutboxRepository } from './outbox';
import { blob, flag, parseRow, toFlag } from './rows';

/** Decrypted applicant fields: personal data, never log them. */
export interface Applicant {
  name: string;
  idNumber: string;
  address: string | null;
  phone: string | null;
}

export interface CaseRecord {
  id: string;
  receiptNo: string;
  ticketId: string | null;
  serviceItemCode: string;
  state: CaseState;
  /** Provisionally accepted (容缺). */
  tolerated: boolean;
  /** null once the retention purge removed the personal fields. */
  applicant: Applicant | null;
  counterId: string | null;
  clerkUserId: string | null;
  createdAt: string;
  updatedAt: string;
  deadline: string | null;
}

export interface NewCase {
  id?: string;
  receiptNo: string;
  ticketId?: string | null;
  serviceItemCode: string;
  /** Defaults to 'draft'. */
  state?: CaseState;
  tolerated?: boolean;
  applicant: { name: string; idNumber: string; address?: string | null; phone?: string | null };
  counterId?: string | null;
  clerkUserId?: string | null;
  deadline?: string | null;
}

export interface CaseEvent {
  id: number;
  caseId: string;
  fromState: CaseState | null;
  toState: CaseState;
  actorUserId: string;
  at: string;
  reason: string | null;
}

export interface CaseTransition {
  caseId: string;
  from: CaseState;
  to: CaseState;
  at: string;
  eventId: number;
  outboxSeq: number;
}

export const CASE_OUTBOX_TYPES = { created: 'case.created', transitioned: 'case.transitioned' } as const;

const Row = z.object({
  id: z.string(),
  receipt_no: z.string(),
  ticket_id: z.string().nullable(),
  service_item_code: z.string(),
  state: z.enum(CASE_STATES),
  tolerated: flag,
  applicant_name_enc: blob.nullable(),
  applicant_id_enc: blob.nullable(),
  applicant_id_index: z.string().nullable(),
  applicant_address_enc: blob.nullable(),
  applicant_phone_enc: blob.nullable(),
  counter_id: z.string().nullable(),
  clerk_user_id: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  deadline: z.string().nullable(),
});

const EventRow = z.object({
  id: z.number().int(),
  case_id: z.string(),
  from_state: z.enum(CASE_STATES).nullable(),
  to_state: z.enum(CASE_STATES),
  actor_user_id: z.string(),
  at: z.string(),
  reason: z.string().nullable(),
});

const CTX = {
  name: 'cases.applicant_name',
  id: 'cases.applicant_id',
  address: 'cases.applicant_address',
  phone: 'cases.applicant_phone',
} as const;

/**
 * Cases with their audit trail. Every write puts the case row, its case_event and its outbox row in
 * one transaction. No state-machine rules here: the domain module decides, this records.
 * Outbox payloads carry no personal fields (they would sit in clear in the outbox).
 */
export class CaseRepository {
  constructor(
    private readonly db: HallDatabase,
    private readonly cipher: FieldCipher,
    private readonly clock: Clock,
    private readonly outbox: OutboxRepository = new OutboxRepository(db, clock),
  ) {}

  create(input: NewCase, actorUserId: string): CaseRecord {
    const now = this.clock();
    const at = now.toISOString();
    const id = input.id ?? uuidv7(now);
    const state = input.state ?? 'draft';
    const a = input.applicant;
    const c = this.cipher;
    this.db.transaction(() => {
      this.db.sql
        .prepare(
          `INSERT INTO cases (id, receipt_no, ticket_id, service_item_code, state, tolerated,
             applicant_name_enc, applicant_id_enc, applicant_id_index, applicant_address_enc, applicant_phone_enc,
             counter_id, clerk_user_id, created_at, updated_at, deadline)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          input.receiptNo,
          input.ticketId ?? null,
          input.serviceItemCode,
          state,
          toFlag(input.tolerated ?? false),
          c.encrypt(a.name, fieldContext(CTX.name, id)),
          c.encrypt(a.idNumber, fieldContext(CTX.id, id)),
          c.blindIndex(a.idNumber),
          c.encryptOptional(a.address, fieldContext(CTX.address, id)),
          c.encryptOptional(a.phone, fieldContext(CTX.phone, id)),
          input.counterId ?? null,
          input.clerkUserId ?? null,
          at,
          at,
          input.deadline ?? null,
        );
      this.insertEvent(id, null, state, actorUserId, at, null);
      this.outbox.append(CASE_OUTBOX_TYPES.created, {
        caseId: id,
        receiptNo: input.receiptNo,
        ticketId: input.ticketId ?? null,
        serviceItemCode: input.serviceItemCode,
        state,
        tolerated: input.tolerated ?? false,
        counterId: input.counterId ?? null,
        clerkUserId: input.clerkUserId ?? null,
        deadline: input.deadline ?? null,
        actorUserId,
        at,
      });
    });
    return this.mustGet(id);
  }

  get(id: string): CaseRecord | null {
    const row = this.db.sql.prepare('SELECT * FROM cases WHERE id = ?').get(id);
    return row === undefined ? null : this.toCase(row);
  }

  getByReceiptNo(receiptNo: string): CaseRecord | null {
    const row = this.db.sql.prepare('SELECT * FROM cases WHERE receipt_no = ?').get(receiptNo);
    return row === undefined ? null : this.toCase(row);
  }

  /** Cases of one applicant, newest first, found through the blind index of the ID number. */
  findByApplicantId(idNumber: string): CaseRecord[] {
    return this.db.sql
      .prepare('SELECT * FROM cases WHERE applicant_id_index = ? ORDER BY created_at DESC, id DESC')
      .all(this.cipher.blindIndex(idNumber))
      .map((r) => this.toCase(r));
  }

  /** Records a state change (case row + case_event + outbox row, one transaction). */
  transition(caseId: string, to: CaseState, actorUserId: string, reason: string | null = null): CaseTransition {
    const at = this.clock().toISOString();
    return this.db.transaction(() => {
      const current = this.db.sql.prepare('SELECT state, receipt_no FROM cases WHERE id = ?').get(caseId);
      if (current === undefined) throw new NotFoundError('case', caseId);
      const { state: from, receipt_no: receiptNo } = parseRow(
        z.object({ state: z.enum(CASE_STATES), receipt_no: z.string() }),
        current,
        'cases',
        caseId,
      );
      this.db.sql.prepare('UPDATE cases SET state = ?, updated_at = ? WHERE id = ?').run(to, at, caseId);
      const eventId = this.insertEvent(caseId, from, to, actorUserId, at, reason);
      const entry = this.outbox.append(CASE_OUTBOX_TYPES.transitioned, {
        caseId,
        receiptNo,
        from,
        to,
        actorUserId,
        at,
        reason,
      });
      return { caseId, from, to, at, eventId, outboxSeq: entry.seq };
    });
  }

  /** The audit trail of one case, oldest first. */
  events(caseId: string): CaseEvent[] {
    return this.db.sql
      .prepare('SELECT * FROM case_events WHERE case_id = ? ORDER BY id')
      .all(caseId)
      .map((raw) => {
        const r = parseRow(EventRow, raw, 'case_events');
        return {
          id: r.id,
          caseId: r.case_id,
          fromState: r.from_state,
          toState: r.to_state,
          actorUserId: r.actor_user_id,
          at: r.at,
          reason: r.reason,
        };
      });
  }

  private insertEvent(
    caseId: string,
    from: CaseState | null,
    to: CaseState,
    actor: string,
    at: string,
    reason: string | null,
  ): number {
    const info = this.db.sql
      .prepare('INSERT INTO case_events (case_id, from_state, to_state, actor_user_id, at, reason) VALUES (?, ?, ?, ?, ?, ?)')
      .run(caseId, from, to, actor, at, reason);
    return Number(info.lastInsertRowid);
  }

  private mustGet(id: string): CaseRecord {
    const found = this.get(id);
    if (found === null) throw new NotFoundError('case', id);
    return found;
  }

  private toCase(raw: unknown): CaseRecord {
    const r = parseRow(Row, raw, 'cases');
    const c = this.cipher;
    const applicant: Applicant | null =
      r.applicant_name_enc === null || r.applicant_id_enc === null
        ? null
        : {
            name: c.decrypt(r.applicant_name_enc, fieldContext(CTX.name, r.id)),
            idNumber: c.decrypt(r.applicant_id_enc, fieldContext(CTX.id, r.id)),
            address: c.decryptOptional(r.applicant_address_enc, fieldContext(CTX.address, r.id)),
            phone: c.decryptOptional(r.applicant_phone_enc, fieldContext(CTX.phone, r.id)),
          };
    return {
      id: r.id,
      receiptNo: r.receipt_no,
      ticketId: r.ticket_id,
      serviceItemCode: r.service_item_code,
      state: r.state,
      tolerated: r.tolerated,
      applicant,
      counterId: r.counter_id,
      clerkUserId: r.clerk_user_id,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      deadline: r.deadline,
    };
  }
}
