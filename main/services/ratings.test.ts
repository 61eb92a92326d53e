import { describe, expect, it } from 'vitest';
import type { Session } from '../../preload/contract';
import { testClock } from '../domain/clock';
import { createEventBus } from '../events';
import { createMemoryLogger } from '../log';
import { CalendarFile } from '../domain/calendar';
import { memoryStore, SAMPLE_APPLICANT, seedCounterAndClerk } from '../store/test-support';
import { CALENDAR_SETTING } from './calendar';
import { HallServiceError } from './errors';
import { CALLBACK_DAYS_SETTING, CallbackDaysSetting, RatingService } from './ratings';

/** Thursday 2026-11-26, midday in UTC (the same calendar day from UTC−11 to UTC+11). */
const THURSDAY = '2026-11-26T12:00:00.000Z';

function setup() {
  const clock = testClock(THURSDAY);
  const store = memoryStore(clock);
  const { counterId, clerkId } = seedCounterAndClerk(store);
  store.counters.upsert({ id: 'c05', number: 5, name: '5号窗口', zone: 'B区', serviceGroups: ['C'], active: true });
  store.users.upsert({ id: 'u-pad', userName: 'pad03', displayName: '3号窗口评价器', role: 'kiosk', counterId, passwordHash: 'x' });
  store.users.upsert({ id: 'u-sup', userName: 'sup', displayName: '测试丙', role: 'supervisor', counterId: null, passwordHash: 'x' });
  store.catalog.upsert(
    [{ code: 'HJ-001', name: '居民身份证换领', department: '公安局', kind: 'on_the_spot', legalLimitDays: 0, promisedLimitDays: 0, serviceGroup: 'A', materials: [], fees: [], completeWithFeesUnpaid: false, toleranceAllowed: false, creditCommitmentAllowed: false }],
    'v1',
  );
  const logger = createMemoryLogger();
  const events = createEventBus(logger);
  const changes: (string | null)[] = [];
  events.subscribe((e, p) => e === 'ratings.changed' && changes.push((p as { counterId: string | null }).counterId));
  const session = (role: Session['role'], counter: string | null, userId: string): Session => ({
    userId,
    userName: userId,
    displayNameMasked: '*',
    role,
    counter: counter === null ? null : { id: counter, number: counter === 'c03' ? 3 : 5, name: '', zone: '' },
    startedAt: THURSDAY,
  });
  let n = 0;
  const ticket = (counter = counterId) =>
    store.tickets.insert({ number: `A${String(++n).padStart(3, '0')}`, groupCode: 'A', businessDate: '2026-11-26', counterId: counter }).id;
  const ratings = new RatingService(store, clock, events, logger);
  return {
    clock,
    store,
    ratings,
    logger,
    changes,
    counterId,
    clerkId,
    ticket,
    pad: session('kiosk', counterId, 'u-pad'),
    pad5: session('kiosk', 'c05', 'u-pad'),
    kiosk: session('kiosk', null, 'u-pad'),
    supervisor: session('supervisor', null, 'u-sup'),
  };
}

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof HallServiceError ? `${err.code}: ${err.message}` : String(err);
  }
};

describe('RatingService: one rating per handling', () => {
  it('opens one request per ticket, fills in its case later, and opens none once it is rated', () => {
    const { ratings, store, pad, counterId, clerkId, ticket, changes } = setup();
    const t = ticket();
    const first = ratings.request({ counterId, ticketId: t, clerkUserId: clerkId })!;
    expect(first).toMatchObject({ counterId, ticketId: t, caseId: null, ratedAt: null });
    const kase = store.cases.create({ receiptNo: 'HALL01-20261126-C03-0001', ticketId: t, serviceItemCode: 'HJ-001', state: 'accepted', applicant: SAMPLE_APPLICANT, counterId }, clerkId);
    const again = ratings.request({ counterId, ticketId: t, caseId: kase.id, serviceItemCode: 'HJ-001', clerkUserId: clerkId })!;
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({ caseId: kase.id, serviceItemCode: 'HJ-001' });
    expect(ratings.pending(pad)).toEqual({ id: first.id, counterNumber: 3, serviceItemName: '居民身份证换领', createdAt: first.createdAt });
    expect(changes).toEqual([counterId, counterId]);

    ratings.submit(pad, { requestId: first.id, level: 5, reasons: [] });
    expect(ratings.request({ counterId, ticketId: t, clerkUserId: clerkId })).toBeNull();
    expect(ratings.pending(pad)).toBeNull();
    expect(store.db.sql.prepare('SELECT count(*) FROM rating_requests').pluck().get()).toBe(1);
  });

  it('a walk-in case is its own handling; the request takes the case’s item, counter and clerk', () => {
    const { ratings, store, counterId, clerkId } = setup();
    const kase = store.cases.create({ receiptNo: 'HALL01-20261126-C03-0002', serviceItemCode: 'HJ-001', state: 'accepted', applicant: SAMPLE_APPLICANT, counterId, clerkUserId: clerkId }, clerkId);
    const r = ratings.request({ counterId: null, caseId: kase.id })!;
    expect(r).toMatchObject({ counterId, caseId: kase.id, serviceItemCode: 'HJ-001', clerkUserId: clerkId, ticketId: null });
    expect(ratings.request({ counterId, caseId: kase.id })!.id).toBe(r.id);
    expect(ratings.openRequestOfCase(kase.id)?.id).toBe(r.id);
    expect(codeOf(() => ratings.request({ counterId }))).toMatch(/^bad_input/);
  });

  it('a newer handling at the counter ends the older unrated one; other counters are untouched', () => {
    const { ratings, pad, pad5, counterId, ticket, clock } = setup();
    const older = ratings.request({ counterId, ticketId: ticket() })!;
    const elsewhere = ratings.request({ counterId: 'c05', ticketId: ticket('c05') })!;
    clock.advance(60_000);
    const newer = ratings.request({ counterId, ticketId: ticket() })!;
    expect(ratings.pending(pad)?.id).toBe(newer.id);
    expect(ratings.pending(pad5)?.id).toBe(elsewhere.id);
    expect(codeOf(() => ratings.submit(pad, { requestId: older.id, level: 4, reasons: [] }))).toBe('conflict: 本次评价已结束，窗口已开始办理下一位');
    // The ended handling is not reopened when asked again.
    expect(ratings.request({ counterId, ticketId: older.ticketId })).toBeNull();
  });

  it('rates once: a second submit is a conflict (已评价)', () => {
    const { ratings, pad, counterId, ticket } = setup();
    const r = ratings.request({ counterId, ticketId: ticket() })!;
    expect(ratings.submit(pad, { requestId: r.id, level: 4, reasons: [] })).toEqual({ thanks: true });
    expect(codeOf(() => ratings.submit(pad, { requestId: r.id, level: 1, reasons: [] }))).toBe('conflict: 本次服务已评价，谢谢您');
    expect(codeOf(() => ratings.submit(pad, { requestId: 'nope', level: 1, reasons: [] }))).toMatch(/^not_found/);
  });

  it('a pad rates only its own counter’s handling; a hall kiosk may rate what it looked up', () => {
    const { ratings, pad5, kiosk, counterId, ticket } = setup();
    const r = ratings.request({ counterId, ticketId: ticket() })!;
    expect(codeOf(() => ratings.submit(pad5, { requestId: r.id, level: 5, reasons: [] }))).toBe('forbidden: 只能评价本窗口的服务');
    expect(ratings.submit(kiosk, { requestId: r.id, level: 5, reasons: [] })).toEqual({ thanks: true });
  });

  it('the pad needs a kiosk session bound to a counter', () => {
    const { ratings, kiosk, supervisor } = setup();
    expect(codeOf(() => ratings.pending(kiosk))).toMatch(/^counter_required/);
    expect(codeOf(() => ratings.pending(supervisor))).toMatch(/^forbidden/);
  });
});

describe('RatingService: what is stored and sent', () => {
  it('encrypts the comment and keeps it out of outbox payloads and logs', () => {
    const { ratings, store, pad, counterId, ticket, logger } = setup();
    const r = ratings.request({ counterId, ticketId: ticket() })!;
    const comment = '测试甲 13800000000 等了很久';
    ratings.submit(pad, { requestId: r.id, level: 2, reasons: ['等候时间长', '等候时间长', '态度不好'], comment });
    const raw = store.db.sql.prepare('SELECT * FROM ratings').get() as { id: string; comment_enc: Buffer; reasons: string; level: number };
    expect(raw.comment_enc.toString('latin1')).not.toContain('13800000000');
    expect(raw.level).toBe(2);
    expect(JSON.parse(raw.reasons)).toEqual(['等候时间长', '态度不好']);
    expect(store.ratings.getRating(raw.id)?.comment).toBe(comment);
    const outbox = store.outbox.pending();
    expect(outbox.map((e) => e.type)).toEqual(expect.arrayContaining(['rating.submitted', 'callback.opened']));
    const text = JSON.stringify(outbox) + JSON.stringify(logger.lines);
    expect(text).not.toContain('13800000000');
    expect(text).not.toContain('等了很久');
    expect(outbox.find((e) => e.type === 'rating.submitted')?.payload).toMatchObject({ level: 2, hasComment: true, requestId: r.id });
  });

  it('level ≤ 2 opens a callback due 5 working days later across the weekend and a holiday', () => {
    const { ratings, store, pad, counterId, ticket } = setup();
    store.settings.set(CALENDAR_SETTING, CalendarFile, { version: 1, holidays: ['2026-11-30'], workdays: [] });
    const r = ratings.request({ counterId, ticketId: ticket() })!;
    ratings.submit(pad, { requestId: r.id, level: 2, reasons: ['办事效率低'] });
    // Thu 26 → Fri 27 (1), Sat/Sun, Mon 30 holiday, Tue 1 (2), Wed 2 (3), Thu 3 (4), Fri 4 (5)
    const [cb] = ratings.callbacks('open');
    expect(cb).toMatchObject({ ratingLevel: 2, reasons: ['办事效率低'], counterNumber: 3, fixDeadline: '2026-12-04', state: 'open', deadlineLevel: 'ok', closedAt: null });
  });

  it('the number of working days is a setting; a make-up Saturday counts', () => {
    const { ratings, store, pad, counterId, ticket } = setup();
    store.settings.set(CALLBACK_DAYS_SETTING, CallbackDaysSetting, 2);
    store.settings.set(CALENDAR_SETTING, CalendarFile, { version: 1, holidays: [], workdays: ['2026-11-28'] });
    const r = ratings.request({ counterId, ticketId: ticket() })!;
    ratings.submit(pad, { requestId: r.id, level: 1, reasons: [] });
    expect(ratings.callbacks('all')[0]?.fixDeadline).toBe('2026-11-28');
  });

  it('level 3 asks for reasons but opens no callback; levels 4–5 keep no reasons', () => {
    const { ratings, store, pad, counterId, ticket } = setup();
    const r3 = ratings.request({ counterId, ticketId: ticket() })!;
    ratings.submit(pad, { requestId: r3.id, level: 3, reasons: ['指引不清楚'] });
    const r5 = ratings.request({ counterId, ticketId: ticket() })!;
    ratings.submit(pad, { requestId: r5.id, level: 5, reasons: ['其他'] });
    expect(ratings.callbacks('all')).toEqual([]);
    expect(store.outbox.pending().filter((e) => e.type === 'callback.opened')).toEqual([]);
    const reasons = store.db.sql.prepare('SELECT level, reasons FROM ratings ORDER BY level').all();
    expect(reasons).toEqual([
      { level: 3, reasons: '["指引不清楚"]' },
      { level: 5, reasons: '[]' },
    ]);
  });

  it('colours open callbacks by their fix deadline and closes them with a note, audited', () => {
    const { ratings, store, pad, supervisor, counterId, ticket, clock } = setup();
    const kase = store.cases.create({ receiptNo: 'HALL01-20261126-C03-0003', serviceItemCode: 'HJ-001', state: 'accepted', applicant: SAMPLE_APPLICANT, counterId }, 'u-clerk-1');
    const r = ratings.request({ counterId, ticketId: ticket(), caseId: kase.id })!;
    ratings.submit(pad, { requestId: r.id, level: 1, reasons: ['态度不好'] });
    expect(ratings.callbacks('open')[0]).toMatchObject({ fixDeadline: '2026-12-03', deadlineLevel: 'ok', receiptNo: 'HALL01-20261126-C03-0003' });
    clock.set('2026-12-01T12:00:00.000Z'); // 2 working days left
    expect(ratings.callbacks('open')[0]?.deadlineLevel).toBe('warning');
    clock.set('2026-12-04T12:00:00.000Z');
    const [cb] = ratings.callbacks('open');
    expect(cb?.deadlineLevel).toBe('overdue');

    expect(codeOf(() => ratings.closeCallback(supervisor, { id: cb!.id, note: '  ' }))).toMatch(/^bad_input/);
    const closed = ratings.closeCallback(supervisor, { id: cb!.id, note: '已电话回访，调整窗口排班' });
    expect(closed).toMatchObject({ state: 'closed', note: '已电话回访，调整窗口排班', deadlineLevel: 'none', closedAt: '2026-12-04T12:00:00.000Z' });
    expect(codeOf(() => ratings.closeCallback(supervisor, { id: cb!.id, note: '再次' }))).toBe('conflict: 该回访已办结');
    expect(codeOf(() => ratings.closeCallback(supervisor, { id: 'nope', note: 'x' }))).toMatch(/^not_found/);
    expect(ratings.callbacks('open')).toEqual([]);
    expect(ratings.callbacks('closed')).toHaveLength(1);
    expect(store.audit.forSubject(cb!.id)).toMatchObject([{ actor: 'u-sup', action: 'callback.closed' }]);
    expect(store.outbox.pending().find((e) => e.type === 'callback.closed')?.payload).toMatchObject({ callbackId: cb!.id, closedBy: 'u-sup' });
  });
});
