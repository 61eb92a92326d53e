/**
 * Reconnect delays (sync note: exponential backoff 1–60 s with FULL jitter):
 * attempt n (0-based) waits random(0, min(60, 2^n)) seconds. `random` returns [0, 1).
 */
export const BACKOFF_CAP_S = 60;

export function backoffDelayMs(attempt: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_CAP_S, 2 ** Math.max(0, Math.min(attempt, 30)));
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
  return Math.floor(unit * ceiling * 1000);
}
