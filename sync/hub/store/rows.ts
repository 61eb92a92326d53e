/**
 * Row decoding shared by both adapters. SQLite gives numbers and ISO text; PostgreSQL gives int8 as
 * text and timestamptz as Date. Each row is checked with zod, as the console's repositories do.
 */
import { z } from 'zod';
import { Bucket } from '../../protocol';
import { auditHeadPin, toChange } from './plan';
import type { Change, ConsoleRecord, HubAuditHead, QuarantinedMutation, StoredMutation } from './types';

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

export const HashRow = z.object({ mutation_id: z.string(), content_hash: z.string() });

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
