import { z } from 'zod';
import type { Clock, HallDatabase } from '../database';
import { TICKET_STATES, type TicketState } from '../enums';
import { NotFoundError } from '../errors';
import type { FieldCipher } from '../field-cipher';
import { uuidv7 } from '../uuidv7';
import { parseRow } from './rows';

export interface Ticket {
  id: string;
  /** e.g. 'A012': group prefix + daily sequence. */
  number: string;
  groupCode: string;
  /** Local date 'YYYY-MM-DD'. */
  businessDate: string;
  issuedAt: string;
  state: TicketState;
  counterId: string | null;
  /** Blind index of the applicant's ID number when the ticket was taken by ID card. */
  applicantIdIndex: string | null;
  priority: string | null;
  calledAt: string | null;
  servedAt: string | null;
  finishedAt: string | null;
  recallCount: number;
  requeueCount: number;
  /** A transferred ticket waits for this counter only. */
  targetCounterId: string | null;
}

export interface NewTicket {
  id?: string;
  number: string;
  groupCode: string;
  businessDate: string;
  /** Defaults to the clock. */
  issuedAt?: string;
  counterId?: string | null;
  /** Plain ID number read from the card; only its blind index is stored. */
  applicantIdNumber?: string | null;
  priority?: string | null;
}

const Row = z.object({
  id: z.string(),
  number: z.string(),
  group_code: z.string(),
  business_date: z.string(),
  issued_at: z.string(),
  state: z.enum(TICKET_STATES),
  counter_id: z.string().nullable(),
  applicant_id_index: z.string().nullable(),
  priority: z.string().nullable(),
  called_at: z.string().nullable(),
  served_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  recall_count: z.number().int(),
  requeue_count: z.number().int(),
  target_counter_id: z.string().nullable(),
});

export class TicketRepository {
  constructor(
    private readonly db: HallDatabase,
    private readonly cipher: FieldCipher,
    private readonly clock: Clock,
  ) {}

  insert(input: NewTicket): Ticket {
    const now = this.clock();
    const id = input.id ?? uuidv7(now);
    this.db
      .prepare(
        `INSERT INTO tickets (id, number, group_code, business_date, issued_at, counter_id, applicant_id_index, priority)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.number,
        input.groupCode,
        input.businessDate,
        input.issuedAt ?? now.toISOString(),
        input.counterId ?? null,
        input.applicantIdNumber ? this.cipher.blindIndex(input.applicantIdNumber) : null,
        input.priority ?? null,
      );
    const ticket = this.get(id);
    if (ticket === null) throw new NotFoundError('ticket', id);
    return ticket;
  }

  get(id: string): Ticket | null {
    const row = this.db.prepare('SELECT * FROM tickets WHERE id = ?').get(id);
    return row === undefined ? null : toTicket(row);
  }

  /** Waiting tickets of one business day in issue order (priority ordering is a domain rule). */
  listWaiting(businessDate: string): Ticket[] {
    return this.db
      .prepare(`SELECT * FROM tickets WHERE business_date = ? AND state = 'waiting' ORDER BY issued_at, number`)
      .all(businessDate)
      .map(toTicket);
  }

  /** Next daily sequence of a service group (A001, A002, … per business day). */
  nextSequence(businessDate: string, groupCode: string): number {
    const max = this.db
      .prepare(`SELECT max(CAST(substr(number, length(group_code) + 1) AS INTEGER)) FROM tickets WHERE business_date = ? AND group_code = ?`)
      .pluck()
      .get(businessDate, groupCode) as number | null;
    return (max ?? 0) + 1;
  }

  /** Tickets a counter is calling or serving now (called, recalled, serving, suspended). */
  activeAt(counterId: string): Ticket[] {
    return this.db
      .prepare(`SELECT * FROM tickets WHERE counter_id = ? AND state IN ('called', 'recalled', 'serving', 'suspended') ORDER BY called_at`)
      .all(counterId)
      .map(toTicket);
  }

  /** Tickets a counter skipped (过号) on one business day, the latest first. */
  skippedAt(counterId: string, businessDate: string, limit: number): Ticket[] {
    return this.db
      .prepare(`SELECT * FROM tickets WHERE counter_id = ? AND business_date = ? AND state = 'skipped' ORDER BY finished_at DESC, number DESC LIMIT ?`)
      .all(counterId, businessDate, limit)
      .map(toTicket);
  }

  /** Write a ticket's new state (the caller decided it with the domain rule, inside its transaction). */
  update(id: string, fields: Partial<Pick<Ticket, 'state' | 'counterId' | 'calledAt' | 'servedAt' | 'finishedAt' | 'recallCount' | 'requeueCount' | 'targetCounterId'>>): Ticket {
    const columns: Record<string, string> = {
      state: 'state',
      counterId: 'counter_id',
      calledAt: 'called_at',
      servedAt: 'served_at',
      finishedAt: 'finished_at',
      recallCount: 'recall_count',
      requeueCount: 'requeue_count',
      targetCounterId: 'target_counter_id',
    };
    const keys = Object.keys(fields).filter((k) => k in columns);
    if (keys.length > 0) {
      const info = this.db
        .prepare(`UPDATE tickets SET ${keys.map((k) => `${columns[k]} = @${k}`).join(', ')} WHERE id = @id`)
        .run({ ...fields, id });
      if (info.changes === 0) throw new NotFoundError('ticket', id);
    }
    const ticket = this.get(id);
    if (ticket === null) throw new NotFoundError('ticket', id);
    return ticket;
  }

  /** Does the ID card read at the counter match the one the ticket was taken with? */
  applicantMatches(ticket: Ticket, idNumber: string): boolean {
    return ticket.applicantIdIndex !== null && ticket.applicantIdIndex === this.cipher.blindIndex(idNumber);
  }
}

function toTicket(raw: unknown): Ticket {
  const row = parseRow(Row, raw, 'tickets');
  return {
    id: row.id,
    number: row.number,
    groupCode: row.group_code,
    businessDate: row.business_date,
    issuedAt: row.issued_at,
    state: row.state,
    counterId: row.counter_id,
    applicantIdIndex: row.applicant_id_index,
    priority: row.priority,
    calledAt: row.called_at,
    servedAt: row.served_at,
    finishedAt: row.finished_at,
    recallCount: row.recall_count,
    requeueCount: row.requeue_count,
    targetCounterId: row.target_counter_id,
  };
}
