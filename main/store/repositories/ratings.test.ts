import { describe, expect, it } from 'vitest';
import { memoryStore, seedCounterAndClerk, testClock } from '../test-support';

function setup() {
  const clock = testClock('2026-11-26T02:00:00.000Z');
  const store = memoryStore(clock);
  const { counterId, clerkId } = seedCounterAndClerk(store);
  const request = () => store.ratings.insertRequest({ counterId, ticketId: null, caseId: null, serviceItemCode: 'X', clerkUserId: clerkId });
  return { store, clock, counterId, request };
}

describe('RatingRepository', () => {
  it('rates a request once; a rated or expired request takes no rating', () => {
    const { store, request, counterId } = setup();
    const a = request();
    const b = request();
    expect(store.ratings.expireOpenAt(counterId, b.id)).toEqual([a.id]);
    expect(store.db.transaction(() => store.ratings.insertRating({ requestId: a.id, level: 5, reasons: [], comment: null }))).toBeNull();
    const rated = store.db.transaction(() => store.ratings.insertRating({ requestId: b.id, level: 3, reasons: ['其他'], comment: '评语' }))!;
    expect(store.ratings.getRequest(b.id)?.ratedAt).toBe(rated.ratedAt);
    expect(store.db.transaction(() => store.ratings.insertRating({ requestId: b.id, level: 1, reasons: [], comment: null }))).toBeNull();
    expect(store.ratings.getRating(rated.id)).toMatchObject({ level: 3, reasons: ['其他'], comment: '评语' });
    expect(() => store.db.sql.prepare('UPDATE ratings SET level = 5').run()).toThrow(/append-only/);
  });

  it('the comment is bound to its row: copied to another rating it does not decrypt', () => {
    const { store, request } = setup();
    const one = store.ratings.insertRating({ requestId: request().id, level: 2, reasons: [], comment: '甲' })!;
    const two = store.ratings.insertRating({ requestId: request().id, level: 2, reasons: [], comment: null })!;
    expect(store.ratings.getRating(two.id)?.comment).toBeNull();
    const blob = store.db.sql.prepare('SELECT comment_enc FROM ratings WHERE id = ?').pluck().get(one.id) as Buffer;
    store.db.sql.exec('DROP TRIGGER ratings_no_update');
    store.db.sql.prepare('UPDATE ratings SET comment_enc = ? WHERE id = ?').run(blob, two.id);
    expect(() => store.ratings.getRating(two.id)).toThrow(/cannot decrypt/);
  });

  it('lists open callbacks by fix deadline, then closed ones; closes only open ones', () => {
    const { store, request, clock } = setup();
    const rate = () => store.ratings.insertRating({ requestId: request().id, level: 1, reasons: [], comment: null })!.id;
    const late = store.ratings.insertCallback(rate(), '2026-12-10');
    const soon = store.ratings.insertCallback(rate(), '2026-12-01');
    const done = store.ratings.insertCallback(rate(), '2026-11-30');
    clock.advance(60_000);
    expect(store.ratings.closeCallback(done, 'u-clerk-1', '已处理')).toBe(true);
    expect(store.ratings.closeCallback(done, 'u-clerk-1', '再次')).toBe(false);
    expect(store.ratings.listCallbacks('all').map((c) => c.id)).toEqual([soon, late, done]);
    expect(store.ratings.listCallbacks('open').map((c) => c.id)).toEqual([soon, late]);
    expect(store.ratings.getCallback(done)).toMatchObject({ state: 'closed', note: '已处理', closedBy: 'u-clerk-1', counterNumber: 3, level: 1, receiptNo: null });
  });
});
