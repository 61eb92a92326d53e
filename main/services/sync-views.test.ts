import { afterEach, describe, expect, it } from 'vitest';
import type { Session, SyncStatus } from '../../preload/contract';
import { testClock } from '../domain/clock';
import { createEventBus } from '../events';
import { createMemoryLogger } from '../log';
import type { Store } from '../store';
import { memoryStore, seedCounterAndClerk } from '../store/test-support';
import { applyCheckpoint } from '../../sync/client/apply';
import { HALL_CASES_SETTING, HallCasesSetting } from '../../sync/client/buckets';
import { HallServiceError } from './errors';
import { correctionReasonText, SyncViewsService } from './sync-views';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function setup() {
  const clock = testClock('2026-11-26T02:00:00.000Z');
  const store = memoryStore(clock);
  stores.push(store);
  const { counterId, clerkId } = seedCounterAndClerk(store);
  store.counters.upsert({ id: 'c05', number: 5, name: '5号窗口', zone: 'A区', serviceGroups: ['A'], active: true });
  const logger = createMemoryLogger();
  const events = createEventBus(logger);
  const emitted: SyncStatus[] = [];
  events.subscribe((e, p) => {
    if (e === 'sync.changed') emitted.push(p as SyncStatus);
  });
  const status = (): SyncStatus => ({ state: 'online', pendingUploads: store.outbox.countPending(), lastSyncAt: null, hubUrl: 'ws://hub', needsCorrection: store.outbox.countNeedsCorrection() });
  const views = new SyncViewsService({ store, clock, events, logger, status });
  const base = { userName: 'x', displayNameMasked: '测*乙', startedAt: clock().toISOString() };
  const clerk03: Session = { ...base, userId: clerkId, role: 'clerk', counter: { id: counterId, number: 3, name: '3号窗口', zone: 'A区' } };
  const clerk05: Session = { ...base, userId: 'u-clerk-5', role: 'clerk', counter: { id: 'c05', number: 5, name: '5号窗口', zone: 'A区' } };
  const supervisor: Session = { ...base, userId: 'u-super', role: 'supervisor', counter: null };
  /** Appends rows and lets the "hub" reject some of them. */
  const rejected = (rows: { counterId: string | null; receiptNo: string; reason: string }[]) => {
    const seqs = store.db.transaction(() => rows.map((r) => store.outbox.append('case.created', { caseId: `case-${r.receiptNo}`, receiptNo: r.receiptNo, counterId: r.counterId, at: clock().toISOString() }).seq));
    store.outbox.recordAcks(seqs.map((seq, i) => ({ seq, status: 'rejected' as const, reason: rows[i]!.reason })));
    return seqs;
  };
  return { clock, store, views, emitted, clerk03, clerk05, supervisor, rejected, logger };
}

describe('待更正 (needs correction)', () => {
  it('lists rejected rows with type, reference and reason (Chinese when known); a clerk sees only their counter', () => {
    const t = setup();
    const [a, b, c] = t.rejected([
      { counterId: 'c03', receiptNo: 'HALL01-20261126-0001', reason: 'at 2026-11-29T00:00:00.000Z is more than 24 h ahead of the console\'s clock as measured at hello (hub …)' },
      { counterId: 'c05', receiptNo: 'HALL01-20261126-0002', reason: 'item SB-999 is not in the hub catalog' },
      { counterId: null, receiptNo: 'HALL01-20261126-0003', reason: 'schema: payload: invalid' },
    ]);
    const mine = t.views.corrections(t.clerk03);
    expect(mine.rows.map((r) => r.seq)).toEqual([a, c]);
    expect(mine.rows[0]).toMatchObject({ type: 'case.created', typeLabel: '受理', reference: 'HALL01-20261126-0001', counterNumber: 3, reasonText: expect.stringContaining('时钟') });
    expect(mine.rows[1]).toMatchObject({ counterNumber: null, reasonText: expect.stringContaining('数据格式') });
    expect(t.views.corrections(t.clerk05).rows.map((r) => r.seq)).toEqual([b, c]);
    const all = t.views.corrections(t.supervisor);
    expect(all.total).toBe(3);
    expect(all.rows[1]).toMatchObject({ reason: 'item SB-999 is not in the hub catalog', reasonText: null });
    expect(JSON.stringify(all)).not.toContain('payload":'); // no payload crosses
  });

  it('重新提交 writes the same mutation as a new pending row, audited, and the count goes to 0', () => {
    const t = setup();
    const [seq] = t.rejected([{ counterId: 'c03', receiptNo: 'R-1', reason: 'validator failed: boom' }]);
    expect(t.store.outbox.countNeedsCorrection()).toBe(1);
    const out = t.views.resend(t.clerk03, seq!);
    expect(out).toEqual({ seq, newSeq: seq! + 1 });
    const fresh = t.store.outbox.get(out.newSeq)!;
    expect(fresh).toMatchObject({ status: 'pending', type: 'case.created', payload: t.store.outbox.get(seq!)!.payload });
    expect(fresh.mutationId).not.toBe(t.store.outbox.get(seq!)!.mutationId);
    expect(t.store.outbox.countNeedsCorrection()).toBe(0);
    expect(t.store.audit.forSubject(`outbox:${seq}`)).toEqual([expect.objectContaining({ actor: t.clerk03.userId, action: 'sync.correction_resent' })]);
    expect(t.emitted.at(-1)).toMatchObject({ needsCorrection: 0, pendingUploads: 1 });
    expect(() => t.views.resend(t.clerk03, seq!)).toThrow(HallServiceError);
  });

  it('标记已处理 settles a row without sending anything, with its reason audited', () => {
    const t = setup();
    const [seq] = t.rejected([{ counterId: 'c03', receiptNo: 'R-1', reason: 'duplicate receipt on the hub' }]);
    t.views.dismiss(t.supervisor, seq!, '已在中心平台人工补录');
    expect(t.store.outbox.countNeedsCorrection()).toBe(0);
    expect(t.store.outbox.countPending()).toBe(0);
    expect(t.store.outbox.lastSeq()).toBe(seq); // nothing new to push
    expect(t.store.audit.forSubject(`outbox:${seq}`)).toEqual([expect.objectContaining({ actor: 'u-super', action: 'sync.correction_dismissed', detail: { type: 'case.created', reason: '已在中心平台人工补录' } })]);
    expect(() => t.views.dismiss(t.supervisor, seq!, 'again')).toThrow(/已处理/);
    expect(() => t.store.outbox.resolveRejected(seq!)).toThrow(/already resolved/);
  });

  it("refuses a clerk another counter's row", () => {
    const t = setup();
    const [seq] = t.rejected([{ counterId: 'c05', receiptNo: 'R-5', reason: 'x' }]);
    expect(() => t.views.resend(t.clerk03, seq!)).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => t.views.dismiss(t.clerk03, seq!, '不是我的')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(t.store.outbox.countNeedsCorrection()).toBe(1);
  });

  it('knows the hub reasons it translates, and leaves others raw', () => {
    expect(correctionReasonText('seq_reused: seq 4 of console C03 already carried another mutation')).toContain('序号');
    expect(correctionReasonText('mutation_id_reused')).toContain('编号');
    expect(correctionReasonText('whatever the hub says')).toBeNull();
  });
});

describe('全厅办件 (hall-wide cases)', () => {
  it('lists folded cases with deadline colours first, filters by state, counter and colour', () => {
    const t = setup();
    const feed = (n: number, payload: Record<string, string | boolean | null>) => ({
      serverSeq: n,
      op: 'put' as const,
      key: `0190f000-0000-7000-8000-${String(n).padStart(12, '0')}`,
      value: { consoleId: n === 2 ? 'C05' : 'C03', seq: n, type: payload.to ? 'case.transitioned' : 'case.created', hlc: `00000176411880${n}-000000`, payload },
    });
    applyCheckpoint(
      t.store,
      'hall_cases',
      [
        feed(1, { caseId: 'a', receiptNo: 'R-A', serviceItemCode: 'X', state: 'accepted', counterId: 'c03', deadline: '2026-12-31', at: '2026-11-20T01:00:00.000Z' }),
        feed(2, { caseId: 'b', receiptNo: 'R-B', serviceItemCode: 'X', state: 'accepted', counterId: 'c05', deadline: '2026-11-20', at: '2026-11-19T01:00:00.000Z' }),
        feed(3, { caseId: 'c', receiptNo: 'R-C', serviceItemCode: 'X', state: 'accepted', counterId: 'c03', deadline: '2026-11-20', at: '2026-11-18T01:00:00.000Z' }),
        feed(4, { caseId: 'c', to: 'completed', at: '2026-11-19T01:00:00.000Z' }),
      ],
      'E1:4',
    );
    expect(t.views.hallCases({ limit: 200 }).enabled).toBe(false);
    t.store.settings.set(HALL_CASES_SETTING, HallCasesSetting, true);
    const list = t.views.hallCases({ limit: 200 });
    expect(list).toMatchObject({ enabled: true, hasMore: false, syncedAt: expect.any(String) });
    expect(list.rows.map((r) => [r.receiptNo, r.stateLabel, r.deadlineLevel, r.counterNumber])).toEqual([
      ['R-B', '已受理', 'overdue', 5],
      ['R-A', '已受理', 'ok', 3],
      ['R-C', '办结', 'none', 3], // the clock stops once completed
    ]);
    expect(t.views.hallCases({ limit: 200, counterId: 'c03' }).rows.map((r) => r.receiptNo)).toEqual(['R-A', 'R-C']);
    expect(t.views.hallCases({ limit: 200, state: 'completed' }).rows.map((r) => r.receiptNo)).toEqual(['R-C']);
    expect(t.views.hallCases({ limit: 200, deadlineLevel: 'overdue' }).rows.map((r) => r.receiptNo)).toEqual(['R-B']);
    expect(t.views.hallCases({ limit: 1 })).toMatchObject({ hasMore: true, rows: [expect.objectContaining({ receiptNo: 'R-B' })] });
  });
});
