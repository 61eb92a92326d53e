import { describe, expect, it } from 'vitest';
import { afterFailedAttempt, isLocked, LOCKOUT_THRESHOLD, type LockoutState } from './lockout';

const t0 = new Date('2026-11-26T09:00:00+08:00');

describe('lockout', () => {
  it('locks on the fifth failure for fifteen minutes', () => {
    let state: LockoutState = { failedAttempts: 0, lockedUntil: null };
    for (let i = 1; i < LOCKOUT_THRESHOLD; i++) {
      state = afterFailedAttempt(state, t0);
      expect(isLocked(state, t0)).toBe(false);
    }
    state = afterFailedAttempt(state, t0);
    expect(isLocked(state, t0)).toBe(true);
    expect(isLocked(state, new Date(t0.getTime() + 14 * 60_000))).toBe(true);
    expect(isLocked(state, new Date(t0.getTime() + 15 * 60_000))).toBe(false);
  });

  it('starts counting again after a lock expired', () => {
    const locked = { failedAttempts: 5, lockedUntil: new Date(t0.getTime() + 60_000).toISOString() };
    const later = new Date(t0.getTime() + 2 * 60_000);
    expect(afterFailedAttempt(locked, later)).toEqual({ failedAttempts: 1, lockedUntil: null });
  });
});
