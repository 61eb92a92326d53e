/**
 * Login lockout rule (security note): 5 failed attempts lock the account for 15 minutes.
 * Pure: the caller passes the stored counters and the clock.
 */
export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_MINUTES = 15;

export interface LockoutState {
  failedAttempts: number;
  lockedUntil: string | null;
}

export function isLocked(state: LockoutState, now: Date): boolean {
  return state.lockedUntil !== null && Date.parse(state.lockedUntil) > now.getTime();
}

/** State after one more failed attempt. The counter restarts once a lock has expired. */
export function afterFailedAttempt(state: LockoutState, now: Date): LockoutState {
  const expired = state.lockedUntil !== null && Date.parse(state.lockedUntil) <= now.getTime();
  const failedAttempts = (expired ? 0 : state.failedAttempts) + 1;
  if (failedAttempts >= LOCKOUT_THRESHOLD) {
    return { failedAttempts, lockedUntil: new Date(now.getTime() + LOCKOUT_MINUTES * 60_000).toISOString() };
  }
  return { failedAttempts, lockedUntil: null };
}
