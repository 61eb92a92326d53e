/**
 * Log in / log out, one session per window (channel). Users and hashes come from the hub and work
 * offline; 5 failures lock an account for 15 minutes; a clerk session is bound to one counter, and so
 * is a kiosk account assigned to a counter (that counter's rating pad).
 */
import type { Counter, Role, Session } from '../../preload/contract';
import type { User } from '../store/repositories/users';
import { afterFailedAttempt, isLocked } from '../domain/lockout';
import { maskName } from '../domain/masking';
import { chinaTime, type Clock } from '../domain/clock';
import { HallServiceError } from './errors';
import { verifyPassword } from './password';
import { DEFAULT_IDLE_LOCK_MINUTES, IDLE_PASSIVE_METHODS, idleLimitMs } from './idle-lock';
import type { MethodName } from '../../preload/contract';

/** What auth needs of a stored user (the store's UserRepository provides it). */
export type StoredUser = Pick<User, 'id' | 'userName' | 'displayName' | 'role' | 'counterId' | 'passwordHash' | 'failedAttempts' | 'lockedUntil'>;

export interface UserPort {
  getByUserName(userName: string): StoredUser | null;
  recordFailedLogin(userId: string, state: { failedAttempts: number; lockedUntil: string | null }): unknown;
  resetFailedLogins(userId: string): void;
}

export interface CounterPort {
  get(id: string): (Counter & { active: boolean }) | null;
}

/** Roles that work at one counter and must pick it when logging in. */
const COUNTER_BOUND: readonly Role[] = ['clerk'];

// Verified when the user name is unknown, so both paths cost one scrypt run (no user-name oracle).
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** What happened to a session's idle lock; the app audits each and tells the window (docs/security.md "Idle lock"). */
export type IdleLockChange = 'locked' | 'unlocked' | 'replaced';

export interface IdleLockOptions {
  /** Current `security.idleLockMinutes` (read on every check, so a changed setting applies at once). */
  minutes?: () => number;
  onChange?: (change: IdleLockChange, channelId: string, session: Session) => void;
}

interface Activity {
  lastActiveMs: number;
  lockedAt: string | null;
}

export class AuthService {
  private readonly sessions = new Map<string, Session>();
  private readonly activity = new Map<string, Activity>();

  constructor(
    private readonly users: UserPort,
    private readonly counters: CounterPort,
    private readonly clock: Clock,
    private readonly idle: IdleLockOptions = {},
  ) {}

  get(channelId: string): Session | null {
    return this.sessions.get(channelId) ?? null;
  }

  /** The session as `session.current` shows it: with `locked: true` while idle-locked. */
  current(channelId: string): Session | null {
    const session = this.sessions.get(channelId);
    if (!session) return null;
    return this.checkIdle(channelId) ? { ...session, locked: true } : session;
  }

  /** Idle limit of this window's session in ms, or null when it never locks. */
  idleLimitMs(channelId: string): number | null {
    const session = this.sessions.get(channelId);
    return session ? idleLimitMs(session.role, this.idleMinutes()) : null;
  }

  /**
   * The dispatcher asks before every call of a session: 'locked' refuses the call. A call that is not
   * passive counts as activity and restarts the idle time.
   */
  admit(channelId: string, method: MethodName): 'ok' | 'locked' {
    if (!this.sessions.has(channelId)) return 'ok';
    const passive = IDLE_PASSIVE_METHODS.has(method);
    if (this.checkIdle(channelId)) return passive ? 'ok' : 'locked';
    if (!passive) this.activity.set(channelId, { lastActiveMs: this.clock().getTime(), lockedAt: null });
    return 'ok';
  }

  isLocked(channelId: string): boolean {
    return this.activity.get(channelId)?.lockedAt != null;
  }

  /** Locks every session idle past its limit (main runs this on a timer so the window locks without a call). */
  sweepIdle(): string[] {
    const locked: string[] = [];
    for (const channelId of this.sessions.keys()) {
      const wasLocked = this.isLocked(channelId);
      if (this.checkIdle(channelId) && !wasLocked) locked.push(channelId);
    }
    return locked;
  }

  private idleMinutes(): number {
    try {
      return this.idle.minutes?.() ?? DEFAULT_IDLE_LOCK_MINUTES;
    } catch {
      return DEFAULT_IDLE_LOCK_MINUTES; // an unreadable setting must not switch the lock off
    }
  }

  /** True when the session is (now) locked; locks it when its idle time ran out. */
  private checkIdle(channelId: string): boolean {
    const session = this.sessions.get(channelId);
    if (!session) return false;
    const nowMs = this.clock().getTime();
    let state = this.activity.get(channelId);
    if (!state) {
      state = { lastActiveMs: nowMs, lockedAt: null };
      this.activity.set(channelId, state);
    }
    if (state.lockedAt) return true;
    const limit = idleLimitMs(session.role, this.idleMinutes());
    if (limit === null || nowMs - state.lastActiveMs < limit) return false;
    state.lockedAt = new Date(nowMs).toISOString();
    this.idle.onChange?.('locked', channelId, session);
    return true;
  }

  async login(channelId: string, input: { userName: string; password: string; counterId: string | null }): Promise<Session> {
    const now = this.clock();
    const user = this.users.getByUserName(input.userName);
    if (!user) {
      await verifyPassword(input.password, DUMMY_HASH);
      throw new HallServiceError('bad_credentials', '用户名或密码错误');
    }
    if (isLocked(user, now)) {
      throw new HallServiceError('locked_out', `连续输错密码，账号已锁定至 ${formatClock(user.lockedUntil!)}，请稍后再试或联系管理员`);
    }
    if (!(await verifyPassword(input.password, user.passwordHash))) {
      const next = afterFailedAttempt(user, now);
      this.users.recordFailedLogin(user.id, next);
      if (next.lockedUntil) {
        throw new HallServiceError('locked_out', `连续输错密码，账号已锁定至 ${formatClock(next.lockedUntil)}`);
      }
      throw new HallServiceError('bad_credentials', '用户名或密码错误');
    }

    // Unlock: the locked session's own user, password right; the session (and the counter's draft) goes on as it was.
    const held = this.sessions.get(channelId);
    if (held && this.isLocked(channelId)) {
      if (held.userId === user.id) {
        this.users.resetFailedLogins(user.id);
        this.activity.set(channelId, { lastActiveMs: now.getTime(), lockedAt: null });
        this.idle.onChange?.('unlocked', channelId, held);
        return held;
      }
    }

    let counter: Counter | null = null;
    // A clerk picks their counter; a kiosk assigned to a counter (or given one at login) is that counter's rating pad.
    const counterId = COUNTER_BOUND.includes(user.role) ? input.counterId : user.role === 'kiosk' ? (input.counterId ?? user.counterId) : null;
    if (COUNTER_BOUND.includes(user.role) && !counterId) throw new HallServiceError('counter_required', '请选择您所在的窗口');
    if (counterId) {
      const found = this.counters.get(counterId);
      if (!found || !found.active) throw new HallServiceError('not_found', '该窗口不存在或已停用');
      if (user.counterId && user.counterId !== found.id) {
        throw new HallServiceError('forbidden', '您未被分配到该窗口，请选择本人的窗口');
      }
      counter = { id: found.id, number: found.number, name: found.name, zone: found.zone };
    }

    this.users.resetFailedLogins(user.id);
    // Another user logging in on a locked window ends the locked session.
    if (held && this.isLocked(channelId)) this.idle.onChange?.('replaced', channelId, held);
    const session: Session = {
      userId: user.id,
      userName: user.userName,
      displayNameMasked: maskName(user.displayName),
      role: user.role,
      counter,
      startedAt: now.toISOString(),
    };
    this.sessions.set(channelId, session);
    this.activity.set(channelId, { lastActiveMs: now.getTime(), lockedAt: null });
    return session;
  }

  logout(channelId: string): boolean {
    this.activity.delete(channelId);
    return this.sessions.delete(channelId);
  }
}

function formatClock(iso: string): string {
  return chinaTime(new Date(iso));
}
