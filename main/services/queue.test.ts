import { describe, expect, it } from 'vitest';
import type { Session } from '../../preload/contract';
import { testClock } from '../domain/clock';
import { createEventBus } from '../events';
import { createMemoryLogger } from '../log';
import { memoryStore, seedCounterAndClerk } from '../store/test-support';
import { HallServiceError } from './errors';
import { businessDate, QUEUE_RULES_SETTING, QueueRulesSetting, QueueService } from './queue';

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

  it('follows the hall’s calling rules from the queue.rules setting (which priorities, how many recalls)', () => {
    const { queue, session, store } = setup();
    store.settings.set(QUEUE_RULES_SETTING, QueueRulesSetting, { priorities: ['disabled'], appointmentWindowMinutes: { before: 15, after: 10 }, maxRecalls: 1 });
    queue.issue({ groupCode: 'A', priority: null });
    queue.issue({ groupCode: 'A', priority: 'elderly' }); // not honoured by this hall
    queue.issue({ groupCode: 'A', priority: 'disabled' });
    expect(queue.state(session).next.map((t) => t.number)).toEqual(['A003', 'A001', 'A002']);
    queue.act(session, 'call');
    queue.act(session, 'recall');
    expect(codeOf(() => queue.act(session, 'recall'))).toMatch(/^conflict: 已重呼 1 次/);
    expect(() => store.settings.set(QUEUE_RULES_SETTING, QueueRulesSetting, { priorities: ['elderly', 'elderly'], appointmentWindowMinutes: { before: 15, after: 10 }, maxRecalls: 3 })).toThrow(/each priority once/);
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

  it('uses the calendar day in China as the business day, whatever the machine’s time zone', () => {
    expect(businessDate(new Date('2026-11-26T15:59:00Z'))).toBe('2026-11-26'); // 23:59 in Beijing
    expect(businessDate(new Date('2026-11-26T16:00:00Z'))).toBe('2026-11-27'); // 00:00 in Beijing
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

/** Counter 3 (A, the session's), counter 4 (A) and counter 5 (C), each with a clerk session. */
function hall() {
  const base = setup();
  const { store, session } = base;
  store.counters.upsert({ id: 'c04', number: 4, name: '4号窗口', zone: 'A区', serviceGroups: ['A'], active: true });
  store.counters.upsert({ id: 'c05', number: 5, name: '5号窗口', zone: 'B区', serviceGroups: ['C'], active: true });
  const at = (id: string, number: number): Session => ({ ...session, userId: `u-${id}`, counter: { id, number, name: `${number}号窗口`, zone: 'B区' } });
  return { ...base, s4: at('c04', 4), s5: at('c05', 5) };
}
const outboxRows = (store: ReturnType<typeof setup>['store'], type: string) =>
  (store.db.sql.prepare('SELECT type, payload FROM outbox WHERE type = ? ORDER BY rowid').all(type) as { payload: string }[]).map((r) => JSON.parse(r.payload) as Record<string, unknown>);

describe('QueueService transfer (转窗)', () => {
  it('sends the current ticket to the chosen counter only, keeping its original time so it is called first there', () => {
    const { queue, session, s4, s5, clock, store } = hall();
    const a1 = queue.issue({ groupCode: 'A', priority: null });
    clock.advance(60_000);
    queue.issue({ groupCode: 'C', priority: null }); // C001, issued after A001
    queue.act(session, 'call');
    queue.act(session, 'serve');
    clock.advance(5 * 60_000);

    const after = queue.transfer(session, 'c05');
    expect(after.current).toBeNull();
    const row = store.tickets.get(a1.id)!;
    expect(row).toMatchObject({ state: 'waiting', targetCounterId: 'c05', issuedAt: a1.issuedAt, counterId: null, recallCount: 0, requeueCount: 0 });
    expect(outboxRows(store, 'ticket.changed').at(-1)).toMatchObject({ id: a1.id, action: 'transfer', state: 'waiting', fromCounterId: 'c03', toCounterId: 'c05', issuedAt: a1.issuedAt });

    // Neither the sending counter nor another counter of group A calls it.
    expect(queue.state(session).waiting).toBe(0);
    expect(codeOf(() => queue.act(s4, 'call'))).toBe('not_found: 当前没有等候的号票');
    // Counter 5 sees it first (its original time is before C001) and calls it.
    const at5 = queue.state(s5);
    expect(at5.next.map((t) => [t.number, t.transferTo])).toEqual([['A001', 5], ['C001', null]]);
    expect(at5.next[0]!.waitedMinutes).toBe(6);
    expect(queue.act(s5, 'call').current).toMatchObject({ number: 'A001', state: 'called', recallCount: 0 });
  });

  it('refuses its own counter, a paused or closed counter, an unknown one, and nothing to transfer', () => {
    const { queue, session, s5 } = hall();
    expect(codeOf(() => queue.transfer(session, 'c05'))).toBe('not_found: 本窗口当前没有可转窗的号票');
    queue.issue({ groupCode: 'A', priority: null });
    queue.act(session, 'call');
    expect(codeOf(() => queue.transfer(session, 'c03'))).toBe('conflict: 不能转给本窗口，请选择其他窗口');
    expect(codeOf(() => queue.transfer(session, 'nope'))).toBe('conflict: 要转入的窗口不存在或已停用');
    queue.setCounterStatus(s5, { status: 'paused' });
    expect(codeOf(() => queue.transfer(session, 'c05'))).toBe('conflict: 5号窗口暂停服务中，请转到其他窗口');
    queue.setCounterStatus(s5, { status: 'closed' });
    expect(codeOf(() => queue.transfer(session, 'c05'))).toBe('conflict: 5号窗口已关窗，请转到其他窗口');
    expect(queue.transfer(session, 'c04').current).toBeNull(); // a called (not yet served) ticket may go too
  });
});

describe('QueueService skip → re-queue (重新排队)', () => {
  it('lists today’s skipped tickets and re-queues one once, with its original time', () => {
    const { queue, session, clock, store } = hall();
    const a1 = queue.issue({ groupCode: 'A', priority: null });
    queue.issue({ groupCode: 'A', priority: null });
    queue.act(session, 'call');
    clock.advance(60_000);
    const skipped = queue.act(session, 'skip');
    expect(skipped.skipped.map((t) => [t.number, t.state, t.requeueCount])).toEqual([['A001', 'skipped', 0]]);

    const back = queue.requeue(session, a1.id);
    expect(back.skipped).toEqual([]);
    expect(back.next.map((t) => t.number)).toEqual(['A001', 'A002']); // original time: first again
    expect(store.tickets.get(a1.id)).toMatchObject({ state: 'waiting', issuedAt: a1.issuedAt, requeueCount: 1, finishedAt: null, calledAt: null });
    expect(outboxRows(store, 'ticket.changed').at(-1)).toMatchObject({ id: a1.id, action: 'requeue', state: 'waiting', counterId: 'c03' });

    expect(queue.act(session, 'call').current?.number).toBe('A001');
    expect(queue.act(session, 'skip').skipped[0]).toMatchObject({ number: 'A001', requeueCount: 1 });
    expect(codeOf(() => queue.requeue(session, a1.id))).toBe('conflict: 过号后只能重新排队一次');
  });

  it('re-queues only tickets this counter skipped today', () => {
    const { queue, session, s4, clock } = hall();
    const a1 = queue.issue({ groupCode: 'A', priority: null });
    expect(codeOf(() => queue.requeue(session, a1.id))).toMatch(/^not_found: 这张号票不是本窗口今天过号的/); // still waiting
    queue.act(session, 'call');
    expect(codeOf(() => queue.requeue(session, a1.id))).toBe('conflict: 号票已叫号，不能重新排队');
    queue.act(session, 'skip');
    expect(codeOf(() => queue.requeue(s4, a1.id))).toMatch(/^not_found: 这张号票不是本窗口今天过号的/);
    clock.advance(24 * 3600_000);
    expect(queue.state(session).skipped).toEqual([]);
    expect(codeOf(() => queue.requeue(session, a1.id))).toMatch(/^not_found/);
  });
});

describe('QueueService suspend / resume (挂起 / 恢复)', () => {
  it('calls the next ticket while one is suspended, and resumes it only when nothing else is active', () => {
    const { queue, session, store } = hall();
    const a1 = queue.issue({ groupCode: 'A', priority: null });
    queue.issue({ groupCode: 'A', priority: null });
    queue.act(session, 'call');
    expect(codeOf(() => queue.act(session, 'suspend'))).toBe('conflict: 号票已叫号，不能挂起');
    queue.act(session, 'serve');
    const suspended = queue.act(session, 'suspend');
    expect(suspended.current).toBeNull();
    expect(suspended.suspended.map((t) => [t.number, t.state])).toEqual([['A001', 'suspended']]);

    const called = queue.act(session, 'call');
    expect(called.current).toMatchObject({ number: 'A002', state: 'called' });
    expect(called.suspended.map((t) => t.number)).toEqual(['A001']);
    expect(codeOf(() => queue.act(session, 'call'))).toBe('conflict: 请先办结或过号当前号票 A002'); // one active at a time
    expect(codeOf(() => queue.resume(session, a1.id))).toBe('conflict: 请先办结、过号或挂起当前号票 A002，再恢复 A001');
    expect(codeOf(() => queue.act(session, 'resume'))).toBe('conflict: 请先办结、过号或挂起当前号票 A002，再恢复 A001');

    queue.act(session, 'serve');
    queue.act(session, 'finish');
    const resumed = queue.resume(session, a1.id);
    expect(resumed.current).toMatchObject({ number: 'A001', state: 'serving' });
    expect(resumed.suspended).toEqual([]);
    expect(codeOf(() => queue.resume(session, a1.id))).toBe('conflict: 号票办理中，不能恢复办理');
    expect(codeOf(() => queue.act(session, 'resume'))).toBe('not_found: 本窗口没有挂起的号票');
    expect(outboxRows(store, 'ticket.changed').map((r) => r.action)).toEqual(['call', 'serve', 'suspend', 'call', 'serve', 'finish', 'resume']);
  });

  it('resumes by shortcut the ticket suspended first; another counter cannot resume it', () => {
    const { queue, session, s4 } = hall();
    const a1 = queue.issue({ groupCode: 'A', priority: null });
    queue.act(session, 'call');
    queue.act(session, 'serve');
    queue.act(session, 'suspend');
    expect(codeOf(() => queue.resume(s4, a1.id))).toBe('not_found: 本窗口没有这张号票，请刷新后再试');
    expect(queue.act(session, 'resume').current).toMatchObject({ number: 'A001', state: 'serving' });
  });
});

describe('QueueService counter status (开窗 / 暂停 / 关窗)', () => {
  it('a paused or closed counter cannot call; only open counters count for the expected wait', () => {
    const { queue, session, s4, store } = hall();
    queue.issue({ groupCode: 'A', priority: null });
    queue.issue({ groupCode: 'A', priority: null });
    expect(queue.state(session)).toMatchObject({ expectedWaitMinutes: 8, counter: { id: 'c03', status: 'open', statusSince: null } }); // 2 × 8 ÷ 2 open (3, 4)

    const paused = queue.setCounterStatus(session, { status: 'paused', reason: '午休' });
    expect(paused).toMatchObject({ id: 'c03', number: 3, status: 'paused', statusReason: '午休', statusSince: '2026-11-26T01:00:00.000Z' });
    expect(codeOf(() => queue.act(session, 'call'))).toBe('conflict: 本窗口已暂停服务，请先开窗（F10）再叫号');
    expect(queue.state(s4).expectedWaitMinutes).toBe(16); // only counter 4 is open now
    queue.setCounterStatus(s4, { status: 'closed' });
    expect(codeOf(() => queue.act(s4, 'call'))).toBe('conflict: 本窗口已关窗，请先开窗（F10）再叫号');
    expect(queue.state(session).expectedWaitMinutes).toBeNull(); // nobody serves A now

    queue.setCounterStatus(session, { status: 'open' });
    expect(queue.act(session, 'call').current?.number).toBe('A001');
    expect(queue.setCounterStatus(session, { status: 'open' }).status).toBe('open'); // no change, no audit row
    expect(outboxRows(store, 'counter.status')).toEqual([
      { counterId: 'c03', number: 3, from: 'open', to: 'paused', reason: '午休', userId: 'u-clerk-1', at: '2026-11-26T01:00:00.000Z' },
      { counterId: 'c04', number: 4, from: 'open', to: 'closed', reason: null, userId: 'u-c04', at: '2026-11-26T01:00:00.000Z' },
      { counterId: 'c03', number: 3, from: 'paused', to: 'open', reason: null, userId: 'u-clerk-1', at: '2026-11-26T01:00:00.000Z' },
    ]);
  });

  it('pausing keeps the current ticket; closing is refused while a ticket is called, served or suspended', () => {
    const { queue, session } = hall();
    queue.issue({ groupCode: 'A', priority: null });
    queue.act(session, 'call');
    queue.act(session, 'serve');
    expect(codeOf(() => queue.setCounterStatus(session, { status: 'closed' }))).toBe('conflict: 3号窗口还有号票 A001（办理中），请先办结、过号或转窗后再关窗');
    expect(queue.setCounterStatus(session, { status: 'paused' }).status).toBe('paused');
    expect(queue.act(session, 'suspend').suspended).toHaveLength(1);
    expect(codeOf(() => queue.setCounterStatus(session, { status: 'closed' }))).toBe('conflict: 3号窗口还有号票 A001（已挂起），请先办结、过号或转窗后再关窗');
    queue.act(session, 'resume');
    queue.act(session, 'finish');
    expect(queue.setCounterStatus(session, { status: 'closed' }).status).toBe('closed');
  });

  it('a clerk sets only the own counter; a supervisor names any; statuses are listed for 转窗', () => {
    const { queue, session, changes } = hall();
    expect(codeOf(() => queue.setCounterStatus(session, { status: 'paused', counterId: 'c05' }))).toBe('forbidden: 您只能开关自己登录的窗口');
    const supervisor: Session = { ...session, userId: 'u-super', role: 'supervisor', counter: null };
    expect(codeOf(() => queue.setCounterStatus(supervisor, { status: 'paused' }))).toBe('counter_required: 请选择要开关的窗口');
    expect(codeOf(() => queue.setCounterStatus(supervisor, { status: 'paused', counterId: 'nope' }))).toBe('not_found: 该窗口不存在或已停用');
    changes.length = 0;
    expect(queue.setCounterStatus(supervisor, { status: 'closed', counterId: 'c05' }).status).toBe('closed');
    expect(changes).toEqual(['C']); // counters serving C refresh
    expect(queue.counterStates().map((c) => [c.number, c.status])).toEqual([[3, 'open'], [4, 'open'], [5, 'closed']]);
  });
});
