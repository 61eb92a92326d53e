import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, StoreError } from '../errors';
import { createStore, type Store } from '../index';
import { memoryStore, tempDir, TEST_MASTER_KEY, testClock, type TestClock } from '../test-support';
import { UUIDV7_PATTERN } from '../uuidv7';

let store: Store;
let clock: TestClock;
beforeEach(() => {
  clock = testClock();
  store = memoryStore(clock);
});
afterEach(() => store.close());

const doc = (n: number) => ({ kind: 'acceptance-receipt', receiptNo: `R-${n}`, applicantName: '张*三' });
const enqueue = (n: number, reprintOf: string | null = null) =>
  store.printJobs.enqueue({ kind: 'acceptance-receipt', reference: `R-${n}`, document: doc(n), reprintOf });

describe('PrintJobRepository', () => {
  it('enqueues jobs in order with UUIDv7 ids, queued, no attempts', () => {
    const jobs = [enqueue(1), enqueue(2), enqueue(3)];
    expect(jobs.map((j) => j.seq)).toEqual([1, 2, 3]);
    for (const j of jobs) {
      expect(j.id).toMatch(UUIDV7_PATTERN);
      expect(j).toMatchObject({ state: 'queued', attempts: 0, lastError: null, printedAt: null, createdAt: '2026-11-26T01:00:00.000Z' });
    }
    expect(store.printJobs.get(jobs[1]!.id)).toEqual(jobs[1]);
    expect(jobs[1]!.document).toEqual(doc(2));
    expect(store.printJobs.countOpen()).toBe(3);
  });

  it('walks a job queued → printing → printed, counting attempts and stamping times', () => {
    const j = enqueue(1);
    clock.advance(1_000);
    expect(store.printJobs.markPrinting(j.id)).toMatchObject({ state: 'printing', attempts: 1 });
    expect(store.printJobs.markQueued(j.id, '打印机缺纸')).toMatchObject({ state: 'queued', attempts: 1, lastError: '打印机缺纸' });
    store.printJobs.markPrinting(j.id);
    clock.advance(2_000);
    expect(store.printJobs.markPrinted(j.id)).toMatchObject({
      state: 'printed',
      attempts: 2,
      lastError: null,
      printedAt: '2026-11-26T01:00:03.000Z',
      updatedAt: '2026-11-26T01:00:03.000Z',
    });
    expect(store.printJobs.countOpen()).toBe(0);
  });

  it('refuses transitions from the wrong state and unknown jobs', () => {
    const j = enqueue(1);
    expect(() => store.printJobs.markPrinted(j.id)).toThrow(StoreError);
    expect(() => store.printJobs.markPrinted(j.id)).toThrow('print job');
    store.printJobs.markPrinting(j.id);
    expect(() => store.printJobs.markPrinting(j.id)).toThrow(/is printing, expected queued/);
    expect(() => store.printJobs.markPrinting('nope')).toThrow(NotFoundError);
    store.printJobs.markFailed(j.id, '回执内容无效');
    expect(() => store.printJobs.markQueued(j.id, 'x')).toThrow(/is failed/);
  });

  it('gives the lowest queued seq as next, skipping printing/printed/failed jobs', () => {
    const [a, b, c] = [enqueue(1), enqueue(2), enqueue(3)];
    expect(store.printJobs.nextQueued()?.id).toBe(a!.id);
    store.printJobs.markPrinting(a!.id);
    expect(store.printJobs.nextQueued()?.id).toBe(b!.id);
    store.printJobs.markFailed(b!.id, 'bad');
    expect(store.printJobs.nextQueued()?.id).toBe(c!.id);
    store.printJobs.markPrinting(c!.id);
    store.printJobs.markPrinted(c!.id);
    expect(store.printJobs.nextQueued()).toBeNull();
  });

  it('lists newest first, filtered by state or reference, with a limit', () => {
    const [a, b] = [enqueue(1), enqueue(2), enqueue(3)];
    store.printJobs.markPrinting(a!.id);
    store.printJobs.markPrinted(a!.id);
    expect(store.printJobs.list().map((j) => j.reference)).toEqual(['R-3', 'R-2', 'R-1']);
    expect(store.printJobs.list({ limit: 2 }).map((j) => j.reference)).toEqual(['R-3', 'R-2']);
    expect(store.printJobs.list({ states: ['printed'] }).map((j) => j.id)).toEqual([a!.id]);
    expect(store.printJobs.list({ states: ['queued', 'printing'], reference: 'R-2' }).map((j) => j.id)).toEqual([b!.id]);
  });

  it('records reprints against the original job', () => {
    const a = enqueue(1);
    expect(enqueue(1, a.id).reprintOf).toBe(a.id);
  });

  it('puts interrupted jobs back in the queue (crash recovery)', () => {
    const [a, b] = [enqueue(1), enqueue(2)];
    store.printJobs.markPrinting(a!.id);
    expect(store.printJobs.requeueInterrupted('restarted')).toBe(1);
    expect(store.printJobs.get(a!.id)).toMatchObject({ state: 'queued', attempts: 1, lastError: 'restarted' });
    expect(store.printJobs.get(b!.id)).toMatchObject({ state: 'queued', lastError: null });
  });

  it('refuses a document that is not JSON', () => {
    expect(() => store.printJobs.enqueue({ kind: 'x', document: { at: new Date() } as never })).toThrow();
    expect(store.printJobs.countOpen()).toBe(0);
  });
});

describe('print jobs across restarts', () => {
  it('keeps jobs, states and order in the database file', () => {
    const tmp = tempDir('hall-print-jobs-');
    try {
      const file = join(tmp.dir, 'hall.sqlite');
      const first = createStore(file, TEST_MASTER_KEY, clock);
      const a = first.printJobs.enqueue({ kind: 'test-page', document: { kind: 'test-page' } });
      first.printJobs.markPrinting(a.id);
      first.close();
      expect(existsSync(file)).toBe(true);
      const second = createStore(file, TEST_MASTER_KEY, clock);
      const b = second.printJobs.enqueue({ kind: 'test-page', document: { kind: 'test-page' } });
      expect(b.seq).toBe(2);
      expect(second.printJobs.get(a.id)).toMatchObject({ state: 'printing', attempts: 1 });
      second.close();
      expect(readFileSync(file).includes(Buffer.from('test-page'))).toBe(true);
    } finally {
      tmp.cleanup();
    }
  });
});
