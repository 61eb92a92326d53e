import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../database';
import { StoreError } from '../errors';
import { createStore, type Store } from '../index';
import { memoryStore, tempDir, TEST_MASTER_KEY, testClock, type TestClock } from '../test-support';
import { UUIDV7_PATTERN } from '../uuidv7';
import { createHlc } from './outbox';
import type { JsonValue } from './rows';

let store: Store;
let clock: TestClock;
beforeEach(() => {
  clock = testClock();
  store = memoryStore(clock);
});
afterEach(() => store.close());

const append = (type: string, payload: JsonValue = {}) => store.db.transaction(() => store.outbox.append(type, payload));

describe('OutboxRepository.append', () => {
  it('must run inside the write transaction', () => {
    let code = '';
    try {
      store.outbox.append('x', {});
    } catch (err) {
      if (err instanceof StoreError) code = err.code;
    }
    expect(code).toBe('outbox_outside_transaction');
    expect(store.outbox.countPending()).toBe(0);
  });

  it('assigns gapless seqs from 1, UUIDv7 mutation ids, the schema version and a pending status', () => {
    const rows = [append('a', { n: 1 }), append('b', [1, 'two', null]), append('c', 'text')];
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    for (const r of rows) {
      expect(r.mutationId).toMatch(UUIDV7_PATTERN);
      expect(r.schemaVersion).toBe(SCHEMA_VERSION);
      expect(r.status).toBe('pending');
      expect(r.createdAt).toBe('2026-11-26T01:00:00.000Z');
    }
    expect(new Set(rows.map((r) => r.mutationId)).size).toBe(3);
    expect(store.outbox.get(2)).toEqual(rows[1]);
    expect(store.outbox.get(2)?.payload).toEqual([1, 'two', null]);
  });

  it('leaves no gap when the surrounding transaction rolls back', () => {
    append('a');
    expect(() =>
      store.db.transaction(() => {
        store.outbox.append('doomed', {});
        throw new Error('write failed');
      }),
    ).toThrow('write failed');
    expect(append('b').seq).toBe(2);
    expect(store.outbox.lastSeq()).toBe(2);
    expect(store.db.sql.prepare('SELECT seq FROM outbox ORDER BY seq').pluck().all()).toEqual([1, 2]);
  });

  it('stamps strictly increasing HLCs even when the wall clock steps back', () => {
    const a = append('a').hlc;
    const b = append('b').hlc;
    clock.advance(-60_000);
    const c = append('c').hlc;
    clock.advance(120_000);
    const d = append('d').hlc;
    expect([a, b, c, d]).toEqual([...[a, b, c, d]].sort());
    expect(new Set([a, b, c, d]).size).toBe(4);
  });

  it('refuses a payload that is not JSON', () => {
    expect(() => append('bad', { when: new Date() } as unknown as JsonValue)).toThrow();
    expect(store.outbox.lastSeq()).toBe(0);
  });
});

describe('OutboxRepository delivery', () => {
  it('lists pending rows in seq order with a limit', () => {
    for (const t of ['a', 'b', 'c', 'd']) append(t);
    expect(store.outbox.pending(2).map((r) => r.seq)).toEqual([1, 2]);
    expect(store.outbox.pending().map((r) => r.type)).toEqual(['a', 'b', 'c', 'd']);
    expect(store.outbox.countPending()).toBe(4);
  });

  it('marks rows acked once, keeps them, and skips them afterwards', () => {
    for (const t of ['a', 'b', 'c']) append(t);
    clock.advance(5_000);
    expect(store.outbox.markAcked([1, 2, 99])).toBe(2);
    expect(store.outbox.markAcked([1])).toBe(0);
    expect(store.outbox.countPending()).toBe(1);
    expect(store.outbox.pending().map((r) => r.seq)).toEqual([3]);
    expect(store.outbox.get(1)).toMatchObject({ status: 'acked', ackedAt: '2026-11-26T01:00:05.000Z' });
  });

  it('records a rejection with its reason', () => {
    append('a');
    expect(store.outbox.markRejected(1, 'schema: receiptNo missing')).toBe(true);
    expect(store.outbox.markRejected(1, 'again')).toBe(false);
    expect(store.outbox.get(1)).toMatchObject({ status: 'rejected', rejectReason: 'schema: receiptNo missing' });
    expect(store.outbox.countPending()).toBe(0);
  });
});

describe('across restarts', () => {
  it('continues seq and HLC after reopening, even with an earlier clock', () => {
    const tmp = tempDir('hall-outbox-');
    try {
      const file = join(tmp.dir, 'hall.sqlite');
      const first = createStore(file, TEST_MASTER_KEY, clock);
      const last = first.db.transaction(() => first.outbox.append('a', {}));
      first.close();
      const earlier = testClock('2026-11-25T00:00:00.000Z');
      const second = createStore(file, TEST_MASTER_KEY, earlier);
      const next = second.db.transaction(() => second.outbox.append('b', {}));
      second.close();
      expect(next.seq).toBe(last.seq + 1);
      expect(next.hlc > last.hlc).toBe(true);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('createHlc', () => {
  it('formats <15-digit ms>-<6-digit counter> and resumes after the last stamp', () => {
    const c = testClock('1970-01-01T00:00:01.000Z');
    const next = createHlc(c, null);
    expect(next()).toBe('000000000001000-000000');
    expect(next()).toBe('000000000001000-000001');
    const resumed = createHlc(c, '000000000005000-000007');
    expect(resumed()).toBe('000000000005000-000008');
    c.set('1970-01-01T00:00:06.000Z');
    expect(resumed()).toBe('000000000006000-000000');
  });
});

describe('OutboxRepository for the sync client', () => {
  it('tells listeners about appends without ever failing the write', () => {
    const seen: number[] = [];
    const off = store.outbox.onAppend((e) => seen.push(e.seq));
    store.outbox.onAppend(() => {
      throw new Error('listener bug');
    });
    append('a');
    append('b');
    off();
    append('c');
    expect(seen).toEqual([1, 2]);
    expect(store.outbox.lastSeq()).toBe(3);
  });

  it('lists rows from a seq whatever their status, and the first pending / last answered seq', () => {
    for (const t of ['a', 'b', 'c', 'd']) append(t);
    store.outbox.recordAcks([
      { seq: 1, status: 'applied' },
      { seq: 2, status: 'rejected', reason: 'bad' },
    ]);
    expect(store.outbox.from(1, 10).map((r) => [r.seq, r.status])).toEqual([
      [1, 'acked'],
      [2, 'rejected'],
      [3, 'pending'],
      [4, 'pending'],
    ]);
    expect(store.outbox.from(3, 1).map((r) => r.seq)).toEqual([3]);
    expect(store.outbox.firstPendingSeq()).toBe(3);
    expect(store.outbox.lastAnsweredSeq()).toBe(2);
    expect(store.outbox.firstSeq()).toBe(1);
  });

  it('records one push_ack in one transaction: all or nothing, only pending rows change', () => {
    for (const t of ['a', 'b', 'c']) append(t);
    store.db.sql.exec(`CREATE TEMP TRIGGER fail_3 BEFORE UPDATE ON outbox WHEN NEW.seq = 3 BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    expect(() => store.outbox.recordAcks([1, 2, 3].map((seq) => ({ seq, status: 'applied' as const })))).toThrow(/disk full/);
    expect(store.outbox.countPending()).toBe(3);
    store.db.sql.exec('DROP TRIGGER temp.fail_3');
    expect(store.outbox.recordAcks([{ seq: 1, status: 'duplicate' }, { seq: 2, status: 'rejected', reason: 'x'.repeat(600) }, { seq: 3, status: 'applied' }])).toEqual({ acked: 2, rejected: 1 });
    expect(store.outbox.get(2)?.rejectReason).toHaveLength(500);
    expect(store.outbox.recordAcks([{ seq: 2, status: 'applied' }])).toEqual({ acked: 0, rejected: 0 });
    expect(store.outbox.get(2)?.status).toBe('rejected');
  });

  it('needs correction: rejected rows until a NEW row resolves them', () => {
    for (const t of ['a', 'b']) append(t, { n: t });
    store.outbox.recordAcks([
      { seq: 1, status: 'rejected', reason: 'schema: n' },
      { seq: 2, status: 'applied' },
    ]);
    expect(store.outbox.needsCorrection()).toEqual([
      { seq: 1, mutationId: store.outbox.get(1)!.mutationId, type: 'a', payload: { n: 'a' }, reason: 'schema: n', rejectedAt: '2026-11-26T01:00:00.000Z', createdAt: '2026-11-26T01:00:00.000Z' },
    ]);
    expect(store.outbox.countNeedsCorrection()).toBe(1);
    const fixed = store.outbox.resolveRejected(1, { payload: { n: 'fixed' } });
    expect(fixed).toMatchObject({ seq: 3, type: 'a', payload: { n: 'fixed' }, status: 'pending' });
    expect(store.outbox.countNeedsCorrection()).toBe(0);
    expect(store.outbox.get(1)).toMatchObject({ status: 'rejected', payload: { n: 'a' } });
    expect(() => store.outbox.resolveRejected(1)).toThrow(StoreError);
    expect(() => store.outbox.resolveRejected(2)).toThrow(StoreError);
  });

  it('prunes acked (and resolved rejected) rows older than the retention, keeping pending, unresolved and the newest row', () => {
    for (const t of ['a', 'b', 'c', 'd', 'e']) append(t);
    store.outbox.recordAcks([
      { seq: 1, status: 'applied' },
      { seq: 2, status: 'rejected', reason: 'r' },
      { seq: 3, status: 'rejected', reason: 'r' },
      { seq: 5, status: 'applied' },
    ]);
    store.outbox.resolveRejected(3); // → seq 6, pending
    clock.advance(29 * 86_400_000);
    expect(store.outbox.pruneAcked()).toBe(0);
    clock.advance(2 * 86_400_000);
    expect(store.outbox.pruneAcked()).toBe(2); // 1 (acked), 3 (resolved); 5 is above the pending 4
    expect(store.db.sql.prepare('SELECT seq FROM outbox ORDER BY seq').pluck().all()).toEqual([2, 4, 5, 6]);
    store.outbox.recordAcks([
      { seq: 4, status: 'applied' },
      { seq: 6, status: 'applied' },
    ]);
    clock.advance(31 * 86_400_000);
    expect(store.outbox.pruneAcked(30)).toBe(2); // 4 and 5; 6 is the newest and stays
    expect(store.db.sql.prepare('SELECT seq FROM outbox ORDER BY seq').pluck().all()).toEqual([2, 6]);
    expect(append('f').seq).toBe(7);
  });
});
