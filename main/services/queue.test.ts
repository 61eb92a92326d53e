import { describe, expect, it } from 'vitest';
import type { Session } from '../../preload/contract';
import { testClock } from '../domain/clock';
import { createEventBus } from '../events';
import { createMemoryLogger } from '../log';
import { memoryStore, seedCounterAndClerk } from '../store/test-support';
import { HallServiceError } from './errors';
import { businessDate, QueueService } from './queue';

function setup() {
  const clock = testClock('2026-11-26T01:00:00.000Z');
  const store = memoryStore(clock);
  const { clerkId, counterId } = seedCounterAndClerk(store); // counter 3 serves group A
  const events = createEventBus(createMemoryLogger());
  const changes: string[] = [];
  events.subscribe((e, p) => e === 'queue.changed' && changes.push((p as { groupCode: string }).groupCode));
  const session: Session = { userId: clerkId, userName: 'clerk1', displayNameMasked: '测*乙', role: 'clerk', counter: { id: counterId, number: 3, name: '3号窗口', zone: 'A区' }, startedAt: clock().toISOString() };
  return { clock, store, queue: new QueueService(store, clock, events), session, changes };
}
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof HallServiceError ? `${err.code}: ${err.message}` : String(err);
  }
};

describe('QueueService', () => {
  it('numbers tickets per group and day, with an outbox row each', () => {
    const { queue, store, clock } = setup();
    expect(queue.issue({ groupCode: 'A', priority: null }).number).toBe('A001');
    expect(queue.issue({ groupCode: 'A', priority: null }).number).toBe('A002');
    expect(queue.issue({ groupCode: 'B', priority: null }).number).toBe('B001');
    expect(store.outbox.countPending()).toBe(3);
    clock.advance(24 * 3600_000);
    expect(queue.issue({ groupCode: 'A', priority: null }).number).toBe('A001');
  });

  it('calls the next ticket of the counter’s groups, priorities first, and walks it to done', () => {
    const { queue, session, clock, changes } = setup();
    queue.issue({ groupCode: 'A', priority: null });
    queue.issue({ groupCode: 'B', priority: null });
    clock.advance(60_000);
    queue.issue({ groupCode: 'A', priority: 'elderly' });
    clock.advance(4 * 60_000);
    const before = queue.state(session);
    expect(before).toMatchObject({ waiting: 2, current: null });
    expect(before.next.map((t) => t.number)).toEqual(['A002', 'A001']);
    expect(before.expectedWaitMinutes).toBe(16); // 2 ahead × 8 min ÷ 1 counter serving A

    const called = queue.act(session, 'call');
    expect(called.current).toMatchObject({ number: 'A002', state: 'called', waitedMinutes: 4 });
    expect(codeOf(() => queue.act(session, 'call'))).toBe('conflict: 请先办结或过号当前号票 A002');
    for (let i = 0; i < 3; i++) queue.act(session, 'recall');
    expect(codeOf(() => queue.act(session, 'recall'))).toMatch(/^conflict: 已重呼 3 次/);
    expect(queue.act(session, 'serve').current?.state).toBe('serving');
    clock.advance(10 * 60_000);
    expect(queue.act(session, 'finish').current).toBeNull();
    expect(queue.act(session, 'call').current?.number).toBe('A001');
    expect(queue.act(session, 'skip')).toMatchObject({ current: null, waiting: 0 });
    expect(codeOf(() => queue.act(session, 'call'))).toBe('not_found: 当前没有等候的号票');
    expect(changes.length).toBeGreaterThan(5);
  });

  it('learns the average handling time from today’s finished tickets', () => {
    const { queue, session, clock } = setup();
    for (let i = 0; i < 3; i++) queue.issue({ groupCode: 'A', priority: null });
    queue.act(session, 'call');
    queue.act(session, 'serve');
    clock.advance(4 * 60_000);
    queue.act(session, 'finish');
    expect(queue.state(session).expectedWaitMinutes).toBe(8); // 2 ahead × 4 min
  });

  it('refuses a session without a counter', () => {
    const { queue, session } = setup();
    expect(codeOf(() => queue.state({ ...session, counter: null }))).toMatch(/^counter_required/);
  });

  it('uses the local calendar day as the business day', () => {
    expect(businessDate(new Date(2026, 10, 26, 23, 59))).toBe('2026-11-26');
  });
});

describe('QueueService groups', () => {
  it('lists the hall’s groups with their waiting counts and refuses tickets for other groups', () => {
    const { queue } = setup();
    queue.issue({ groupCode: 'A', priority: null });
    queue.issue({ groupCode: 'A', priority: null });
    expect(queue.groups().find((g) => g.code === 'A')).toEqual({ code: 'A', name: '综合受理', waiting: 2 });
    expect(codeOf(() => queue.issue({ groupCode: 'Z', priority: null }))).toBe('not_found: 本大厅没有 Z 类业务');
  });
});
