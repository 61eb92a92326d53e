import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualFaceMatch } from '../services/test-support';
import { memoryStore, SAMPLE_APPLICANT, seedCounterAndClerk, testClock, type TestClock } from '../store/test-support';
import type { Store } from '../store/index';
import { AUDIT_ANCHOR_ACTION, verifyAuditDatabase } from '../store/repositories/audit-log';
import {
  AUDIT_GENESIS,
  AUDIT_HEAD_MUTATION,
  auditHeadText,
  auditRowHash,
  signAuditHead,
  verifyAuditHeadSignature,
  type AuditBreakKind,
} from './audit-chain';
import { generateConsoleSigningKey } from './receipt-signature';

const consoleKey = generateConsoleSigningKey();
const otherKey = generateConsoleSigningKey();
const CONSOLE = 'C03';

let store: Store;
let clock: TestClock;
beforeEach(() => {
  clock = testClock();
  store = memoryStore(clock);
});
afterEach(() => store.close());

function appendRows(s: Store, c: TestClock, n: number): void {
  for (let i = 0; i < n; i += 1) {
    c.advance(1000);
    s.audit.append({ actor: `u-clerk-${i % 3}`, action: i % 2 === 0 ? 'receipt.reprinted' : 'help.called', subject: i % 4 === 0 ? null : `case-${i}`, detail: { n: i, note: '补打' } });
  }
}

const signHead = (s: Store) => s.audit.signHeadIfMoved(CONSOLE, (h) => signAuditHead(consoleKey.privateKey, h));

/** Verifies a database the way `hall audit verify` does. */
function verifyDb(sql: Database.Database, publicKey: string | null = consoleKey.publicKeyBase64Url) {
  return verifyAuditDatabase(sql, publicKey);
}

/** What an attacker holding the file does first: the append-only triggers go. */
function dropTriggers(sql: Database.Database): void {
  sql.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; DROP TRIGGER IF EXISTS audit_log_chain;');
  sql.exec('DROP TRIGGER IF EXISTS audit_heads_no_update; DROP TRIGGER IF EXISTS audit_heads_no_delete;');
}

const COLUMNS = ['at', 'actor', 'action', 'subject', 'detail', 'prev_hash', 'hash'] as const;
const CONTENT = ['at', 'actor', 'action', 'subject', 'detail'] as const;

function swap(sql: Database.Database, i: number, j: number, columns: readonly string[]): void {
  const get = sql.prepare(`SELECT ${columns.join(', ')} FROM audit_log WHERE id = ?`);
  const a = get.get(i) as Record<string, unknown>;
  const b = get.get(j) as Record<string, unknown>;
  const set = sql.prepare(`UPDATE audit_log SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`);
  set.run({ ...b, id: i });
  set.run({ ...a, id: j });
}

type ChainRowRaw = { id: number; at: string; actor: string | null; action: string; subject: string | null; detail: string; prev_hash: string; hash: string };
const rowAt = (sql: Database.Database, id: number) => sql.prepare('SELECT * FROM audit_log WHERE id = ?').get(id) as ChainRowRaw;

/** Edits row k's detail and recomputes its hash (the attacker knows the format: it is public). */
function editAndRehash(sql: Database.Database, k: number): void {
  const r = rowAt(sql, k);
  const detail = JSON.stringify({ forged: true });
  const hash = auditRowHash({ id: k, at: r.at, actor: r.actor, action: r.action, subject: r.subject, detail, prevHash: r.prev_hash });
  sql.prepare('UPDATE audit_log SET detail = ?, hash = ? WHERE id = ?').run(detail, hash, k);
}

/** Shifts rows k.. up by one and puts a forged row, correctly hashed and linked to row k−1, at k. */
function insertForged(sql: Database.Database, k: number): void {
  sql.prepare('UPDATE audit_log SET id = -id WHERE id >= ?').run(k);
  sql.prepare('UPDATE audit_log SET id = -id + 1 WHERE id < 0').run();
  const prevHash = k === 1 ? AUDIT_GENESIS : rowAt(sql, k - 1).hash;
  const fields = { id: k, at: '2026-11-26T01:00:00.500Z', actor: 'u-forger', action: 'credit.waived', subject: 'case-x', detail: '{}', prevHash };
  sql
    .prepare('INSERT INTO audit_log (id, at, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(k, fields.at, fields.actor, fields.action, fields.subject, fields.detail, prevHash, auditRowHash(fields));
}

describe('AuditLogRepository: the chain as written', () => {
  it('chains each appended row to the previous one; callers still get the id back', () => {
    const ids = [store.audit.append({ actor: 'u1', action: 'a', detail: { x: 1 } }), store.audit.append({ actor: null, action: 'b', subject: 's' })];
    expect(ids).toEqual([1, 2]);
    const rows = [...store.audit.chain()];
    expect(rows[0]!.prevHash).toBe(AUDIT_GENESIS);
    expect(rows[1]!.prevHash).toBe(rows[0]!.hash);
    for (const r of rows) expect(r.hash).toBe(auditRowHash(r));
    expect(store.audit.forSubject('s')).toEqual([{ id: 2, at: rows[1]!.at, actor: null, action: 'b', subject: 's', detail: {} }]);
    expect(verifyDb(store.db.sql)).toMatchObject({ ok: true, rows: 2, lastId: 2, firstBroken: null });
  });

  it('inside a caller transaction that rolls back, leaves no row and no gap', () => {
    store.audit.append({ actor: 'u1', action: 'a' });
    expect(() =>
      store.db.transaction(() => {
        store.audit.append({ actor: 'u1', action: 'b' });
        throw new Error('the change failed');
      }),
    ).toThrow('the change failed');
    expect(store.audit.append({ actor: 'u1', action: 'c' })).toBe(2);
    expect(verifyDb(store.db.sql).ok).toBe(true);
  });

  it('the triggers refuse UPDATE, DELETE and a row that does not continue the chain', () => {
    appendRows(store, clock, 3);
    const sql = store.db.sql;
    expect(() => sql.prepare("UPDATE audit_log SET detail = '{}' WHERE id = 2").run()).toThrow(/append-only/);
    expect(() => sql.prepare('DELETE FROM audit_log WHERE id = 3').run()).toThrow(/append-only/);
    const last = rowAt(sql, 3);
    const insert = sql.prepare("INSERT INTO audit_log (id, at, actor, action, subject, detail, prev_hash, hash) VALUES (?, 't', NULL, 'x', NULL, '{}', ?, ?)");
    expect(() => insert.run(5, last.hash, 'f'.repeat(64))).toThrow(/continue the chain/); // a gap
    expect(() => insert.run(4, 'e'.repeat(64), 'f'.repeat(64))).toThrow(/continue the chain/); // another link
    expect(() => insert.run(2, rowAt(sql, 1).hash, 'f'.repeat(64))).toThrow(/continue the chain|UNIQUE/);
    signHead(store);
    expect(() => sql.prepare('DELETE FROM audit_heads').run()).toThrow(/append-only/);
  });
});

describe('signed heads', () => {
  it('signs the head when it moved, keeps it and queues one audit.head mutation; nothing when it did not move', () => {
    expect(signHead(store)).toBeNull(); // empty log: nothing to sign
    appendRows(store, clock, 4);
    const head = signHead(store)!;
    expect(head).toMatchObject({ consoleId: CONSOLE, lastId: 4, hash: rowAt(store.db.sql, 4).hash });
    expect(verifyAuditHeadSignature(consoleKey.publicKeyBase64Url, head)).toBe(true);
    expect(verifyAuditHeadSignature(otherKey.publicKeyBase64Url, head)).toBe(false);
    expect(verifyAuditHeadSignature(consoleKey.publicKey, { ...head, lastId: 3 })).toBe(false);
    expect(auditHeadText(head)).toMatch(/^HALLAUDIT1:C03:4:[0-9a-f]{64}:2026-/);
    expect(signHead(store)).toBeNull();
    appendRows(store, clock, 1);
    expect(signHead(store)).toMatchObject({ lastId: 5 });
    const queued = store.outbox.pending().filter((e) => e.type === AUDIT_HEAD_MUTATION);
    expect(queued.map((e) => (e.payload as { lastId: number }).lastId)).toEqual([4, 5]);
    expect(store.audit.heads().map((h) => h.lastId)).toEqual([4, 5]);
    expect(verifyDb(store.db.sql)).toMatchObject({ ok: true, heads: 2, latestHead: { lastId: 5 }, signaturesChecked: true });
  });

  it('a head signed by another key, or one whose text was altered, is refused as forged', () => {
    appendRows(store, clock, 3);
    store.audit.signHeadIfMoved(CONSOLE, (h) => signAuditHead(otherKey.privateKey, h));
    expect(verifyDb(store.db.sql).firstBroken).toMatchObject({ id: 3, kind: 'bad_signature' });
    // Without the key, the head still pins row 3's hash.
    expect(verifyDb(store.db.sql, null)).toMatchObject({ ok: true, signaturesChecked: false });
  });
});

describe('tampering with the file: each detected, naming the first broken id', () => {
  it('edit a row', () => {
    appendRows(store, clock, 6);
    dropTriggers(store.db.sql);
    store.db.sql.prepare("UPDATE audit_log SET detail = json_object('n', 99) WHERE id = 4").run();
    expect(verifyDb(store.db.sql).firstBroken).toMatchObject({ id: 4, kind: 'hash_mismatch' });
  });

  it('edit a row and recompute its hash', () => {
    appendRows(store, clock, 6);
    dropTriggers(store.db.sql);
    editAndRehash(store.db.sql, 2);
    expect(verifyDb(store.db.sql).firstBroken).toMatchObject({ id: 2, kind: 'prev_mismatch' });
  });

  it('delete a row in the middle, and the first row', () => {
    appendRows(store, clock, 6);
    dropTriggers(store.db.sql);
    store.db.sql.prepare('DELETE FROM audit_log WHERE id IN (3, 4)').run();
    expect(verifyDb(store.db.sql).firstBroken).toMatchObject({ id: 3, kind: 'missing', message: 'rows 3–4 are missing (deleted) before row 5' });
    store.db.sql.prepare('DELETE FROM audit_log WHERE id = 1').run();
    expect(verifyDb(store.db.sql).firstBroken).toMatchObject({ id: 1, kind: 'missing' });
  });

  it('delete the tail after a signed head: truncated; without a head a tail cannot be missed locally', () => {
    appendRows(store, clock, 6);
    signHead(store);
    appendRows(store, clock, 2);
    dropTriggers(store.db.sql);
    store.db.sql.prepare('DELETE FROM audit_log WHERE id >= 7').run();
    expect(verifyDb(store.db.sql).ok).toBe(true); // rows after the last head were never witnessed
    store.db.sql.prepare('DELETE FROM audit_log WHERE id >= 5').run();
    expect(verifyDb(store.db.sql).firstBroken).toMatchObject({ id: 5, kind: 'truncated' });
  });

  it('delete the tail and the signed heads: only the hub’s head sees it (truncated), and a rewritten tail (head_mismatch)', () => {
    appendRows(store, clock, 4);
    signHead(store);
    appendRows(store, clock, 4);
    signHead(store);
    const hub = { lastId: 8, hash: store.audit.head()!.hash, at: null };
    const before = verifyAuditDatabase(store.db.sql, consoleKey.publicKeyBase64Url, hub);
    // The hub's head is checked like a head but not counted among the signed ones.
    expect(before).toMatchObject({ ok: true, heads: 2, hubHead: hub, signaturesChecked: true });
    dropTriggers(store.db.sql);
    store.db.sql.exec('DELETE FROM audit_heads; DELETE FROM audit_log WHERE id >= 6;');
    expect(verifyDb(store.db.sql)).toMatchObject({ ok: true, heads: 0, hubHead: null });
    expect(verifyAuditDatabase(store.db.sql, null, hub).firstBroken).toMatchObject({ id: 6, kind: 'truncated', message: expect.stringContaining("the hub's latest head") as unknown });
    // A hub head naming a surviving row with another hash: head_mismatch at that row.
    expect(verifyAuditDatabase(store.db.sql, null, { lastId: 3, hash: rowAt(store.db.sql, 2).hash }).firstBroken).toMatchObject({ id: 3, kind: 'head_mismatch' });
    appendRows(store, clock, 3);
    expect(verifyDb(store.db.sql).ok).toBe(true);
    expect(verifyAuditDatabase(store.db.sql, null, hub).firstBroken).toMatchObject({ id: 8, kind: 'head_mismatch' });
  });

  it('reorder two rows (whole rows, and contents only)', () => {
    appendRows(store, clock, 6);
    dropTriggers(store.db.sql);
    swap(store.db.sql, 2, 5, COLUMNS);
    expect(verifyDb(store.db.sql).firstBroken).toMatchObject({ id: 2, kind: 'reordered' });
    swap(store.db.sql, 2, 5, COLUMNS); // back: intact again
    expect(verifyDb(store.db.sql).ok).toBe(true);
    swap(store.db.sql, 3, 4, CONTENT);
    expect(verifyDb(store.db.sql).firstBroken).toMatchObject({ id: 3, kind: 'hash_mismatch' });
  });

  it('insert a forged row: correctly hashed in the middle, or naively at the end', () => {
    appendRows(store, clock, 6);
    dropTriggers(store.db.sql);
    insertForged(store.db.sql, 3);
    expect(verifyDb(store.db.sql).firstBroken).toMatchObject({ id: 3, kind: 'inserted' });

    const fresh = memoryStore(testClock());
    try {
      appendRows(fresh, clock, 3);
      dropTriggers(fresh.db.sql);
      fresh.db.sql.prepare("INSERT INTO audit_log (id, at, actor, action, subject, detail, prev_hash, hash) VALUES (4, 't', 'u-forger', 'credit.waived', NULL, '{}', ?, ?)").run(rowAt(fresh.db.sql, 3).hash, 'a'.repeat(64));
      expect(verifyDb(fresh.db.sql).firstBroken).toMatchObject({ id: 4, kind: 'hash_mismatch' });
    } finally {
      fresh.close();
    }
  });

  it('rewrite the chain up to a signed head (every hash recomputed): the head does not match', () => {
    appendRows(store, clock, 5);
    signHead(store);
    dropTriggers(store.db.sql);
    for (let id = 3; id <= 5; id += 1) {
      const prev = rowAt(store.db.sql, id - 1).hash;
      const r = rowAt(store.db.sql, id);
      const detail = id === 3 ? '{"forged":true}' : r.detail;
      const hash = auditRowHash({ id, at: r.at, actor: r.actor, action: r.action, subject: r.subject, detail, prevHash: prev });
      store.db.sql.prepare('UPDATE audit_log SET detail = ?, prev_hash = ?, hash = ? WHERE id = ?').run(detail, prev, hash, id);
    }
    expect(verifyDb(store.db.sql).firstBroken).toMatchObject({ id: 5, kind: 'head_mismatch' });
  });
});

type Attack = 'edit' | 'edit_rehash' | 'delete' | 'delete_tail' | 'swap_rows' | 'swap_contents' | 'insert_forged';

describe('tampering at random positions (property)', () => {
  it('every attack is detected, with the expected first broken id and kind', () => {
    // One signed log, serialised once; each run tampers a fresh in-memory copy of the file.
    const N = 24;
    const HEAD = 20;
    const c = testClock();
    const s = memoryStore(c);
    appendRows(s, c, HEAD);
    signHead(s);
    appendRows(s, c, N - HEAD);
    const image = s.db.sql.serialize();
    s.close();

    const expected = (attack: Attack, k: number, j: number): { id: number; kind: AuditBreakKind } => {
      switch (attack) {
        case 'edit':
          return { id: k, kind: 'hash_mismatch' };
        case 'edit_rehash':
          return k === HEAD ? { id: k, kind: 'head_mismatch' } : { id: k, kind: 'prev_mismatch' };
        case 'delete':
          return { id: k, kind: 'missing' };
        case 'delete_tail':
          return { id: k, kind: 'truncated' };
        case 'swap_rows':
          return { id: Math.min(k, j), kind: 'reordered' };
        case 'swap_contents':
          return { id: Math.min(k, j), kind: 'hash_mismatch' };
        case 'insert_forged':
          // At the head's row, the head sees the forged row before the next row's link does.
          return { id: k, kind: k === HEAD ? 'head_mismatch' : 'inserted' };
      }
    };

    fc.assert(
      fc.property(
        fc.constantFrom<Attack>('edit', 'edit_rehash', 'delete', 'delete_tail', 'swap_rows', 'swap_contents', 'insert_forged'),
        fc.integer({ min: 1, max: N }),
        fc.integer({ min: 1, max: N }),
        (attack, k0, j0) => {
          // Positions where the attack is detectable at all: a tail is witnessed up to the signed head;
          // a re-hashed row needs a successor or the head; a forged row needs a successor.
          const k = attack === 'delete_tail' || attack === 'edit_rehash' ? Math.min(k0, HEAD) : attack === 'delete' || attack === 'insert_forged' ? Math.min(k0, N - 1) : k0;
          const j = j0 === k ? (k % N) + 1 : j0;
          const sql = new Database(image);
          try {
            dropTriggers(sql);
            switch (attack) {
              case 'edit':
                sql.prepare("UPDATE audit_log SET actor = 'u-forger' WHERE id = ?").run(k);
                break;
              case 'edit_rehash':
                editAndRehash(sql, k);
                break;
              case 'delete':
                sql.prepare('DELETE FROM audit_log WHERE id = ?').run(k);
                break;
              case 'delete_tail':
                sql.prepare('DELETE FROM audit_log WHERE id >= ?').run(k);
                break;
              case 'swap_rows':
                swap(sql, k, j, COLUMNS);
                break;
              case 'swap_contents':
                swap(sql, k, j, CONTENT);
                break;
              case 'insert_forged':
                insertForged(sql, k);
                break;
            }
            const result = verifyDb(sql);
            expect(result.ok).toBe(false);
            expect(result.firstBroken).toMatchObject(expected(attack, k, j));
          } finally {
            sql.close();
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('anchors: case_events and face_checks are anchored in the chain', () => {
  function withCasesAndFaceChecks(s: Store): { clerkId: string; caseIds: string[] } {
    const { counterId, clerkId } = seedCounterAndClerk(s);
    const caseIds = ['0001', '0002'].map(
      (n) => s.cases.create({ receiptNo: `HALL01-20261126-C03-${n}`, serviceItemCode: 'S-0001', applicant: { ...SAMPLE_APPLICANT }, counterId, clerkUserId: clerkId }, clerkId).id,
    );
    s.faceChecks.record(manualFaceMatch(), { userId: clerkId, counterId });
    return { clerkId, caseIds };
  }

  it('signing a head first anchors the rows added since the last anchor; intact tables verify', () => {
    const { clerkId, caseIds } = withCasesAndFaceChecks(store);
    appendRows(store, clock, 2);
    signHead(store);
    const anchors = [...store.audit.chain()].filter((r) => r.action === AUDIT_ANCHOR_ACTION);
    expect(anchors).toHaveLength(1);
    const detail = JSON.parse(anchors[0]!.detail) as { tables: Record<string, { fromRowid: number; toRowid: number; count: number }> };
    expect(detail.tables.case_events).toMatchObject({ fromRowid: 0, count: 2 });
    expect(detail.tables.face_checks).toMatchObject({ fromRowid: 0, toRowid: 1, count: 1 });
    expect(store.audit.head()!.lastId).toBe(anchors[0]!.id); // the head covers the anchor

    // Nothing new: no second anchor, head unchanged. A transition: one more anchor, of case_events only.
    expect(signHead(store)).toBeNull();
    store.cases.transition(caseIds[0]!, 'received', clerkId);
    signHead(store);
    const again = [...store.audit.chain()].filter((r) => r.action === AUDIT_ANCHOR_ACTION);
    expect(again).toHaveLength(2);
    const second = JSON.parse(again[1]!.detail) as { tables: Record<string, { fromRowid: number; toRowid: number; count: number }> };
    expect(second.tables.case_events).toMatchObject({ fromRowid: detail.tables.case_events!.toRowid, count: 1 });
    expect(second.tables.face_checks).toMatchObject({ fromRowid: 1, toRowid: 1, count: 0 }); // did not grow: an empty range
    // Settled: signing again anchors nothing and signs nothing (no endless anchor → head → push loop).
    expect(signHead(store)).toBeNull();
    expect(signHead(store)).toBeNull();
    expect([...store.audit.chain()].filter((r) => r.action === AUDIT_ANCHOR_ACTION)).toHaveLength(2);
    expect(store.audit.verify(consoleKey.publicKeyBase64Url)).toMatchObject({ ok: true });
  });

  it('an edited or deleted case event, or an edited face check, breaks its anchor', () => {
    const { clerkId, caseIds } = withCasesAndFaceChecks(store);
    signHead(store);
    store.cases.transition(caseIds[1]!, 'received', clerkId);
    signHead(store);
    const [first, second] = [...store.audit.chain()].filter((r) => r.action === AUDIT_ANCHOR_ACTION).map((r) => r.id);
    const image = store.db.sql.serialize();
    const attack = (sqlText: string): ReturnType<typeof verifyDb> => {
      const sql = new Database(image);
      try {
        sql.pragma('foreign_keys = OFF');
        sql.exec('DROP TRIGGER case_events_no_update; DROP TRIGGER case_events_no_delete; DROP TRIGGER face_checks_no_update;');
        sql.exec(sqlText);
        return verifyDb(sql);
      } finally {
        sql.close();
      }
    };
    expect(attack("UPDATE case_events SET actor_user_id = 'u-forger' WHERE rowid = 1").firstBroken).toMatchObject({ id: first, kind: 'anchor_mismatch' });
    expect(attack('DELETE FROM case_events WHERE rowid = 3').firstBroken).toMatchObject({ id: second, kind: 'anchor_mismatch', message: expect.stringContaining('edited or deleted') });
    expect(attack("UPDATE face_checks SET decision = 'no_match'").firstBroken).toMatchObject({ id: first, kind: 'anchor_mismatch' });
    expect(attack('SELECT 1').ok).toBe(true);
  });
});
