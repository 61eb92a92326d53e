import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { testClock } from '../../main/domain/clock';
import { createEventBus } from '../../main/events';
import { createMemoryLogger } from '../../main/log';
import { generateConsoleSigningKey } from '../../main/security/receipt-signature';
import type { JsonValue, Store } from '../../main/store';
import { memoryStore } from '../../main/store/test-support';
import type { Change } from '../protocol';
import { applyCheckpoint, dropCursors } from './apply';
import { HALL_CASES_SETTING, HallCasesSetting, pullBuckets } from './buckets';
import { seededRandom } from '../../drivers/emulators/random';
import { DEFAULT_PULL_BUCKETS, SyncClient } from './client';
import { foldHallCase, listHallCases, parseFeedChange, type HallCaseEvent } from './hall-cases';
import { flush, manualTimers, scriptedTransport } from './test-support';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});
function store(): Store {
  const s = memoryStore(testClock());
  stores.push(s);
  return s;
}

const ID = (n: number) => `0190f000-0000-7000-8000-${String(n).padStart(12, '0')}`;
let serverSeq = 0;
/** One change of the hub's feed (docs/sync.md "Change log"), synthetic. */
function feed(n: number, type: string, payload: { [k: string]: JsonValue }, consoleId = 'C03'): Change {
  return { serverSeq: ++serverSeq, op: 'put', key: ID(n), value: { consoleId, seq: n, type, hlc: `000001764118800${String(n).padStart(3, '0')}-000000`, payload } };
}
const CASE_A = [
  feed(1, 'case.created', {
    caseId: 'case-a',
    receiptNo: 'HALL01-20261126-0001',
    serviceItemCode: 'SB-007',
    state: 'accepted',
    counterId: 'counter-03',
    deadline: '2026-12-01',
    commitmentDeadline: null,
    tolerated: false,
    at: '2026-11-26T01:00:00.000Z',
    // fields the view does not keep (and no personal data is ever in the payload)
    paymentCode: 'P-1',
    actorUserId: 'user-clerk03',
  }),
  feed(2, 'case.transitioned', { caseId: 'case-a', receiptNo: 'HALL01-20261126-0001', from: 'accepted', to: 'reviewing', at: '2026-11-26T02:00:00.000Z', actorUserId: 'u' }),
  feed(3, 'case.deadline_changed', { caseId: 'case-a', receiptNo: 'HALL01-20261126-0001', deadline: '2026-12-03', pauses: [] }),
  feed(4, 'case.transitioned', { caseId: 'case-a', receiptNo: 'HALL01-20261126-0001', from: 'reviewing', to: 'approved', at: '2026-11-26T03:00:00.000Z', actorUserId: 'u' }),
];
const CASE_B = [
  feed(5, 'case.created', { caseId: 'case-b', receiptNo: 'HALL01-20261126-0002', serviceItemCode: 'SCJG-001', state: 'accepted', counterId: 'counter-05', deadline: '2026-11-27', at: '2026-11-26T04:00:00.000Z' }, 'C05'),
];

describe('hall_cases fold', () => {
  it('folds a case: 受理 then 状态变更 and deadline changes; keeps only the view fields', () => {
    const s = store();
    applyCheckpoint(s, 'hall_cases', [...CASE_A, ...CASE_B], 'E1:5');
    expect(listHallCases(s)).toEqual([
      expect.objectContaining({ caseId: 'case-b', state: 'accepted', counterId: 'counter-05', consoleId: 'C05', events: 1 }),
      {
        caseId: 'case-a',
        receiptNo: 'HALL01-20261126-0001',
        serviceItemCode: 'SB-007',
        state: 'approved',
        counterId: 'counter-03',
        consoleId: 'C03',
        acceptedAt: '2026-11-26T01:00:00.000Z',
        updatedAt: '2026-11-26T03:00:00.000Z',
        deadline: '2026-12-03',
        commitmentDeadline: null,
        tolerated: false,
        events: 4,
      },
    ]);
    expect(listHallCases(s, { counterId: 'counter-05' }).map((r) => r.caseId)).toEqual(['case-b']);
    expect(listHallCases(s, { state: 'approved' }).map((r) => r.caseId)).toEqual(['case-a']);
    const stored = JSON.stringify(s.db.sql.prepare('SELECT body FROM hall_case_events').all());
    expect(stored).not.toContain('paymentCode');
    expect(stored).not.toContain('actorUserId');
  });

  it('gives the same rows for the events in any order, split over any checkpoints, with duplicates', () => {
    const all = [...CASE_A, ...CASE_B];
    const reference = store();
    applyCheckpoint(reference, 'hall_cases', all, 'E1:5');
    const expected = listHallCases(reference);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }),
        fc.array(fc.nat(all.length - 1), { maxLength: 4 }),
        fc.array(fc.nat(all.length), { maxLength: 3 }),
        (order, dupIdx, cuts) => {
          const s = store();
          const stream = [...order, ...dupIdx.map((i) => all[i]!)];
          const bounds = [...new Set([0, ...cuts.map((c) => Math.min(c, stream.length)), stream.length])].sort((a, b) => a - b);
          for (let i = 1; i < bounds.length; i++) applyCheckpoint(s, 'hall_cases', stream.slice(bounds[i - 1], bounds[i]), `E1:${i}`);
          expect(listHallCases(s)).toEqual(expected);
          s.close();
          stores.pop();
        },
      ),
      { numRuns: 60, seed: 6 },
    );
  });

  it('foldHallCase is a function of the set of events (pure property)', () => {
    const events: HallCaseEvent[] = CASE_A.map((c) => parseFeedChange(c).event);
    fc.assert(
      fc.property(fc.shuffledSubarray(events, { minLength: 4, maxLength: 4 }), fc.array(fc.constantFrom(...events), { maxLength: 3 }), (shuffled, dups) => {
        expect(foldHallCase('case-a', [...shuffled, ...dups])).toEqual(foldHallCase('case-a', events));
      }),
      { seed: 7 },
    );
  });

  it('a 受理 resent after its transitions (later hlc) does not undo them', () => {
    const s = store();
    const resent = feed(9, 'case.created', { caseId: 'case-r', receiptNo: 'R-9', state: 'received', counterId: 'counter-03', at: '2026-11-26T01:00:00.000Z' });
    const accepted = feed(8, 'case.transitioned', { caseId: 'case-r', receiptNo: 'R-9', from: 'received', to: 'accepted', at: '2026-11-26T01:00:00.000Z' });
    applyCheckpoint(s, 'hall_cases', [accepted, resent], 'E1:9');
    expect(listHallCases(s)[0]).toMatchObject({ caseId: 'case-r', state: 'accepted', receiptNo: 'R-9', counterId: 'counter-03' });
    // a rejected 审查 resent after the later 准予: still 准予
    const approve = feed(10, 'case.transitioned', { caseId: 'case-r', from: 'reviewing', to: 'approved', at: '2026-11-26T03:00:00.000Z' });
    const review = feed(11, 'case.transitioned', { caseId: 'case-r', from: 'accepted', to: 'reviewing', at: '2026-11-26T02:00:00.000Z' });
    applyCheckpoint(s, 'hall_cases', [approve, review], 'E1:11');
    expect(listHallCases(s)[0]).toMatchObject({ state: 'approved', updatedAt: '2026-11-26T03:00:00.000Z' });
    const alone = store();
    applyCheckpoint(alone, 'hall_cases', [resent], 'E1:9');
    expect(listHallCases(alone)[0]).toMatchObject({ state: 'received' });
  });

  it('skips a change that is not a case event, and a delete removes its event', () => {
    const s = store();
    const bad: Change[] = [
      { serverSeq: 90, op: 'put', key: ID(90), value: { consoleId: 'C03', seq: 1, type: 'ticket.issued', hlc: 'h', payload: { caseId: 'x' } } },
      { serverSeq: 91, op: 'put', key: ID(91), value: { consoleId: 'C03', seq: 1, type: 'case.created', hlc: 'h', payload: { receiptNo: 'no case id' } } },
      { serverSeq: 92, op: 'put', key: ID(92), value: 'not an object' },
    ];
    const skipped = applyCheckpoint(s, 'hall_cases', [...CASE_A, ...bad], 'E1:92');
    expect(skipped.map((k) => k.key)).toEqual([ID(90), ID(91), ID(92)]);
    expect(listHallCases(s)).toHaveLength(1);
    applyCheckpoint(s, 'hall_cases', [{ serverSeq: 93, op: 'delete', key: ID(4) }], 'E1:93');
    expect(listHallCases(s)[0]).toMatchObject({ state: 'reviewing', events: 3 });
  });

  it('a reset drops the feed when the full download arrives, in the same transaction', () => {
    const s = store();
    applyCheckpoint(s, 'hall_cases', [...CASE_A, ...CASE_B], 'E1:5');
    dropCursors(s);
    expect(listHallCases(s)).toHaveLength(2); // still shown until the new download is in
    // the restored hub only has case B
    applyCheckpoint(s, 'hall_cases', CASE_B, 'E2:1');
    expect(listHallCases(s).map((r) => r.caseId)).toEqual(['case-b']);
    expect(s.db.sql.prepare('SELECT count(*) AS n FROM hall_case_events').get()).toEqual({ n: 1 });
    // later pulls add again
    applyCheckpoint(s, 'hall_cases', CASE_A, 'E2:5');
    expect(listHallCases(s)).toHaveLength(2);
  });
});

describe('hall_cases download', () => {
  it('only a supervisor station (setting sync.hallCases) pulls hall_cases', () => {
    const s = store();
    expect(pullBuckets(s)).toEqual([...DEFAULT_PULL_BUCKETS]);
    s.settings.set(HALL_CASES_SETTING, HallCasesSetting, true);
    expect(pullBuckets(s)).toEqual([...DEFAULT_PULL_BUCKETS, 'hall_cases']);
  });

  it('the client pulls hall_cases, and after reset_required re-downloads it from the start and replaces the feed', async () => {
    const s = store();
    const net = scriptedTransport();
    const timers = manualTimers();
    const logger = createMemoryLogger();
    const client = new SyncClient({
      url: 'ws://hub.test/sync',
      transport: net.transport,
      store: s,
      consoleId: 'C09',
      signingKey: generateConsoleSigningKey(),
      clock: testClock(),
      logger,
      events: createEventBus(logger),
      timers,
      random: seededRandom(1),
      retentionDays: 0,
      buckets: ['hall_cases'],
    });
    try {
      client.start();
      await flush();
      const hub = net.hubs[0]!;
      hub.reply({ type: 'welcome', epoch: 'E1', expectedSeq: 1, serverTime: '2026-11-26T01:00:00.000Z' });
      await flush();
      expect(hub.of('pull')).toEqual([{ type: 'pull', bucket: 'hall_cases', cursor: '' }]);
      hub.reply({ type: 'changes', bucket: 'hall_cases', changes: [...CASE_A, ...CASE_B] });
      hub.reply({ type: 'checkpoint', bucket: 'hall_cases', cursor: 'E1:5' });
      await flush();
      expect(listHallCases(s)).toHaveLength(2);

      client.poke(['hall_cases']);
      await flush();
      expect(hub.of('pull').at(-1)).toEqual({ type: 'pull', bucket: 'hall_cases', cursor: 'E1:5' });
      hub.reply({ type: 'error', code: 'reset_required', message: 'restored from a backup' });
      await flush();
      // The full download goes over a new connection (late frames of the old pull cannot mix in).
      expect(hub.closed).toBe(true);
      timers.runNext();
      await flush();
      const again = net.hubs.at(-1)!;
      again.reply({ type: 'welcome', epoch: 'E2', expectedSeq: 1, serverTime: '2026-11-26T02:00:00.000Z' });
      await flush();
      expect(again.of('pull').at(-1)).toEqual({ type: 'pull', bucket: 'hall_cases', cursor: '' });
      expect(listHallCases(s)).toHaveLength(2); // kept until the full download is in
      again.reply({ type: 'changes', bucket: 'hall_cases', changes: CASE_B });
      again.reply({ type: 'checkpoint', bucket: 'hall_cases', cursor: 'E2:1' });
      await flush();
      expect(listHallCases(s).map((r) => r.caseId)).toEqual(['case-b']);
    } finally {
      await client.stop();
    }
  });
});
