/**
 * Row decoding shared by both adapters. SQLite gives numbers and ISO text; PostgreSQL gives int8 as
 * text and timestamptz as Date. Each row is checked with zod, as the console's repositories do.
 */
import { z } from 'zod';
import { Bucket } from '../../protocol';
import { auditHeadPin, caseFeedValue, toChange, type KnownMutation } from './plan';
import type { Change, ChangeMark, ChangePage, ConsoleRecord, HubAuditHead, QuarantinedMutation, StoredMutation } from './types';

const int = z.union([z.number(), z.string(), z.bigint()]).transform((v, ctx) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) {
    ctx.addIssue({ code: 'custom', message: 'not a safe integer' });
    return z.NEVER;
  }
  return n;
});
const time = z.union([z.string(), z.date()]).transform((v) => (typeof v === 'string' ? v : v.toISOString()));
const nullableTime = z.union([time, z.null()]);

export function decode<S extends z.ZodType>(schema: S, row: unknown, table: string): z.output<S> {
  const r = schema.safeParse(row);
  if (!r.success) {
    const detail = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`hub store: a row of ${table} does not match its schema: ${detail}`);
  }
  return r.data;
}

const ConsoleRow = z.object({
  console_id: z.string(),
  public_key: z.string(),
  status: z.enum(['active', 'revoked']),
  last_applied: int,
  registered_at: time,
  revoked_at: nullableTime,
  hall_id: z.string().nullable().optional(),
});
export function toConsole(row: unknown): ConsoleRecord {
  const r = decode(ConsoleRow, row, 'hub_consoles');
  return {
    consoleId: r.console_id,
    publicKey: r.public_key,
    status: r.status,
    lastApplied: r.last_applied,
    registeredAt: r.registered_at,
    revokedAt: r.revoked_at,
    hallId: r.hall_id ?? null,
  };
}

const MutationRow = z.object({
  mutation_id: z.string(),
  console_id: z.string(),
  seq: int,
  schema_version: int,
  hlc: z.string(),
  type: z.string(),
  payload: z.string(),
  applied_at: time,
});
export function toStoredMutation(row: unknown): StoredMutation {
  const r = decode(MutationRow, row, 'hub_mutations');
  return {
    seq: r.seq,
    mutationId: r.mutation_id,
    schemaVersion: r.schema_version,
    hlc: r.hlc,
    type: r.type,
    payload: JSON.parse(r.payload) as StoredMutation['payload'],
    consoleId: r.console_id,
    appliedAt: r.applied_at,
  };
}

const QuarantineRow = z.object({
  id: int,
  console_id: z.string(),
  seq: int,
  mutation_id: z.string().nullable(),
  type: z.string().nullable(),
  raw: z.string(),
  reason: z.string(),
  received_at: time,
});
export function toQuarantined(row: unknown): QuarantinedMutation {
  const r = decode(QuarantineRow, row, 'hub_quarantine');
  return { id: r.id, consoleId: r.console_id, seq: r.seq, mutationId: r.mutation_id, type: r.type, reason: r.reason, raw: JSON.parse(r.raw) as unknown, receivedAt: r.received_at };
}

const ChangeRow = z.object({ server_seq: int, op: z.enum(['put', 'delete']), key: z.string(), value: z.string().nullable() });
export function toChangeFromRow(row: unknown): Change {
  const r = decode(ChangeRow, row, 'hub_changes');
  return toChange(r.server_seq, r.op, r.key, r.value);
}

const TagRow = z.object({ tag: z.string().nullable() });
/** The `tag` column of a hub_changes row (null for rows from before tags). */
export function tagOf(row: unknown): string | null {
  return decode(TagRow, row, 'hub_changes').tag;
}

const LedgerRow = z.object({ seq: int, mutation_id: z.string().nullable(), outcome: z.enum(['applied', 'duplicate', 'rejected']), reason: z.string().nullable() });
export function toLedger(row: unknown): z.output<typeof LedgerRow> {
  return decode(LedgerRow, row, 'hub_console_seqs');
}

const BucketSeqRow = z.object({ bucket: Bucket, n: int, s: int });
export function toBucketSeq(row: unknown): z.output<typeof BucketSeqRow> {
  return decode(BucketSeqRow, row, 'hub_changes');
}

const KnownRow = z.object({ mutation_id: z.string(), type: z.string(), payload: z.string(), content_hash: z.string().nullable() });
/** A stored mutation found under a mutationId of a push (the dedupe check). */
export function toKnownMutation(row: unknown): KnownMutation {
  const r = decode(KnownRow, row, 'hub_mutations');
  return { type: r.type, payloadJson: r.payload, contentHash: r.content_hash };
}

/**
 * Entries of hall_cases: up to `need` of them from the first `ranges` range rows after `after`, joined to
 * their mutations, in serverSeq order, only those after `cursor`. Parameters, in order: after, [hall id
 * when scoped], ranges, cursor, need. The same text runs on both databases.
 */
export function caseFeedQuery(dialect: 'sqlite' | 'postgres', scoped: boolean): string {
  let i = 0;
  const p = (): string => (dialect === 'sqlite' ? '?' : `$${++i}`);
  const after = p();
  const hall = scoped ? ` AND hall_id ${dialect === 'sqlite' ? 'IS' : 'IS NOT DISTINCT FROM'} ${p()}` : '';
  const ranges = p();
  return `SELECT c.server_seq, c.first_seq, c.seq_from, c.tag, m.console_id, m.mutation_id, m.seq, m.type, m.hlc, m.payload
    FROM (SELECT server_seq, first_seq, console_id, seq_from, tag FROM hub_changes
           WHERE bucket = 'hall_cases' AND server_seq > ${after}${hall} ORDER BY server_seq LIMIT ${ranges}) AS c
    JOIN hub_mutations AS m ON m.console_id = c.console_id AND m.seq BETWEEN c.seq_from AND c.seq_from + (c.server_seq - c.first_seq)
   WHERE substr(m.type, 1, 5) = 'case.' AND c.first_seq + (m.seq - c.seq_from) > ${p()}
   ORDER BY c.server_seq, m.seq
   LIMIT ${p()}`;
}

const CaseFeedRow = z.object({
  server_seq: int,
  first_seq: int,
  seq_from: int,
  tag: z.string().nullable(),
  console_id: z.string(),
  mutation_id: z.string(),
  seq: int,
  type: z.string(),
  hlc: z.string(),
  payload: z.string(),
});

/** Range rows joined by the first query of a page; doubled by each further one, up to MAX_RANGES. */
const FIRST_RANGES = 16;
/** 128 ranges of a full push (500) are 64,000 entries: the most one step may have to sort. */
const MAX_RANGES = 128;

/**
 * One page of hall_cases (limit changes after cursor). A range holds up to 500 entries (a push) or one
 * (a clerk's single 受理), so the page is read in steps: 16 range rows, then 32, 64, 128, 128 … until
 * limit + 1 entries are in (one more means hasMore) or the ranges run out. One join over limit + 1 ranges would
 * make PostgreSQL read and sort every entry of them (200,000 rows for a page of 1,000 from big pushes).
 */
export async function readCaseFeed(
  query: (after: number, ranges: number, cursor: number, need: number) => unknown[] | Promise<unknown[]>,
  cursor: number,
  limit: number,
): Promise<ChangePage> {
  const rows: z.output<typeof CaseFeedRow>[] = [];
  let after = cursor;
  for (let ranges = FIRST_RANGES; rows.length <= limit; ranges = Math.min(ranges * 2, MAX_RANGES)) {
    const step = await query(after, ranges, cursor, limit + 1 - rows.length);
    if (step.length === 0) break;
    for (const raw of step) rows.push(decode(CaseFeedRow, raw, 'hub_changes ⋈ hub_mutations'));
    after = rows.at(-1)!.server_seq;
  }
  const changes: Change[] = rows.slice(0, limit).map((r) => ({
    serverSeq: r.first_seq + (r.seq - r.seq_from),
    op: 'put',
    key: r.mutation_id,
    value: caseFeedValue({ consoleId: r.console_id, seq: r.seq, type: r.type, hlc: r.hlc, payloadJson: r.payload }),
  }));
  const last = changes.length > 0 ? rows[changes.length - 1] : undefined;
  return { changes, cursor: changes.at(-1)?.serverSeq ?? cursor, hasMore: rows.length > limit, ...(last !== undefined ? { cursorTag: last.tag } : {}) };
}

const MarkRow = z.object({ server_seq: int, first_seq: int.nullable(), tag: z.string().nullable() });
/** changeAt: the first row at or after serverSeq holds it when its range starts at or before it. */
export function markAt(row: unknown, serverSeq: number): ChangeMark | null {
  const r = decode(MarkRow, row, 'hub_changes');
  return (r.first_seq ?? r.server_seq) <= serverSeq ? { tag: r.tag } : null;
}

/** The columns latestAuditHead reads from hub_mutations. */
export const AuditHeadRow = z.object({ mutation_id: z.string(), seq: int, payload: z.string(), applied_at: time });
export type AuditHeadRow = z.output<typeof AuditHeadRow>;

/** A stored audit.head as the operator sees it; null when there is none (or its payload has no lastId/hash). */
export function toHubAuditHead(consoleId: string, row: AuditHeadRow | null): HubAuditHead | null {
  if (row === null) return null;
  const pin = auditHeadPin(JSON.parse(row.payload));
  if (pin === null) return null;
  return { consoleId, lastId: pin.lastId, hash: pin.hash, at: pin.at ?? null, seq: row.seq, mutationId: row.mutation_id, appliedAt: row.applied_at };
}
