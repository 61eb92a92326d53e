/**
 * The rules of applying a console's batch, shared by both adapters as pure functions so SQLite and
 * PostgreSQL cannot drift apart. An adapter locks the console, reads lastApplied and the rows that
 * `lookupsFor` names, calls `planPush`, then writes the plan's rows in the same transaction.
 * Rules and reasons: docs/sync.md.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { jsonValueSchema, type JsonValue } from '../../../main/domain/json-value';
import { AUDIT_HEAD_MUTATION } from '../../../main/security/audit-chain';
import { Bucket, Mutation, type Change } from '../../protocol';
import {
  HubStoreError,
  REFERENCE_BUCKETS,
  type ApplyOptions,
  type ChangeInput,
  type IncomingMutation,
  type PushOutcome,
  type PushResult,
} from './types';

export const MAX_REASON_CHARS = 500;
export const MAX_KEY_CHARS = 128;
export const DEFAULT_PAGE = 1000;
/** The protocol's `changes` message carries at most 5000. */
export const MAX_PAGE = 5000;

const JsonValue = jsonValueSchema;
const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/**
 * Text that both databases store unchanged: no control characters (PostgreSQL refuses NUL in text)
 * and no lone surrogates (they would be silently replaced when encoded as UTF-8).
 */
export function isStorableText(s: string): boolean {
  return !CONTROL.test(s) && !LONE_SURROGATE.test(s);
}

export function checkConsoleId(consoleId: unknown): string {
  if (typeof consoleId !== 'string' || consoleId.length < 1 || consoleId.length > 64 || !isStorableText(consoleId)) {
    throw new HubStoreError('bad_console_id', 'console id must be 1–64 printable characters');
  }
  return consoleId;
}

export function checkPublicKey(publicKey: unknown): string {
  if (typeof publicKey !== 'string' || publicKey.length < 1 || publicKey.length > 4096 || !isStorableText(publicKey.replace(/\r?\n/g, ''))) {
    throw new HubStoreError('bad_public_key', 'public key must be 1–4096 characters of text');
  }
  return publicKey;
}

/** Random bytes for change tags, drawn 6 at a time from a 6 KiB pool (one CSPRNG call per 1024 tags). */
let tagPool = Buffer.alloc(0);
let tagAt = 0;

/** A fresh change tag: 8 base64url characters (48 random bits), carried in cursors after the serverSeq. */
export function newChangeTag(): string {
  if (tagAt + 6 > tagPool.length) {
    tagPool = randomBytes(6 * 1024);
    tagAt = 0;
  }
  const tag = tagPool.toString('base64url', tagAt, tagAt + 6);
  tagAt += 6;
  return tag;
}

export function checkCursor(cursor: number): void {
  if (!Number.isSafeInteger(cursor) || cursor < 0) throw new HubStoreError('bad_cursor', `cursor must be a non-negative integer, got ${String(cursor)}`);
}

export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new HubStoreError('bad_cursor', `limit must be a positive integer, got ${String(limit)}`);
  return Math.min(limit, MAX_PAGE);
}

/** A reason as the console will show it: printable, at most 500 characters (PushResult's limit). */
export function cleanReason(reason: string): string {
  const cut = reason.length <= MAX_REASON_CHARS ? reason : `${reason.slice(0, MAX_REASON_CHARS - 1)}…`;
  return cut.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(LONE_SURROGATES, '\uFFFD');
}

/** JSON text of anything a caller handed us (never throws: unserialisable values become a note). */
export function rawJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (err) {
    return JSON.stringify({ unserialisable: err instanceof Error ? err.message : 'value' });
  }
}

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** What makes two mutations with one mutationId "the same": type and payload (not seq, not hlc). */
export function contentHash(mutation: Pick<Mutation, 'type' | 'payload'>): string {
  return createHash('sha256').update(canonicalJson([mutation.type, mutation.payload])).digest('hex');
}

/**
 * case.* mutations appear in hall_cases, one entry per mutation (an event feed; docs/sync.md "Hall-wide
 * cases"). The entry's value is built from the stored mutation when it is read (`caseFeedValue`): the
 * log holds one range row per push, not a copy of each payload (docs/sync.md "How the hub stores a push").
 */
export function isCaseFeedType(type: string): boolean {
  return type.startsWith('case.');
}

/** A hall_cases entry's value, from the stored mutation's columns. */
export function caseFeedValue(m: { consoleId: string; seq: number; type: string; hlc: string; payloadJson: string }): Change['value'] {
  return { consoleId: m.consoleId, seq: m.seq, type: m.type, hlc: m.hlc, payload: JSON.parse(m.payloadJson) as JsonValue };
}

export interface PreparedMutation {
  seq: number;
  /** The item as received; serialised only if it is quarantined. */
  raw: unknown;
  /** Set when the mutation passed the protocol schema and the storable-text rule. */
  mutation: Mutation | null;
  invalidReason: string | null;
  /** The mutationId when it is a valid UUIDv7 (also for invalid mutations, to find their duplicates). */
  mutationId: string | null;
  type: string | null;
  /** contentHash of `mutation`, computed when a dedupe needs it (rare: a mutationId the hub already has). */
  hash?: string;
}

/** The content hash of a valid prepared mutation (computed once, on first use). */
function incomingHash(p: PreparedMutation, m: Mutation): string {
  p.hash ??= contentHash(m);
  return p.hash;
}

/**
 * A mutation the hub already stores under a mutationId of the batch: its type and payload, and the
 * content hash stored with it (rows from before hub schema 6 have one; newer rows are hashed on demand).
 */
export interface KnownMutation {
  type: string;
  payloadJson: string;
  contentHash: string | null;
}

function knownHash(k: KnownMutation): string {
  k.contentHash ??= contentHash({ type: k.type, payload: JSON.parse(k.payloadJson) as Mutation['payload'] });
  return k.contentHash;
}

function schemaReason(error: z.ZodError): string {
  const issue = error.issues[0];
  return `schema: ${issue?.path.join('.') || '(mutation)'}: ${issue?.message ?? 'invalid'}`;
}

/**
 * Checks the envelope (every item an object with a positive integer seq: otherwise the whole batch is
 * refused before any write) and sorts by seq (stable). Each mutation is parsed here, outside the
 * transaction, unless `validated`: the caller parsed every item with the protocol's Mutation schema
 * already (the session's frame parse), so only the storable-text rule is left to check.
 */
export function prepareBatch(batch: readonly IncomingMutation[], validated = false): PreparedMutation[] {
  if (!Array.isArray(batch)) throw new HubStoreError('bad_batch', 'batch must be an array');
  const prepared = batch.map((raw, index): PreparedMutation => {
    const seq: unknown = typeof raw === 'object' && raw !== null ? raw.seq : undefined;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) {
      throw new HubStoreError('bad_batch', `batch[${index}] has no positive integer seq`);
    }
    const rawId: unknown = raw.mutationId;
    const rawType: unknown = raw.type;
    const mutationId = typeof rawId === 'string' && UUIDV7.test(rawId) ? rawId : null;
    const type = typeof rawType === 'string' && rawType.length <= 64 && isStorableText(rawType) ? rawType : null;
    let m: Mutation;
    if (validated) {
      m = raw as unknown as Mutation;
    } else {
      const parsed = Mutation.safeParse(raw);
      if (!parsed.success) return { seq, raw, mutationId, type, mutation: null, invalidReason: schemaReason(parsed.error) };
      m = parsed.data;
    }
    if (type === null || !isStorableText(m.hlc)) {
      return { seq, raw, mutationId, type, mutation: null, invalidReason: 'schema: type and hlc must be printable text' };
    }
    return { seq, raw, mutationId, type, mutation: m, invalidReason: null };
  });
  for (let i = 1; i < prepared.length; i++) {
    if (prepared[i]!.seq < prepared[i - 1]!.seq) {
      return prepared.map((p, j) => [p, j] as const).sort((a, b) => a[0].seq - b[0].seq || a[1] - b[1]).map(([p]) => p);
    }
  }
  return prepared; // already in seq order (as a console sends it)
}

/**
 * What the adapter must read (inside the transaction, after locking the console) before planning;
 * `auditHead`: whether the batch may apply an `audit.head`, so the console's latest applied head must
 * be read (`PlanInput.auditHead`).
 */
export function lookupsFor(prepared: readonly PreparedMutation[], lastApplied: number): { seqs: number[]; mutationIds: string[]; auditHead: boolean } {
  const seqs = new Set<number>();
  const ids = new Set<string>();
  let auditHead = false;
  for (const p of prepared) {
    if (p.seq <= lastApplied) seqs.add(p.seq);
    else if (p.type === AUDIT_HEAD_MUTATION) auditHead = true;
    if (p.mutationId !== null) ids.add(p.mutationId);
  }
  return { seqs: [...seqs], mutationIds: [...ids], auditHead };
}

/**
 * What the hub compares of a console's signed audit-chain heads (docs/security.md "Audit chain"): the
 * row a head names and that row's hash. The signature and the rest of the payload are the validator's
 * business (sync/hub/audit-head.ts); this part holds for every store and every validator.
 */
export interface AuditHeadPin {
  lastId: number;
  hash: string;
  /** When the console signed it (absent in a payload that has no string `at`). */
  at?: string;
}
const AuditHeadPinPayload = z.looseObject({
  lastId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  hash: z.string().min(1).max(128),
  at: z.string().max(64).optional().catch(undefined),
});

/** The pin of an `audit.head` payload, or null when it has no positive integer lastId and hash. */
export function auditHeadPin(payload: unknown): AuditHeadPin | null {
  const parsed = AuditHeadPinPayload.safeParse(payload);
  if (!parsed.success) return null;
  const { lastId, hash, at } = parsed.data;
  return at === undefined ? { lastId, hash } : { lastId, hash, at };
}

/**
 * The reason to refuse `next` after the console's latest accepted head `previous`, or null: a head
 * may only move forward. A smaller lastId, or the same lastId with another hash, is what a console
 * whose log tail (and its `audit_heads` rows) was deleted and rewritten would send.
 */
export function auditHeadRegression(previous: AuditHeadPin | null, next: AuditHeadPin): string | null {
  if (previous === null) return null;
  if (next.lastId < previous.lastId) {
    return `audit_head_regressed: lastId ${next.lastId} after ${previous.lastId}: the console's audit log went backwards (its tail deleted?); the hub keeps the head of row ${previous.lastId} (hash ${previous.hash})`;
  }
  if (next.lastId === previous.lastId && next.hash !== previous.hash) {
    return `audit_head_forked: lastId ${next.lastId} with hash ${next.hash} after hash ${previous.hash}: the console's audit log was rewritten up to row ${next.lastId}`;
  }
  return null;
}

export type LedgerOutcome = 'applied' | 'duplicate' | 'rejected';
/**
 * What happened to one seq of one console. Applied seqs are hub_mutations' (console_id, seq); the
 * others (duplicate, rejected) are rows of hub_console_seqs (hub schema 6; before it, every seq was).
 */
export interface LedgerEntry {
  mutationId: string | null;
  outcome: LedgerOutcome;
  reason: string | null;
}

export interface MutationRow {
  mutationId: string;
  consoleId: string;
  seq: number;
  schemaVersion: number;
  hlc: string;
  type: string;
  payloadJson: string;
  appliedAt: string;
}
export interface LedgerRow extends LedgerEntry {
  consoleId: string;
  seq: number;
}
export interface QuarantineRow {
  consoleId: string;
  seq: number;
  mutationId: string | null;
  type: string | null;
  rawJson: string;
  reason: string;
  receivedAt: string;
}
export interface ChangeRow {
  bucket: Bucket;
  op: 'put' | 'delete';
  key: string;
  valueJson: string | null;
  /** The hall it is for; null/absent = every hall (hall_cases: the pushing console's hall). */
  hallId?: string | null;
}

/**
 * The hall_cases entries of one push: the applied case.* mutations with seq in [seqFrom, seqTo] of the
 * pushing console. Stored as one change-log row that takes the serverSeqs first … first + (seqTo −
 * seqFrom); the mutation of seq k has serverSeq first + (k − seqFrom) (docs/sync.md "How the hub stores
 * a push").
 */
export interface CaseRange {
  seqFrom: number;
  seqTo: number;
}

/** The key column of a hall_cases range row (for people reading the table; readers use its other columns). */
export function caseRangeKey(consoleId: string, range: CaseRange): string {
  return `${consoleId}:${range.seqFrom}-${range.seqTo}`;
}

/** A hall id: what `--hall` takes and the console registry keeps. */
export function checkHallId(hallId: unknown): string | null {
  if (hallId === null || hallId === undefined) return null;
  if (typeof hallId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(hallId)) throw new HubStoreError('bad_hall_id', 'a hall id is 1–64 letters, digits, "_" or "-"');
  return hallId;
}

export interface PlanInput {
  consoleId: string;
  lastApplied: number;
  prepared: readonly PreparedMutation[];
  /** What became of each of lookupsFor().seqs: ledger rows, and applied mutations of this console by seq. */
  ledger: ReadonlyMap<number, LedgerEntry>;
  /** Every stored (applied) mutation among lookupsFor().mutationIds. */
  known: ReadonlyMap<string, KnownMutation>;
  options?: ApplyOptions;
  now: string;
  /**
   * The payload of this console's latest applied `audit.head` (highest seq), read when
   * lookupsFor().auditHead; null/absent when there is none.
   */
  auditHead?: unknown;
}

export interface PushPlan {
  outcome: PushOutcome;
  lastApplied: number;
  mutations: MutationRow[];
  ledger: LedgerRow[];
  quarantine: QuarantineRow[];
  /** The hall_cases entries this push adds (one change-log row), or null when it applies no case.* mutation. */
  caseRange: CaseRange | null;
}

/** Checks a change for the log (publish); returns the reason it is unfit. */
function unfitChange(change: { op: unknown; key: unknown; value?: unknown }): string | null {
  if (change.op !== 'put' && change.op !== 'delete') return 'op must be put or delete';
  if (typeof change.key !== 'string' || change.key.length < 1 || change.key.length > MAX_KEY_CHARS || !isStorableText(change.key)) {
    return `key must be 1–${MAX_KEY_CHARS} printable characters`;
  }
  if (change.value !== undefined && !JsonValue.safeParse(change.value).success) return 'value must be JSON';
  return null;
}

function changeRow(bucket: Bucket, change: { op: 'put' | 'delete'; key: string; value?: unknown }): ChangeRow {
  return { bucket, op: change.op, key: change.key, valueJson: change.value === undefined ? null : JSON.stringify(change.value) };
}

/** Validates publish() input; throws bad_change (nothing written) on the first unfit change. */
export function publishRows(bucket: string, changes: readonly ChangeInput[]): ChangeRow[] {
  if (!(REFERENCE_BUCKETS as readonly string[]).includes(bucket)) {
    throw new HubStoreError('bad_change', `publish goes to a reference bucket (${REFERENCE_BUCKETS.join(', ')}), not ${bucket}`);
  }
  if (!Array.isArray(changes)) throw new HubStoreError('bad_change', 'changes must be an array');
  return changes.map((c, i) => {
    const unfit = unfitChange(c);
    if (unfit) throw new HubStoreError('bad_change', `changes[${i}]: ${unfit}`);
    return changeRow(bucket as Bucket, c);
  });
}

/** Decodes a stored change row. */
export function toChange(serverSeq: number, op: string, key: string, valueJson: string | null): Change {
  const change: Change = { serverSeq, op: op === 'delete' ? 'delete' : 'put', key };
  if (valueJson !== null) change.value = JSON.parse(valueJson) as Change['value'];
  return change;
}

/**
 * The per-mutation rules (sync note "Upload"; docs/sync.md):
 * - seq > expected: stop (gap); nothing from here on is looked at;
 * - seq ≤ lastApplied: replay what the ledger says for that seq (duplicate, or the same rejection) when
 *   the mutationId matches; a different mutationId under a used seq is a duplicate if that mutation is
 *   already stored, else it is quarantined (seq_reused) so nothing is silently dropped;
 * - seq = expected: schema → mutationId dedupe (same content: duplicate; other content: quarantined)
 *   → validator → audit-head order → applied (case.* also into hall_cases). Rejections count as consumed seqs.
 */
export function planPush(input: PlanInput): PushPlan {
  const { consoleId, prepared, now } = input;
  const validate = input.options?.validate;
  const ledger = input.ledger;
  /** Content hashes on demand: of stored mutations, and of those applied earlier in this batch. */
  const known = new Map<string, () => string>();
  for (const [id, k] of input.known) known.set(id, () => knownHash(k));
  let lastApplied = input.lastApplied;
  /** Moves with each head applied in this batch: two heads in one batch compare in seq order. */
  let auditHead = input.auditHead === undefined || input.auditHead === null ? null : auditHeadPin(input.auditHead);
  const plan: PushPlan = { outcome: { results: [], expectedSeq: 0, gap: null }, lastApplied, mutations: [], ledger: [], quarantine: [], caseRange: null };
  const results: PushResult[] = plan.outcome.results;

  const quarantine = (p: PreparedMutation, reason: string): void => {
    plan.quarantine.push({ consoleId, seq: p.seq, mutationId: p.mutationId, type: p.type, rawJson: rawJson(p.raw), reason, receivedAt: now });
  };
  const reject = (p: PreparedMutation, why: string): void => {
    const reason = cleanReason(why);
    quarantine(p, reason);
    plan.ledger.push({ consoleId, seq: p.seq, mutationId: p.mutationId, outcome: 'rejected', reason });
    lastApplied = p.seq;
    results.push({ seq: p.seq, status: 'rejected', reason });
  };

  for (const p of prepared) {
    if (p.seq <= lastApplied) {
      // Earlier in this batch (the same seq twice) or in the stored ledger.
      const previous = plan.ledger.findLast((l) => l.seq === p.seq) ?? appliedHere(plan.mutations, p.seq) ?? ledger.get(p.seq);
      const m = p.mutation;
      if (previous === undefined || previous.mutationId === p.mutationId) {
        if (previous?.outcome === 'rejected') results.push({ seq: p.seq, status: 'rejected', reason: previous.reason ?? 'rejected' });
        else results.push({ seq: p.seq, status: 'duplicate' });
      } else if (m !== null && known.get(m.mutationId)?.() === incomingHash(p, m)) {
        results.push({ seq: p.seq, status: 'duplicate' });
      } else {
        const reason = cleanReason(`seq_reused: seq ${p.seq} of console ${consoleId} already carried another mutation; resend it with a new seq`);
        quarantine(p, reason);
        results.push({ seq: p.seq, status: 'rejected', reason });
      }
      continue;
    }
    if (p.seq > lastApplied + 1) {
      plan.outcome.gap = { seq: p.seq, expectedSeq: lastApplied + 1 };
      break;
    }
    const m = p.mutation;
    if (m === null) {
      reject(p, p.invalidReason ?? 'schema: invalid');
      continue;
    }
    const stored = known.get(m.mutationId);
    if (stored !== undefined) {
      if (stored() === incomingHash(p, m)) {
        plan.ledger.push({ consoleId, seq: p.seq, mutationId: m.mutationId, outcome: 'duplicate', reason: null });
        lastApplied = p.seq;
        results.push({ seq: p.seq, status: 'duplicate' });
      } else {
        reject(p, `mutation_id_reused: mutation ${m.mutationId} was already applied with other content`);
      }
      continue;
    }
    let why: string | null | undefined;
    try {
      why = validate?.(m, { consoleId });
    } catch (err) {
      why = `validator failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (typeof why === 'string') {
      reject(p, why || 'rejected by the hub');
      continue;
    }
    let pin: AuditHeadPin | null = null;
    if (m.type === AUDIT_HEAD_MUTATION) {
      pin = auditHeadPin(m.payload);
      const regression = pin === null ? 'audit_head: payload: a positive integer lastId and a hash are required' : auditHeadRegression(auditHead, pin);
      if (regression !== null) {
        reject(p, regression);
        continue;
      }
    }
    plan.mutations.push({
      mutationId: m.mutationId,
      consoleId,
      seq: m.seq,
      schemaVersion: m.schemaVersion,
      hlc: m.hlc,
      type: m.type,
      payloadJson: JSON.stringify(m.payload),
      appliedAt: now,
    });
    if (isCaseFeedType(m.type)) {
      if (plan.caseRange === null) plan.caseRange = { seqFrom: m.seq, seqTo: m.seq };
      else plan.caseRange.seqTo = m.seq;
    }
    known.set(m.mutationId, () => incomingHash(p, m));
    if (pin !== null) auditHead = pin;
    lastApplied = p.seq;
    results.push({ seq: p.seq, status: 'applied' });
  }
  plan.lastApplied = lastApplied;
  plan.outcome.expectedSeq = lastApplied + 1;
  return plan;
}

/** The ledger entry of a seq applied earlier in the batch being planned. */
function appliedHere(mutations: readonly MutationRow[], seq: number): LedgerEntry | undefined {
  const m = mutations.findLast((x) => x.seq === seq);
  return m === undefined ? undefined : { mutationId: m.mutationId, outcome: 'applied', reason: null };
}
