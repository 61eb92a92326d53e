import { describe, expect, it } from 'vitest';
import { testClock } from '../../main/domain/clock';
import { checkValidity, isExpired } from './validity';

describe('card validity against the injected clock', () => {
  const card = { validFrom: '2016-03-07', validTo: '2026-03-07' };

  it('is valid through the last day, in China time', () => {
    // 2026-03-07 23:59 in Beijing is 15:59 UTC
    expect(checkValidity(card, testClock('2026-03-07T15:59:00Z'))).toEqual({ status: 'valid', today: '2026-03-07', daysLeft: 1 });
    expect(checkValidity(card, testClock('2026-03-07T16:00:00Z'))).toEqual({ status: 'expired', today: '2026-03-08', daysLeft: 0 });
  });

  it('counts days left', () => {
    expect(checkValidity(card, testClock('2026-02-26T04:00:00Z')).daysLeft).toBe(10);
  });

  it('never expires a long-term (长期) card', () => {
    const longTerm = { validFrom: '2015-01-01', validTo: 'long_term' };
    expect(checkValidity(longTerm, testClock('2099-12-31T00:00:00Z'))).toEqual({ status: 'valid', today: '2099-12-31', daysLeft: null });
    expect(isExpired(longTerm, testClock('2099-12-31T00:00:00Z'))).toBe(false);
  });

  it('spots a card that is not valid yet', () => {
    expect(checkValidity(card, testClock('2016-03-06T12:00:00Z')).status).toBe('not_yet_valid');
  });

  it('isExpired follows the clock as it moves', () => {
    const clock = testClock('2026-03-06T00:00:00Z');
    expect(isExpired(card, clock)).toBe(false);
    clock.advance(3 * 86_400_000);
    expect(isExpired(card, clock)).toBe(true);
  });
});
