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
