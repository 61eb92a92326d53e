/**
 * Personal data after the counter (security note: "masking in the UI by default (reveal is an audited
 * action)" and "closed cases' personal fields purged after the configured period; purge is audited").
 *
 * - reveal: one clear field of a case for a supervisor, with a reason; the audit row (actor, case,
 *   field, reason — never the value) is written in the same transaction as the read, so no value leaves
 *   main without its audit row.
 * - purge: closed cases (办结, 已送达, 归档, 撤件, 不予受理) whose last transition is older than
 *   `privacy.retentionDays` lose their personal fields: the encrypted name / ID number / address /
 *   phone of the applicant and the agent, the blind index, the face-check reference, and the blind index
 *   on old tickets. The case row, its state history (case_events), the face check's scores, the audit
 *   log and the outbox stay: none of them holds personal data. One audit row per run with the count.
 *   docs/security.md "Reveal and retention".
 */
import { z } from 'zod';
import type { Session } from '../../preload/contract';
import type { RevealRequest, RevealResult } from '../../preload/privacy-contract';
import type { Clock } from '../domain/clock';
import type { Logger } from '../log';
import type { Store } from '../store';
import type { CaseRecord } from '../store/repositories/cases';
import { HallServiceError } from './errors';

export const RETENTION_DAYS_SETTING = 'privacy.retentionDays';
export const RetentionDaysSetting = z.number().int().min(1).max(3650);
/** Default retention of closed cases' personal fields on the console (docs/security.md). */
export const DEFAULT_RETENTION_DAYS = 180;

/** Case states after which nothing more happens at the counter. */
export const CLOSED_STATES = ['completed', 'delivered', 'archived', 'withdrawn', 'rejected'] as const;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface PurgeResult {
  /** Cases whose personal fields were erased (or would be, on a dry run). */
  cases: number;
  /** Tickets whose ID-number blind index was erased. */
  tickets: number;
  retentionDays: number;
  /** Closed before this instant → purged. */
  cutoff: string;
  dryRun: boolean;
  auditId: number | null;
}

/** The timer the daily purge runs on (injectable for tests). */
export interface PurgeTimer {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const realTimer: PurgeTimer = {
  setInterval: (fn, ms) => {
    const h = setInterval(fn, ms);
    h.unref?.();
    return h;
  },
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

const CLOSED_SQL = CLOSED_STATES.map((s) => `'${s}'`).join(', ');
/** When a case reached its current state: its last transition (case_events), else its last update. */
const CLOSED_AT_SQL = `coalesce((SELECT max(e.at) FROM case_events e WHERE e.case_id = cases.id), cases.updated_at)`;
const HAS_PERSONAL_SQL = `(applicant_name_enc IS NOT NULL OR applicant_id_enc IS NOT NULL OR applicant_id_index IS NOT NULL
  OR applicant_address_enc IS NOT NULL OR applicant_phone_enc IS NOT NULL OR agent_name_enc IS NOT NULL
  OR agent_id_enc IS NOT NULL OR face_check_id IS NOT NULL)`;

export class PrivacyService {
  constructor(private readonly o: { store: Store; clock: Clock; logger: Logger }) {}

  reveal(session: Session, input: RevealRequest): RevealResult {
    const { store, clock, logger } = this.o;
    const result = store.db.transaction(() => {
      const record = store.cases.get(input.id);
      if (!record) throw new HallServiceError('not_found', '没有这个办件');
      const { value, absent } = fieldOf(record, input.field);
      const auditId = store.audit.append({
        actor: session.userId,
        action: 'personal.revealed',
        subject: record.receiptNo,
        detail: { caseId: record.id, field: input.field, reason: input.reason, absent },
      });
      return { field: input.field, value, absent, revealedAt: clock().toISOString(), auditId };
    });
    logger.log('info', 'privacy.revealed', { field: input.field, auditId: result.auditId });
    return result;
  }

  retentionDays(): number {
    return retentionDaysOf(this.o.store);
  }

  /** See purgeClosedCases. */
  purge(options: { dryRun?: boolean; retentionDays?: number } = {}): PurgeResult {
    return purgeClosedCases(this.o, options);
  }

  /** Purges now and then once a day; returns the stop function. A failed run is logged, never thrown. */
  schedule(timer: PurgeTimer = realTimer, everyMs = DAY_MS): () => void {
    const run = () => {
      try {
        this.purge();
      } catch (err) {
        this.o.logger.log('error', 'privacy.purge_failed', { error: String((err as Error)?.message ?? err) });
      }
    };
    run();
    const handle = timer.setInterval(run, everyMs);
    return () => timer.clearInterval(handle);
  }
}

export function retentionDaysOf(store: Pick<Store, 'settings'>): number {
  return store.settings.get(RETENTION_DAYS_SETTING, RetentionDaysSetting) ?? DEFAULT_RETENTION_DAYS;
}

/**
 * Erases the personal fields of closed cases older than the retention period, in one transaction
 * with its audit row. A dry run counts and writes nothing. Afterwards the WAL is checkpointed and
 * truncated so the erased ciphertext does not linger in it (secure_delete zeroes the freed cells).
 * Needs no field key (it only writes NULLs): `hall privacy purge` runs it on a database whose key
 * the OS key store holds.
 */
export function purgeClosedCases(
  o: { store: Pick<Store, 'db' | 'settings' | 'audit'>; clock: Clock; logger: Logger },
  options: { dryRun?: boolean; retentionDays?: number } = {},
): PurgeResult {
  const { store, clock, logger } = o;
  const retentionDays = RetentionDaysSetting.parse(options.retentionDays ?? retentionDaysOf(store));
  const now = clock();
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
  const cutoffDate = cutoff.slice(0, 10);
  const dryRun = options.dryRun ?? false;
  const sql = store.db.sql;
  const selectCases = `FROM cases WHERE state IN (${CLOSED_SQL}) AND ${HAS_PERSONAL_SQL} AND ${CLOSED_AT_SQL} < ?`;
  const selectTickets = `FROM tickets WHERE applicant_id_index IS NOT NULL AND business_date < ? AND state IN ('done', 'skipped', 'transferred')`;
  const result = store.db.transaction((): PurgeResult => {
    const caseCount = (sql.prepare(`SELECT COUNT(*) AS n ${selectCases}`).get(cutoff) as { n: number }).n;
    const ticketCount = (sql.prepare(`SELECT COUNT(*) AS n ${selectTickets}`).get(cutoffDate) as { n: number }).n;
    if (dryRun) return { cases: caseCount, tickets: ticketCount, retentionDays, cutoff, dryRun, auditId: null };
    sql
      .prepare(
        `UPDATE cases SET applicant_name_enc = NULL, applicant_id_enc = NULL, applicant_id_index = NULL,
           applicant_address_enc = NULL, applicant_phone_enc = NULL, agent_name_enc = NULL, agent_id_enc = NULL,
           face_check_id = NULL
         WHERE id IN (SELECT id ${selectCases})`,
      )
      .run(cutoff);
    sql.prepare(`UPDATE tickets SET applicant_id_index = NULL WHERE id IN (SELECT id ${selectTickets})`).run(cutoffDate);
    const auditId = store.audit.append({
      actor: null,
      action: 'privacy.purged',
      subject: null,
      detail: { cases: caseCount, tickets: ticketCount, retentionDays, cutoff },
    });
    return { cases: caseCount, tickets: ticketCount, retentionDays, cutoff, dryRun, auditId };
  });
  if (!dryRun && (result.cases > 0 || result.tickets > 0)) {
    try {
      sql.pragma('wal_checkpoint(TRUNCATE)');
    } catch (err) {
      logger.log('warn', 'privacy.checkpoint_failed', { error: String((err as Error)?.message ?? err) });
    }
  }
  logger.log('info', 'privacy.purged', { cases: result.cases, tickets: result.tickets, retentionDays, dryRun });
  return result;
}

function fieldOf(record: CaseRecord, field: RevealRequest['field']): { value: string | null; absent: RevealResult['absent'] } {
  if (record.applicant === null) return { value: null, absent: 'purged' };
  const a = record.applicant;
  const value = (() => {
    switch (field) {
      case 'applicant.name':
        return a.name;
      case 'applicant.idNumber':
        return a.idNumber;
      case 'applicant.phone':
        return a.phone;
      case 'applicant.address':
        return a.address;
      case 'agent.name':
        return record.agent?.name ?? null;
      case 'agent.idNumber':
        return record.agent?.idNumber ?? null;
    }
  })();
  return { value: value ?? null, absent: value == null ? 'not_recorded' : null };
}

