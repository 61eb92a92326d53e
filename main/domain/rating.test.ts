import { describe, expect, it } from 'vitest';
import { WorkingCalendar } from './calendar';
import { asksForReasons, callbackDeadline, needsCallback, RATING_LABELS, ratingRates } from './rating';

describe('ratings', () => {
  it('labels the five levels as the rating pad shows them', () => {
    expect(Object.values(RATING_LABELS)).toEqual(['非常不满意', '不满意', '基本满意', '满意', '非常满意']);
  });

  it('opens a callback at 2 and 1 only, and asks reasons at 3 and below', () => {
    expect([5, 4, 3, 2, 1].map((l) => needsCallback(l as 1))).toEqual([false, false, false, true, true]);
    expect([5, 4, 3, 2, 1].map((l) => asksForReasons(l as 1))).toEqual([false, false, true, true, true]);
  });

  it('gives the callback a working-day deadline', () => {
    const cal = new WorkingCalendar({ version: 1, holidays: ['2026-12-31'], workdays: [] });
    expect(callbackDeadline(cal, '2026-12-28', 5)).toBe('2027-01-05'); // Tue 29, Wed 30, Fri 1/1, Mon 4, Tue 5
  });

  it('computes 满意率 and 差评率 over all ratings', () => {
    expect(ratingRates([5, 4, 3, 2, 1])).toEqual({ count: 5, satisfaction: 0.4, bad: 0.4 });
    expect(ratingRates([5, 5, 4, 3])).toEqual({ count: 4, satisfaction: 0.75, bad: 0 });
    expect(ratingRates([])).toEqual({ count: 0, satisfaction: null, bad: null });
  });
});
