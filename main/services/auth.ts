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

export class AuthService {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly users: UserPort,
    private readonly counters: CounterPort,
    private readonly clock: Clock,
  ) {}

  get(channelId: string): Session | null {
    return this.sessions.get(channelId) ?? null;
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
    const session: Session = {
      userId: user.id,
      userName: user.userName,
      displayNameMasked: maskName(user.displayName),
      role: user.role,
      counter,
      startedAt: now.toISOString(),
    };
    this.sessions.set(channelId, session);
    return session;
  }

  logout(channelId: string): boolean {
    return this.sessions.delete(channelId);
  }
}

function formatClock(iso: string): string {
  return chinaTime(new Date(iso));
}
