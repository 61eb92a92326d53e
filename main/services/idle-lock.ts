/**
 * Idle lock (security note, "Identity and roles"): a staff session left alone longer than
 * `security.idleLockMinutes` is locked *in main*. While locked, every contract call of that window is
 * refused with `locked` except the few below that neither show nor change hall data; the same user
 * unlocks with the password through `session.login` (so failures count toward the 5-failure lockout);
 * another user logging in on that window ends the locked session.
 *
 * Activity = a contract call of the session that is not in IDLE_PASSIVE_METHODS. The renderer adds a
 * `session.heartbeat` on real user input (mouse, keyboard, touch), at most once a minute
 * (renderer/screens/LockScreen.tsx useIdleHeartbeat), so a clerk
 * reading a long screen is not locked. Status polls and events never count.
 *
 * Kiosk accounts (the self-service kiosk and each counter's rating pad) never lock: they face the
 * applicant and carry no staff rights.
 */
import { z } from 'zod';
import type { MethodName, Role } from '../../preload/contract';

export const IDLE_LOCK_SETTING = 'security.idleLockMinutes';
/** Minutes without activity before a staff session locks; 0 turns the lock off. Fractions allowed (tests). */
export const IdleLockMinutesSetting = z.number().min(0).max(240);
export const DEFAULT_IDLE_LOCK_MINUTES = 10;

/** Roles that never lock. */
export const IDLE_LOCK_EXEMPT_ROLES: readonly Role[] = ['kiosk'];

/**
 * Calls allowed on a locked session and not counted as activity: the login screen's public reads,
 * the unlock path itself (`session.login`), logging out, and the status bar's device/sync health
 * (no personal data, and they are refreshed without the user touching anything).
 */
export const IDLE_PASSIVE_METHODS: ReadonlySet<MethodName> = new Set<MethodName>([
  'app.info',
  'counters.list',
  'session.current',
  'session.login',
  'session.logout',
  'devices.status',
  'sync.status',
]);

/** Idle limit in ms for a role, or null when that role never locks (or the lock is off). */
export function idleLimitMs(role: Role, minutes: number): number | null {
  if (IDLE_LOCK_EXEMPT_ROLES.includes(role) || minutes <= 0) return null;
  return Math.round(minutes * 60_000);
}
