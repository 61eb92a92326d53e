/**
 * The supervisor's hall-wide case view (全厅办件; docs/sync.md "Hall-wide cases"). The hub routes every
 * `case.*` mutation of every console to the `hall_cases` bucket as one change per mutation (key =
 * mutationId, value `{consoleId, seq, type, hlc, payload}`). A supervisor station downloads that feed
 * into `hall_case_events` (keeping only the fields the view needs; the payload carries no personal
 * data and nothing else of it is stored) and folds each case's events into one `hall_cases` row.
 *
 * The fold is a pure function of the case's SET of events (deduplicated, then sorted by `order`): the
 * same events in any arrival order, or with duplicates, give the same row.
 */
import { z } from 'zod';
import type { Store } from '../../main/store';
import { CASE_STATE_NAMES, type CaseStateName } from '../../preload/case-contract';
import type { Change } from '../protocol';

const Short = z.string().min(1).max(128);
const State = z.enum(CASE_STATE_NAMES);
const DateText = z.string().max(40).nullable().optional();

/** The hub's change value (docs/sync.md "Change log"). */
const FeedValue = z.object({
  consoleId: z.string().min(1).max(64),
  seq: z.number().int().positive(),
  type: z.string().min(1).max(64).startsWith('case.'),
  hlc: z.string().min(1).max(40),
  payload: z.record(z.string(), z.unknown()),
});

/** What is kept of one event: no personal data, nothing the view does not show. */
export const HallCaseEventBody = z.object({
  receiptNo: Short.nullable().optional(),
  serviceItemCode: Short.nullable().optional(),
  state: State.nullable().optional(),
  to: State.nullable().optional(),
  counterId: Short.nullable().optional(),
  deadline: DateText,
  commitmentDeadline: DateText,
  tolerated: z.boolean().optional(),
  at: z.string().max(40).nullable().optional(),
});
export type HallCaseEventBody = z.infer<typeof HallCaseEventBody>;

export interface HallCaseEvent {
  mutationId: string;
  consoleId: string;
  seq: number;
  hlc: string;
  type: string;
  body: HallCaseEventBody;
}

export interface HallCaseFolded {
  caseId: string;
  receiptNo: string | null;
  serviceItemCode: string | null;
  state: CaseStateName | null;
  counterId: string | null;
  consoleId: string;
  acceptedAt: string | null;
  updatedAt: string;
  deadline: string | null;
  commitmentDeadline: string | null;
  tolerated: boolean;
  events: number;
}

/** Picks the kept fields of a payload; a field of the wrong type is dropped, not fatal. */
function pick(payload: Record<string, unknown>): HallCaseEventBody {
  const body: Record<string, unknown> = {};
  for (const [field, schema] of Object.entries(HallCaseEventBody.shape)) {
    if (!(field in payload)) continue;
    const r = (schema as z.ZodType).safeParse(payload[field]);
    if (r.success && r.data !== undefined) body[field] = r.data;
  }
  return body as HallCaseEventBody;
}

/** Parses one change of the feed; throws (the change is skipped and logged) when it is not a case event. */
export function parseFeedChange(change: Change): { caseId: string; event: HallCaseEvent } {
  const v = FeedValue.parse(change.value);
  const caseId = Short.parse(v.payload.caseId);
  return { caseId, event: { mutationId: change.key, consoleId: v.consoleId, seq: v.seq, hlc: v.hlc, type: v.type, body: pick(v.payload) } };
}

/**
 * The fold order: 受理 (case.created) first, then the other events by the time they happened on the
 * console (`at`, kept in the payload), then hlc. Not hlc alone: a 受理 or step the hub rejected and the
 * clerk resent (重新提交) is a new outbox row with a LATER hlc than the steps that followed it, and must
 * not undo them. Deadline changes carry no `at` and sort by hlc among themselves.
 */
function order(a: HallCaseEvent, b: HallCaseEvent): number {
  const ra = a.type === 'case.created' ? 0 : 1;
  const rb = b.type === 'case.created' ? 0 : 1;
  if (ra !== rb) return ra - rb;
  const ta = a.body.at ?? '';
  const tb = b.body.at ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1;
  if (a.consoleId !== b.consoleId) return a.consoleId < b.consoleId ? -1 : 1;
  if (a.seq !== b.seq) return a.seq - b.seq;
  return a.mutationId < b.mutationId ? -1 : a.mutationId > b.mutationId ? 1 : 0;
}

/**
 * Folds a case's events into its row. Events are deduplicated by mutationId and sorted first (see
 * `order`), so the result depends only on the set: 受理 gives the initial values, every later event
 * overrides what it carries (状态变更 the state, 时限变更 the deadline).
 */
export function foldHallCase(caseId: string, events: readonly HallCaseEvent[]): HallCaseFolded | null {
  const unique = [...new Map(events.map((e) => [e.mutationId, e])).values()].sort(order);
  if (unique.length === 0) return null;
  const row: HallCaseFolded = {
    caseId,
    receiptNo: null,
    serviceItemCode: null,
    state: null,
    counterId: null,
    consoleId: unique[0]!.consoleId,
    acceptedAt: null,
    updatedAt: '',
    deadline: null,
    commitmentDeadline: null,
    tolerated: false,
    events: unique.length,
  };
  for (const e of unique) {
    const b = e.body;
    if (b.receiptNo) row.receiptNo = b.receiptNo;
    if (b.serviceItemCode) row.serviceItemCode = b.serviceItemCode;
    if (b.counterId) row.counterId = b.counterId;
    if (b.deadline !== undefined) row.deadline = b.deadline ?? null;
    if (b.commitmentDeadline !== undefined) row.commitmentDeadline = b.commitmentDeadline ?? null;
    if (b.tolerated !== undefined) row.tolerated = b.tolerated;
    if (e.type === 'case.created') {
      row.consoleId = e.consoleId;
      if (b.state) row.state = b.state;
      if (b.at) row.acceptedAt = b.at;
    } else if (e.type === 'case.transitioned' && b.to) row.state = b.to;
    if (b.at && b.at > row.updatedAt) row.updatedAt = b.at;
  }
  if (row.updatedAt === '') row.updatedAt = row.acceptedAt ?? '1970-01-01T00:00:00.000Z';
  return row;
}

// ---------- store ----------

const EventRow = z.object({ mutation_id: z.string(), console_id: z.string(), console_seq: z.number().int(), hlc: z.string(), type: z.string(), body: z.string() });

function caseEvents(store: Store, caseId: string): HallCaseEvent[] {
  return (store.db.sql.prepare('SELECT mutation_id, console_id, console_seq, hlc, type, body FROM hall_case_events WHERE case_id = ?').all(caseId) as unknown[]).map((raw) => {
    const r = EventRow.parse(raw);
    return { mutationId: r.mutation_id, consoleId: r.console_id, seq: r.console_seq, hlc: r.hlc, type: r.type, body: HallCaseEventBody.parse(JSON.parse(r.body)) };
  });
}

/** Rewrites one case's row from its stored events (deleted when none are left). */
export function refoldHallCase(store: Store, caseId: string): void {
  const row = foldHallCase(caseId, caseEvents(store, caseId));
  const sql = store.db.sql;
  if (row === null) {
    sql.prepare('DELETE FROM hall_cases WHERE case_id = ?').run(caseId);
    return;
  }
  sql
    .prepare(
      `INSERT INTO hall_cases (case_id, receipt_no, service_item_code, state, counter_id, console_id, accepted_at, updated_at, deadline, commitment_deadline, tolerated, events)
       VALUES (@caseId, @receiptNo, @serviceItemCode, @state, @counterId, @consoleId, @acceptedAt, @updatedAt, @deadline, @commitmentDeadline, @tolerated, @events)
       ON CONFLICT (case_id) DO UPDATE SET receipt_no = excluded.receipt_no, service_item_code = excluded.service_item_code, state = excluded.state,
         counter_id = excluded.counter_id, console_id = excluded.console_id, accepted_at = excluded.accepted_at, updated_at = excluded.updated_at,
         deadline = excluded.deadline, commitment_deadline = excluded.commitment_deadline, tolerated = excluded.tolerated, events = excluded.events`,
    )
    .run({ ...row, tolerated: row.tolerated ? 1 : 0 });
}

/** Applies one change of the hall_cases bucket (inside applyCheckpoint's transaction). */
export function applyHallCaseChange(store: Store, change: Change): void {
  const sql = store.db.sql;
  if (change.op === 'delete') {
    const had = sql.prepare('SELECT case_id FROM hall_case_events WHERE mutation_id = ?').get(change.key) as { case_id: string } | undefined;
    if (had === undefined) return;
    sql.prepare('DELETE FROM hall_case_events WHERE mutation_id = ?').run(change.key);
    refoldHallCase(store, had.case_id);
    return;
  }
  const { caseId, event } = parseFeedChange(change);
  const inserted = sql
    .prepare(
      `INSERT INTO hall_case_events (mutation_id, server_seq, case_id, console_id, console_seq, hlc, type, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (mutation_id) DO NOTHING`,
    )
    .run(event.mutationId, change.serverSeq, caseId, event.consoleId, event.seq, event.hlc, event.type, JSON.stringify(event.body)).changes;
  if (inserted > 0) refoldHallCase(store, caseId);
}

/** A full download after a reset replaces the feed: called before its changes are applied, in the same transaction. */
export function clearHallCases(store: Store): void {
  store.db.sql.exec('DELETE FROM hall_case_events; DELETE FROM hall_cases;');
}

const CaseRowSql = z.object({
  case_id: z.string(),
  receipt_no: z.string().nullable(),
  service_item_code: z.string().nullable(),
  state: z.string().nullable(),
  counter_id: z.string().nullable(),
  console_id: z.string(),
  accepted_at: z.string().nullable(),
  updated_at: z.string(),
  deadline: z.string().nullable(),
  commitment_deadline: z.string().nullable(),
  tolerated: z.number().int(),
  events: z.number().int(),
});

/** Folded rows, newest first, optionally by state and counter. */
export function listHallCases(store: Store, filter: { state?: string; counterId?: string } = {}): HallCaseFolded[] {
  const where: string[] = [];
  const args: string[] = [];
  if (filter.state) {
    where.push('state = ?');
    args.push(filter.state);
  }
  if (filter.counterId) {
    where.push('counter_id = ?');
    args.push(filter.counterId);
  }
  const sql = `SELECT * FROM hall_cases ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY coalesce(accepted_at, updated_at) DESC, case_id`;
  return (store.db.sql.prepare(sql).all(...args) as unknown[]).map((raw) => {
    const r = CaseRowSql.parse(raw);
    const state = State.safeParse(r.state);
    return {
      caseId: r.case_id,
      receiptNo: r.receipt_no,
      serviceItemCode: r.service_item_code,
      state: state.success ? state.data : null,
      counterId: r.counter_id,
      consoleId: r.console_id,
      acceptedAt: r.accepted_at,
      updatedAt: r.updated_at,
      deadline: r.deadline,
      commitmentDeadline: r.commitment_deadline,
      tolerated: r.tolerated === 1,
      events: r.events,
    };
  });
}

/** When the feed was last checkpointed (null when never). */
export function hallCasesSyncedAt(store: Store): string | null {
  const row = store.db.sql.prepare(`SELECT updated_at FROM sync_cursors WHERE bucket = 'hall_cases' AND cursor != ''`).get() as { updated_at: string } | undefined;
  return row?.updated_at ?? null;
}
