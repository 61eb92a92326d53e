import { z } from 'zod';
import type { Clock, HallDatabase } from '../database';
import { jsonValue, parseJsonColumn, parseRow, type JsonValue } from './rows';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string | null;
  action: string;
  subject: string | null;
  detail: JsonValue;
}

const Row = z.object({ id: z.number().int(), at: z.string(), actor: z.string().nullable(), action: z.string(), subject: z.string().nullable(), detail: z.string() });

/**
 * The append-only audit log for what is not a case transition: reprints (补打), credit waivers,
 * discarded drafts, help calls, callback closures. Details never hold clear personal data.
 */
export class AuditLogRepository {
  constructor(
    private readonly db: HallDatabase,
    private readonly clock: Clock,
  ) {}

  append(entry: { actor: string | null; action: string; subject?: string | null; detail?: JsonValue }): number {
    const info = this.db.sql
      .prepare('INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)')
      .run(this.clock().toISOString(), entry.actor, entry.action, entry.subject ?? null, JSON.stringify(entry.detail ?? {}));
    return Number(info.lastInsertRowid);
  }

  forSubject(subject: string): AuditEntry[] {
    return this.db.sql
      .prepare('SELECT * FROM audit_log WHERE subject = ? ORDER BY id')
      .all(subject)
      .map((raw) => {
        const r = parseRow(Row, raw, 'audit_log');
        return { id: r.id, at: r.at, actor: r.actor, action: r.action, subject: r.subject, detail: parseJsonColumn(jsonValue, r.detail, 'audit_log', String(r.id)) };
      });
  }
}
