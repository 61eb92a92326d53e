import { z } from 'zod';
import type { Clock, HallDatabase } from '../database';
import { CASE_STATES, type CaseState } from '../enums';
import { NotFoundError } from '../errors';
import { fieldContext, type FieldCipher } from '../field-cipher';
import { uuidv7 } from '../uuidv7';
import { OutboxRepository } from './outbox';
import { blob, flag, parseJsonColumn, parseRow, toFlag } from './rows';

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
  /** 代办: the agent who applied on the applicant's behalf. */
  agent: { name: string; idNumber: string } | null;
  materials: CaseMaterial[];
  commitmentDeadline: string | null;
  commitmentFulfilledAt: string | null;
  feeTotalFen: number;
  paymentCode: string | null;
  paidAt: string | null;
  paidVia: string | null;
  credit: CaseCredit | null;
  faceCheckId: string | null;
  pauses: CasePause[];
  correctionRounds: number;
  businessDate: string | null;
  decisionReason: string | null;
  returnBy: string | null;
}

export const CaseMaterial = z.object({
  code: z.string(),
  name: z.string(),
  status: z.enum(['provided', 'e_licence', 'credit_commitment', 'tolerated', 'missing', 'defective']),
  note: z.string().optional(),
});
export type CaseMaterial = z.infer<typeof CaseMaterial>;

export const CaseCredit = z.object({
  standing: z.enum(['good', 'normal', 'dishonest', 'watch']),
  measures: z.array(z.string()),
  action: z.enum(['apply', 'waive']).nullable(),
  reason: z.string().nullable(),
  listVersion: z.string().nullable(),
});
export type CaseCredit = z.infer<typeof CaseCredit>;

export const CasePause = z.object({ from: z.string(), to: z.string().nullable(), reason: z.string() });
export type CasePause = z.infer<typeof CasePause>;

/** Columns that change after creation without a state change (each write adds its own outbox row). */
export interface CaseFieldUpdate {
  deadline?: string | null;
  commitmentFulfilledAt?: string | null;
  paidAt?: string | null;
  paidVia?: string | null;
  pauses?: CasePause[];
  correctionRounds?: number;
  materials?: CaseMaterial[];
}

export interface CaseListFilter {
  counterId?: string | null;
  clerkUserId?: string | null;
  states?: readonly CaseState[];
  /** deadline >= deadlineFrom */
  deadlineFrom?: string;
  /** deadline < deadlineBefore */
  deadlineBefore?: string;
  commitmentOverdueOn?: string;
  createdFrom?: string;
  createdBefore?: string;
  serviceItemCode?: string;
  receiptNo?: string;
  /** deadline: soonest first (open cases); newest: by creation, newest first (history). */
  order: 'deadline' | 'newest';
  limit: number;
  offset: number;
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
  agent?: { name: string; idNumber: string } | null;
  materials?: CaseMaterial[];
  commitmentDeadline?: string | null;
  feeTotalFen?: number;
  paymentCode?: string | null;
  credit?: CaseCredit | null;
  faceCheckId?: string | null;
  businessDate?: string | null;
  decisionReason?: string | null;
  returnBy?: string | null;
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
  agent_name_enc: blob.nullable(),
  agent_id_enc: blob.nullable(),
  materials: z.string(),
  commitment_deadline: z.string().nullable(),
  commitment_fulfilled_at: z.string().nullable(),
  fee_total_fen: z.number().int(),
  payment_code: z.string().nullable(),
  paid_at: z.string().nullable(),
  paid_via: z.string().nullable(),
  credit: z.string().nullable(),
  face_check_id: z.string().nullable(),
  pauses: z.string(),
  correction_rounds: z.number().int(),
  business_date: z.string().nullable(),
  decision_reason: z.string().nullable(),
  return_by: z.string().nullable(),
});

const ListRow = Row.pick({
  id: true,
  receipt_no: true,
  service_item_code: true,
  state: true,
  tolerated: true,
  applicant_name_enc: true,
  counter_id: true,
  created_at: true,
  deadline: true,
  commitment_deadline: true,
  commitment_fulfilled_at: true,
  fee_total_fen: true,
  paid_at: true,
});

/** What the case list shows of a case (decrypts one field instead of six). */
export interface CaseListRecord {
  id: string;
  receiptNo: string;
  serviceItemCode: string;
  state: CaseState;
  tolerated: boolean;
  applicantName: string | null;
  counterId: string | null;
  createdAt: string;
  deadline: string | null;
  commitmentDeadline: string | null;
  commitmentFulfilledAt: string | null;
  feeTotalFen: number;
  paidAt: string | null;
}

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
  agentName: 'cases.agent_name',
  agentId: 'cases.agent_id',
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
      this.db
        .prepare(
          `INSERT INTO cases (id, receipt_no, ticket_id, service_item_code, state, tolerated,
             applicant_name_enc, applicant_id_enc, applicant_id_index, applicant_address_enc, applicant_phone_enc,
             counter_id, clerk_user_id, created_at, updated_at, deadline,
             agent_name_enc, agent_id_enc, materials, commitment_deadline, fee_total_fen, payment_code, credit,
             face_check_id, business_date, decision_reason, return_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
          c.encryptOptional(input.agent?.name, fieldContext(CTX.agentName, id)),
          c.encryptOptional(input.agent?.idNumber, fieldContext(CTX.agentId, id)),
          JSON.stringify(input.materials ?? []),
          input.commitmentDeadline ?? null,
          input.feeTotalFen ?? 0,
          input.paymentCode ?? null,
          input.credit ? JSON.stringify(input.credit) : null,
          input.faceCheckId ?? null,
          input.businessDate ?? null,
          input.decisionReason ?? null,
          input.returnBy ?? null,
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
        agentApplication: Boolean(input.agent),
        materials: (input.materials ?? []).map((m) => ({ code: m.code, status: m.status })),
        commitmentDeadline: input.commitmentDeadline ?? null,
        feeTotalFen: input.feeTotalFen ?? 0,
        paymentCode: input.paymentCode ?? null,
        credit: input.credit ? { standing: input.credit.standing, action: input.credit.action, reason: input.credit.reason } : null,
        faceCheckId: input.faceCheckId ?? null,
        actorUserId,
        at,
      });
    });
    return this.mustGet(id);
  }

  get(id: string): CaseRecord | null {
    const row = this.db.prepare('SELECT * FROM cases WHERE id = ?').get(id);
    return row === undefined ? null : this.toCase(row);
  }

  getByReceiptNo(receiptNo: string): CaseRecord | null {
    const row = this.db.prepare('SELECT * FROM cases WHERE receipt_no = ?').get(receiptNo);
    return row === undefined ? null : this.toCase(row);
  }

  /** Cases of one applicant, newest first, found through the blind index of the ID number. */
  findByApplicantId(idNumber: string): CaseRecord[] {
    return this.db
      .prepare('SELECT * FROM cases WHERE applicant_id_index = ? ORDER BY created_at DESC, id DESC')
      .all(this.cipher.blindIndex(idNumber))
      .map((r) => this.toCase(r));
  }

  /** Changes columns that are not the state; the caller writes the outbox row in the same transaction. */
  updateFields(caseId: string, fields: CaseFieldUpdate): CaseRecord {
    const sets: string[] = [];
    const values: (string | number | null)[] = [];
    const put = (column: string, value: string | number | null): void => {
      sets.push(`${column} = ?`);
      values.push(value);
    };
    if (fields.deadline !== undefined) put('deadline', fields.deadline);
    if (fields.commitmentFulfilledAt !== undefined) put('commitment_fulfilled_at', fields.commitmentFulfilledAt);
    if (fields.paidAt !== undefined) put('paid_at', fields.paidAt);
    if (fields.paidVia !== undefined) put('paid_via', fields.paidVia);
    if (fields.pauses !== undefined) put('pauses', JSON.stringify(fields.pauses));
    if (fields.correctionRounds !== undefined) put('correction_rounds', fields.correctionRounds);
    if (fields.materials !== undefined) put('materials', JSON.stringify(fields.materials));
    if (sets.length > 0) {
      put('updated_at', this.clock().toISOString());
      const info = this.db.prepare(`UPDATE cases SET ${sets.join(', ')} WHERE id = ?`).run(...values, caseId);
      if (info.changes === 0) throw new NotFoundError('case', caseId);
    }
    return this.mustGet(caseId);
  }

  getByPaymentCode(paymentCode: string): CaseRecord | null {
    const row = this.db.prepare('SELECT * FROM cases WHERE payment_code = ?').get(paymentCode);
    return row === undefined ? null : this.toCase(row);
  }

  /**
   * The clerk's list: filters map to indexed columns; open cases by deadline (soonest first), history
   * newest first. Fetches one row more than `limit` so the caller knows whether there are more.
   */
  list(filter: CaseListFilter): CaseListRecord[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.counterId) {
      where.push('counter_id = ?');
      args.push(filter.counterId);
    }
    if (filter.clerkUserId) {
      where.push('clerk_user_id = ?');
      args.push(filter.clerkUserId);
    }
    if (filter.states && filter.states.length > 0) {
      where.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
      args.push(...filter.states);
    }
    if (filter.deadlineFrom) {
      where.push('deadline >= ?');
      args.push(filter.deadlineFrom);
    }
    if (filter.deadlineBefore) {
      where.push('deadline < ?');
      args.push(filter.deadlineBefore);
    }
    if (filter.commitmentOverdueOn) {
      where.push('commitment_deadline < ? AND commitment_fulfilled_at IS NULL');
      args.push(filter.commitmentOverdueOn);
    }
    if (filter.createdFrom) {
      where.push('business_date >= ?');
      args.push(filter.createdFrom);
    }
    if (filter.createdBefore) {
      where.push('business_date < ?');
      args.push(filter.createdBefore);
    }
    if (filter.serviceItemCode) {
      where.push('service_item_code = ?');
      args.push(filter.serviceItemCode);
    }
    if (filter.receiptNo) {
      where.push('receipt_no = ?');
      args.push(filter.receiptNo);
    }
    // business_date is the local day of created_at: ordering by both follows the day indexes.
    const order = filter.order === 'deadline' ? 'deadline IS NULL, deadline, created_at DESC, id DESC' : 'business_date DESC, created_at DESC, id DESC';
    const columns = 'id, receipt_no, service_item_code, state, tolerated, applicant_name_enc, counter_id, created_at, deadline, commitment_deadline, commitment_fulfilled_at, fee_total_fen, paid_at';
    const sql = `SELECT ${columns} FROM cases ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ? OFFSET ?`;
    return this.db
      .prepare(sql)
      .all(...args, filter.limit + 1, filter.offset)
      .map((r) => this.toListRecord(r));
  }

  /** Records a state change (case row + case_event + outbox row, one transaction). */
  transition(caseId: string, to: CaseState, actorUserId: string, reason: string | null = null): CaseTransition {
    const at = this.clock().toISOString();
    return this.db.transaction(() => {
      const current = this.db.prepare('SELECT state, receipt_no FROM cases WHERE id = ?').get(caseId);
      if (current === undefined) throw new NotFoundError('case', caseId);
      const { state: from, receipt_no: receiptNo } = parseRow(
        z.object({ state: z.enum(CASE_STATES), receipt_no: z.string() }),
        current,
        'cases',
        caseId,
      );
      this.db.prepare('UPDATE cases SET state = ?, updated_at = ? WHERE id = ?').run(to, at, caseId);
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
    return this.db
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
    const info = this.db
      .prepare('INSERT INTO case_events (case_id, from_state, to_state, actor_user_id, at, reason) VALUES (?, ?, ?, ?, ?, ?)')
      .run(caseId, from, to, actor, at, reason);
    return Number(info.lastInsertRowid);
  }

  private mustGet(id: string): CaseRecord {
    const found = this.get(id);
    if (found === null) throw new NotFoundError('case', id);
    return found;
  }

  /** A list row: only the applicant's name is decrypted (the list shows it masked). */
  private toListRecord(raw: unknown): CaseListRecord {
    const r = parseRow(ListRow, raw, 'cases');
    return {
      id: r.id,
      receiptNo: r.receipt_no,
      serviceItemCode: r.service_item_code,
      state: r.state,
      tolerated: r.tolerated,
      applicantName: r.applicant_name_enc === null ? null : this.cipher.decrypt(r.applicant_name_enc, fieldContext(CTX.name, r.id)),
      counterId: r.counter_id,
      createdAt: r.created_at,
      deadline: r.deadline,
      commitmentDeadline: r.commitment_deadline,
      commitmentFulfilledAt: r.commitment_fulfilled_at,
      feeTotalFen: r.fee_total_fen,
      paidAt: r.paid_at,
    };
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
      agent:
        r.agent_name_enc === null || r.agent_id_enc === null
          ? null
          : { name: c.decrypt(r.agent_name_enc, fieldContext(CTX.agentName, r.id)), idNumber: c.decrypt(r.agent_id_enc, fieldContext(CTX.agentId, r.id)) },
      materials: parseJsonColumn(z.array(CaseMaterial), r.materials, 'cases', r.id),
      commitmentDeadline: r.commitment_deadline,
      commitmentFulfilledAt: r.commitment_fulfilled_at,
      feeTotalFen: r.fee_total_fen,
      paymentCode: r.payment_code,
      paidAt: r.paid_at,
      paidVia: r.paid_via,
      credit: r.credit === null ? null : parseJsonColumn(CaseCredit, r.credit, 'cases', r.id),
      faceCheckId: r.face_check_id,
      pauses: parseJsonColumn(z.array(CasePause), r.pauses, 'cases', r.id),
      correctionRounds: r.correction_rounds,
      businessDate: r.business_date,
      decisionReason: r.decision_reason,
      returnBy: r.return_by,
    };
  }
}
