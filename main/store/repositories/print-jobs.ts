import { z } from 'zod';
import type { Clock, HallDatabase } from '../database';
import { NotFoundError, StoreError } from '../errors';
import { uuidv7 } from '../uuidv7';
import { jsonValue, parseJsonColumn, parseRow, type JsonValue } from './rows';

/** Delivery states of a print job (CHECK constraint of migration 0002). */
export const PRINT_JOB_STATES = ['queued', 'printing', 'printed', 'failed'] as const;
export type PrintJobState = (typeof PRINT_JOB_STATES)[number];

export interface PrintJobRecord {
  id: string;
  /** Print order, gapless from 1. */
  seq: number;
  /** Document kind, e.g. 'acceptance-receipt'. */
  kind: string;
  /** What the job is about (a receipt number); never personal data. */
  reference: string | null;
  /** The document to print (masked personal data only). */
  document: JsonValue;
  state: PrintJobState;
  /** Times the job was sent to the printer. */
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  printedAt: string | null;
  /** The job this one reprints (补打). */
  reprintOf: string | null;
}

export interface NewPrintJob {
  kind: string;
  reference?: string | null;
  document: JsonValue;
  reprintOf?: string | null;
}

const Row = z.object({
  id: z.string(),
  seq: z.number().int(),
  kind: z.string(),
  reference: z.string().nullable(),
  document: z.string(),
  state: z.enum(PRINT_JOB_STATES),
  attempts: z.number().int(),
  last_error: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  printed_at: z.string().nullable(),
  reprint_of: z.string().nullable(),
});

/**
 * The persistent print queue's rows. Every state change is one guarded UPDATE (`WHERE state = …`), so a
 * job cannot be printed twice by two workers or jump states; a refused change throws
 * StoreError('print_job_state'). No printing logic here: drivers/printer/queue.ts decides.
 */
export class PrintJobRepository {
  constructor(
    private readonly db: HallDatabase,
    private readonly clock: Clock,
  ) {}

  /** Appends a queued job at the end of the print order. */
  enqueue(job: NewPrintJob): PrintJobRecord {
    const now = this.clock();
    const at = now.toISOString();
    const id = uuidv7(now);
    const document = JSON.stringify(jsonValue.parse(job.document));
    this.db.transaction(() => {
      const seq = this.lastSeq() + 1;
      this.db
        .prepare(
          `INSERT INTO print_jobs (id, seq, kind, reference, document, created_at, updated_at, reprint_of)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(id, seq, job.kind, job.reference ?? null, document, at, at, job.reprintOf ?? null);
    });
    return this.mustGet(id);
  }

  get(id: string): PrintJobRecord | null {
    const row = this.db.prepare('SELECT * FROM print_jobs WHERE id = ?').get(id);
    return row === undefined ? null : toRecord(row);
  }

  /** Newest first, for the UI; optionally only some states or one reference. */
  list(options: { states?: readonly PrintJobState[]; reference?: string; limit?: number } = {}): PrintJobRecord[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (options.states && options.states.length > 0) {
      where.push(`state IN (${options.states.map(() => '?').join(', ')})`);
      params.push(...options.states);
    }
    if (options.reference !== undefined) {
      where.push('reference = ?');
      params.push(options.reference);
    }
    const sql = `SELECT * FROM print_jobs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    return this.db
      .prepare(sql)
      .all(...params, options.limit ?? 100)
      .map(toRecord);
  }

  /** The queued job to print next (lowest seq), or null. */
  nextQueued(): PrintJobRecord | null {
    const row = this.db.prepare(`SELECT * FROM print_jobs WHERE state = 'queued' ORDER BY seq LIMIT 1`).get();
    return row === undefined ? null : toRecord(row);
  }

  countOpen(): number {
    const row = this.db.prepare(`SELECT count(*) AS n FROM print_jobs WHERE state IN ('queued', 'printing')`).get();
    return parseRow(z.object({ n: z.number().int() }), row, 'print_jobs').n;
  }

  /** queued → printing, one more attempt. */
  markPrinting(id: string): PrintJobRecord {
    return this.change(id, ['queued'], `state = 'printing', attempts = attempts + 1, updated_at = @at`);
  }

  /** printing → printed. */
  markPrinted(id: string): PrintJobRecord {
    return this.change(id, ['printing'], `state = 'printed', printed_at = @at, last_error = NULL, updated_at = @at`);
  }

  /** printing → queued again (the printer failed; the worker retries later). */
  markQueued(id: string, error: string): PrintJobRecord {
    return this.change(id, ['printing'], `state = 'queued', last_error = @error, updated_at = @at`, error);
  }

  /** queued | printing → failed: the job cannot be printed as it is (e.g. its document no longer validates). */
  markFailed(id: string, error: string): PrintJobRecord {
    return this.change(id, ['queued', 'printing'], `state = 'failed', last_error = @error, updated_at = @at`, error);
  }

  /**
   * Crash recovery at start-up: jobs left 'printing' by a process that died go back to 'queued'
   * (they may have printed: at-least-once). Returns how many.
   */
  requeueInterrupted(reason: string): number {
    return this.db
      .prepare(`UPDATE print_jobs SET state = 'queued', last_error = ?, updated_at = ? WHERE state = 'printing'`)
      .run(reason, this.clock().toISOString()).changes;
  }

  private change(id: string, from: readonly PrintJobState[], set: string, error: string | null = null): PrintJobRecord {
    const at = this.clock().toISOString();
    return this.db.transaction(() => {
      const info = this.db
        .prepare(`UPDATE print_jobs SET ${set} WHERE id = @id AND state IN (${from.map((s) => `'${s}'`).join(', ')})`)
        .run({ id, at, ...(error === null ? {} : { error }) });
      if (info.changes === 1) return this.mustGet(id);
      const current = this.get(id);
      if (current === null) throw new NotFoundError('print_job', id);
      throw new StoreError('print_job_state', `print job ${id} is ${current.state}, expected ${from.join(' or ')}`);
    });
  }

  private lastSeq(): number {
    const row = this.db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM print_jobs').get();
    return parseRow(z.object({ seq: z.number().int() }), row, 'print_jobs').seq;
  }

  private mustGet(id: string): PrintJobRecord {
    const found = this.get(id);
    if (found === null) throw new NotFoundError('print_job', id);
    return found;
  }
}

function toRecord(raw: unknown): PrintJobRecord {
  const r = parseRow(Row, raw, 'print_jobs');
  return {
    id: r.id,
    seq: r.seq,
    kind: r.kind,
    reference: r.reference,
    document: parseJsonColumn(jsonValue, r.document, 'print_jobs', r.id),
    state: r.state,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    printedAt: r.printed_at,
    reprintOf: r.reprint_of,
  };
}
