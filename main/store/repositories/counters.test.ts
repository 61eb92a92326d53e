import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RowValidationError } from '../errors';
import type { Store } from '../index';
import { memoryStore } from '../test-support';
import type { Counter } from './counters';

let store: Store;
beforeEach(() => {
  store = memoryStore();
});
afterEach(() => store.close());

const c3: Counter = { id: 'c03', number: 3, name: '3号窗口', zone: 'A区', serviceGroups: ['A', 'B'], active: true };

describe('CounterRepository', () => {
  it('upserts and gets a counter with its service groups', () => {
    expect(store.counters.upsert(c3)).toEqual(c3);
    expect(store.counters.get('c03')).toEqual(c3);
    expect(store.counters.get('nope')).toBeNull();
  });

  it('updates an existing counter in place', () => {
    store.counters.upsert(c3);
    store.counters.upsert({ ...c3, name: '3号综合窗口', serviceGroups: ['C'], active: false });
    expect(store.counters.get('c03')).toEqual({ ...c3, name: '3号综合窗口', serviceGroups: ['C'], active: false });
  });

  it('lists active counters by number', () => {
    store.counters.upsert({ ...c3, id: 'c10', number: 10 });
    store.counters.upsert(c3);
    store.counters.upsert({ ...c3, id: 'c01', number: 1, active: false });
    expect(store.counters.listActive().map((c) => c.number)).toEqual([3, 10]);
  });

  it('refuses two counters with the same number', () => {
    store.counters.upsert(c3);
    expect(() => store.counters.upsert({ ...c3, id: 'other' })).toThrow(/UNIQUE/);
  });

  it('keeps 开窗 / 暂停 / 关窗 apart from the counter’s configuration', () => {
    store.counters.upsert(c3);
    expect(store.counters.statusOf('c03')).toEqual({ status: 'open', since: null, reason: null });
    expect(store.counters.setStatus('c03', 'paused', '2026-11-26T04:00:00.000Z', '午休')).toEqual({ status: 'paused', since: '2026-11-26T04:00:00.000Z', reason: '午休' });
    store.counters.upsert({ ...c3, name: '3号综合窗口' }); // the hub's update leaves the status alone
    expect(store.counters.statuses().get('c03')).toEqual({ status: 'paused', since: '2026-11-26T04:00:00.000Z', reason: '午休' });
    expect(store.counters.statusOf('nope')).toBeNull();
    expect(() => store.counters.setStatus('nope', 'open', '2026-11-26T04:00:00.000Z', null)).toThrow(/not found/);
  });

  it('validates the JSON column on read', () => {
    store.counters.upsert(c3);
    store.db.sql.prepare("UPDATE counters SET service_groups = '[1, 2]' WHERE id = 'c03'").run();
    expect(() => store.counters.get('c03')).toThrow(RowValidationError);
  });
});
