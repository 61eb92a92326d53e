import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import type { KeyObject } from 'node:crypto';
import { anchorDigest, AUDIT_ANCHOR_FORMAT, AUDIT_GENESIS, AUDIT_HEAD_MUTATION, AuditHead, auditRowHash, verifyAuditChain, type AuditChainRow, type AuditHubHead, type AuditVerification } from '../../security/audit-chain';
import type { Clock, HallDatabase } from '../database';
import { StoreError } from '../errors';
import type { OutboxRepository } from './outbox';
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
const ChainRow = Row.extend({ prev_hash: z.string(), hash: z.string() });
const HeadRow = z.object({ console_id: z.string(), last_id: z.number().int(), hash: z.string(), at: z.string(), signature: z.string() });

function toChainRow(raw: unknown): AuditChainRow {
  const r = parseRow(ChainRow, raw, 'audit_log');
  return { id: r.id, at: r.at, actor: r.actor, action: r.action, subject: r.subject, detail: r.detail, prevHash: r.prev_hash, hash: r.hash };
}

function toHead(raw: unknown): AuditHead {
  const r = parseRow(HeadRow, raw, 'audit_heads');
  return parseRow(AuditHead, { consoleId: r.console_id, lastId: r.last_id, hash: r.hash, at: r.at, signature: r.signature }, 'audit_heads', String(r.last_id));
}

/** The rows with their chain columns, in id order, from any connection (`hall audit verify` opens the file read-only). */
export function* auditChainRows(sql: BetterSqlite3.Database): IterableIterator<AuditChainRow> {
  for (const raw of sql.prepare('SELECT id, at, actor, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY id').iterate()) {
    yield toChainRow(raw);
  }
}

export function auditIdOfHash(sql: BetterSqlite3.Database, hash: string): number | null {
  const r = sql.prepare('SELECT id FROM audit_log WHERE hash = ? ORDER BY id LIMIT 1').get(hash) as { id: number } | undefined;
  return r?.id ?? null;
}

export function auditHeads(sql: BetterSqlite3.Database): AuditHead[] {
  return sql.prepare('SELECT console_id, last_id, hash, at, signature FROM audit_heads ORDER BY id').all().map(toHead);
}

/**
 * The other append-only tables, anchored in the chain rather than chained themselves (their writers
 * stay as they are): each anchor row (`action = 'audit.anchored'`, subject `audit.anchor`) holds the
 * digest of the rows added since the previous anchor, so a later edit or delete there breaks the
 * anchor, and the anchor is covered by the next signed head. Columns are listed here (not `*`) so a
 * column added by a later migration does not change old digests.
 */
export const ANCHORED_TABLES: Readonly<Record<string, readonly string[]>> = {
  case_events: ['id', 'case_id', 'from_state', 'to_state', 'actor_user_id', 'at', 'reason'],
  face_checks: ['id', 'recorded_at', 'user_id', 'counter_id', 'decision', 'method', 'automatic_decision', 'reasons', 'manual_reason', 'score', 'liveness', 'antispoof', 'threshold', 'model_version', 'attempts', 'started_at', 'decided_at', 'images_kept'],
};
export const AUDIT_ANCHOR_ACTION = 'audit.anchored';
const ANCHOR_SUBJECT = 'audit.anchor';

const AnchorRange = z.strictObject({
  columns: z.array(z.string().regex(/^[a-z_]{1,64}$/)).min(1).max(64),
  fromRowid: z.number().int().min(0),
  toRowid: z.number().int().min(0),
  count: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
const AnchorDetail = z.strictObject({ format: z.literal(AUDIT_ANCHOR_FORMAT), tables: z.record(z.string(), AnchorRange) });
type AnchorDetail = z.infer<typeof AnchorDetail>;

function anchorRows(sql: BetterSqlite3.Database, table: string, columns: readonly string[], fromRowid: number, toRowid: number): IterableIterator<unknown[]> {
  return sql
    .prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "${table}" WHERE rowid > ? AND rowid <= ? ORDER BY rowid`)
    .raw(true)
    .iterate(fromRowid, toRowid) as IterableIterator<unknown[]>;
}

function lastAnchor(sql: BetterSqlite3.Database): AnchorDetail | null {
  const r = sql.prepare('SELECT detail FROM audit_log WHERE subject = ? AND action = ? ORDER BY id DESC LIMIT 1').get(ANCHOR_SUBJECT, AUDIT_ANCHOR_ACTION) as { detail: string } | undefined;
  if (r === undefined) return null;
  const parsed = AnchorDetail.safeParse(JSON.parse(r.detail));
  return parsed.success ? parsed.data : null;
}

/**
 * For `verifyAuditChain`'s checkRow: recomputes each anchor's digests from the tables, and checks that
 * anchors follow one another (each starts where the previous one ended). Stateful: one per walk.
 */
export function auditAnchorChecker(sql: BetterSqlite3.Database): (row: AuditChainRow) => string | null {
  const ended = new Map<string, number>();
  return (row) => {
    if (row.subject !== ANCHOR_SUBJECT || row.action !== AUDIT_ANCHOR_ACTION) return null;
    let detail: AnchorDetail;
    try {
      detail = AnchorDetail.parse(JSON.parse(row.detail));
    } catch {
      return 'the anchor is not readable';
    }
    for (const [table, range] of Object.entries(detail.tables)) {
      if (!Object.hasOwn(ANCHORED_TABLES, table)) return `the anchor names an unknown table ${table}`;
      const from = ended.get(table) ?? 0;
      if (range.fromRowid !== from) return `the anchor of ${table} starts at rowid ${range.fromRowid}, the previous one ended at ${from}`;
      const { sha256, count } = anchorDigest(table, range.columns, anchorRows(sql, table, range.columns, range.fromRowid, range.toRowid));
      if (count !== range.count || sha256 !== range.sha256) {
        return `${table} rows ${range.fromRowid + 1}–${range.toRowid} no longer match their anchor (${count} of ${range.count} rows left, digest ${sha256 === range.sha256 ? 'equal' : 'differs'}): edited or deleted`;
      }
      ended.set(table, range.toRowid);
    }
    return null;
  };
}

/**
 * Everything `hall audit verify` checks, on any connection: the chain, the anchors, the signed heads
 * (their signatures too when the console's public key is given). With `hubHead` (the hub's latest head of this console,
 * `hall hub audit-head`), also that the log still has the row it names, with its hash.
 */
export function verifyAuditDatabase(sql: BetterSqlite3.Database, publicKey: KeyObject | string | null = null, hubHead: AuditHubHead | null = null): AuditVerification {
  return verifyAuditChain(auditChainRows(sql), { heads: auditHeads(sql), hubHead, publicKey, locate: (hash) => auditIdOfHash(sql, hash), checkRow: auditAnchorChecker(sql) });
}

/**
 * The append-only, hash-chained audit log for what is not a case transition: reprints (补打), credit
 * waivers, discarded drafts, help calls, callback closures. Details never hold clear personal data.
 * Each row's hash covers its fields and the previous row's hash (main/security/audit-chain.ts); the
 * signed heads (`audit_heads`) go to the hub with each sync. docs/security.md "Audit chain".
 */
export class AuditLogRepository {
  constructor(
    private readonly db: HallDatabase,
    private readonly clock: Clock,
    private readonly outbox?: OutboxRepository,
  ) {}

  private statements: { head: BetterSqlite3.Statement; insert: BetterSqlite3.Statement } | null = null;

  /** Prepared once per repository (append runs for every audited action). */
  private get stmt(): { head: BetterSqlite3.Statement; insert: BetterSqlite3.Statement } {
    this.statements ??= {
      head: this.db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1'),
      insert: this.db.prepare('INSERT INTO audit_log (id, at, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    };
    return this.statements;
  }

  /** Appends one row, chained to the last one in the same transaction (a savepoint inside the caller's). */
  append(entry: { actor: string | null; action: string; subject?: string | null; detail?: JsonValue }): number {
    const detail = JSON.stringify(entry.detail ?? {});
    return this.db.transaction(() => {
      const last = this.head();
      const fields = {
        id: (last?.lastId ?? 0) + 1,
        at: this.clock().toISOString(),
        actor: entry.actor,
        action: entry.action,
        subject: entry.subject ?? null,
        detail,
        prevHash: last?.hash ?? AUDIT_GENESIS,
      };
      const hash = auditRowHash(fields);
      this.stmt.insert.run(fields.id, fields.at, fields.actor, fields.action, fields.subject, fields.detail, fields.prevHash, hash);
      return fields.id;
    });
  }

  forSubject(subject: string): AuditEntry[] {
    return this.db
      .prepare('SELECT id, at, actor, action, subject, detail FROM audit_log WHERE subject = ? ORDER BY id')
      .all(subject)
      .map((raw) => {
        const r = parseRow(Row, raw, 'audit_log');
        return { id: r.id, at: r.at, actor: r.actor, action: r.action, subject: r.subject, detail: parseJsonColumn(jsonValue, r.detail, 'audit_log', String(r.id)) };
      });
  }

  /** `verifyAuditDatabase` on this store's connection. */
  verify(publicKey: KeyObject | string | null = null): AuditVerification {
    return verifyAuditDatabase(this.db.sql, publicKey);
  }

  /** The chain's last row (id and hash), or null while the log is empty. */
  head(): { lastId: number; hash: string } | null {
    const r = this.stmt.head.get() as { id: number; hash: string } | undefined;
    return r === undefined ? null : { lastId: r.id, hash: r.hash };
  }

  /** Every row with its chain columns, in id order (streamed: the log may be long). */
  chain(): IterableIterator<AuditChainRow> {
    return auditChainRows(this.db.sql);
  }

  /** The id of the row whose stored hash is `hash` (classifies a broken link), or null. */
  idOfHash(hash: string): number | null {
    return auditIdOfHash(this.db.sql, hash);
  }

  /** Every signed head, oldest first. */
  heads(): AuditHead[] {
    return auditHeads(this.db.sql);
  }

  lastSignedHead(): AuditHead | null {
    const raw = this.db.prepare('SELECT console_id, last_id, hash, at, signature FROM audit_heads ORDER BY id DESC LIMIT 1').get();
    return raw === undefined ? null : toHead(raw);
  }

  /**
   * Appends an anchor row for the rows added to the anchored tables since the last anchor; null
   * when none were added. Runs in the caller's transaction (or its own).
   */
  anchorAppendOnly(): number | null {
    return this.db.transaction(() => {
      const previous = lastAnchor(this.db.sql);
      // Every anchor lists every table (an empty range for one that did not grow), so the last anchor
      // alone says where each table's next range starts.
      const tables: AnchorDetail['tables'] = {};
      let grew = false;
      for (const [table, columns] of Object.entries(ANCHORED_TABLES)) {
        const fromRowid = previous?.tables[table]?.toRowid ?? 0;
        const max = (this.db.prepare(`SELECT coalesce(max(rowid), 0) AS m FROM "${table}"`).get() as { m: number }).m;
        const toRowid = Math.max(max, fromRowid);
        grew ||= toRowid > fromRowid;
        const { sha256, count } = anchorDigest(table, columns, anchorRows(this.db.sql, table, columns, fromRowid, toRowid));
        tables[table] = { columns: [...columns], fromRowid, toRowid, count, sha256 };
      }
      if (!grew) return null;
      return this.append({ actor: null, action: AUDIT_ANCHOR_ACTION, subject: ANCHOR_SUBJECT, detail: { format: AUDIT_ANCHOR_FORMAT, tables } });
    });
  }

  /**
   * Anchors what the other append-only tables gained, then keeps a signed head and queues it for the
   * hub (outbox `audit.head`), all in one transaction. Unless
   * `force`, does nothing and returns null when the head has not moved since the last signed one.
   */
  signHeadIfMoved(consoleId: string, sign: (head: Omit<AuditHead, 'signature'>) => AuditHead, force = false): AuditHead | null {
    const outbox = this.outbox;
    if (outbox === undefined) throw new StoreError('audit_no_outbox', 'this audit log repository was built without the outbox');
    return this.db.transaction(() => {
      this.anchorAppendOnly();
      const current = this.head();
      if (current === null) return null;
      const last = this.lastSignedHead();
      if (!force && last !== null && last.lastId === current.lastId && last.hash === current.hash) return null;
      const head = AuditHead.parse(sign({ consoleId, lastId: current.lastId, hash: current.hash, at: this.clock().toISOString() }));
      if (head.lastId !== current.lastId || head.hash !== current.hash || head.consoleId !== consoleId) {
        throw new StoreError('audit_head_mismatch', 'the signed head is not the head that was asked for');
      }
      this.db
        .prepare('INSERT INTO audit_heads (console_id, last_id, hash, at, signature) VALUES (?, ?, ?, ?, ?)')
        .run(head.consoleId, head.lastId, head.hash, head.at, head.signature);
      outbox.append(AUDIT_HEAD_MUTATION, { ...head });
      return head;
    });
  }
}
