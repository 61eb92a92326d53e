import { beforeAll, describe, expect, it } from 'vitest';
import { AuthService, type CounterPort, type StoredUser, type UserPort } from './auth';
import { testClock } from '../domain/clock';
import { HallServiceError } from './errors';
import { hashPassword } from './password';

const counter3 = { id: 'c3', number: 3, name: '3号窗口', zone: 'A区', active: true };
const closed = { id: 'c9', number: 9, name: '9号窗口', zone: 'A区', active: false };

function fakeUsers(users: StoredUser[]): UserPort & { rows: Map<string, StoredUser> } {
  const rows = new Map(users.map((u) => [u.userName, { ...u }]));
  const byId = (id: string) => [...rows.values()].find((u) => u.id === id)!;
  return {
    rows,
    getByUserName: (name) => (rows.has(name) ? { ...rows.get(name)! } : null),
    recordFailedLogin(id, state) {
      Object.assign(byId(id), state);
    },
    resetFailedLogins(id) {
      Object.assign(byId(id), { failedAttempts: 0, lockedUntil: null });
    },
  };
}
const counters: CounterPort = { get: (id) => [counter3, closed].find((c) => c.id === id) ?? null };

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof HallServiceError ? err.code : `unexpected ${String(err)}`;
  }
}

let hash: string;
beforeAll(async () => {
  hash = await hashPassword('right', { N: 1024, r: 8, p: 1 });
});

function setup() {
  const clock = testClock('2026-11-26T01:00:00Z');
  const users = fakeUsers([
    { id: 'u1', userName: 'clerk01', displayName: '张小明', role: 'clerk', counterId: 'c3', passwordHash: hash, failedAttempts: 0, lockedUntil: null },
    { id: 'u2', userName: 'sup01', displayName: '李主管', role: 'supervisor', counterId: null, passwordHash: hash, failedAttempts: 0, lockedUntil: null },
    { id: 'u3', userName: 'pad03', displayName: '3号窗口评价器', role: 'kiosk', counterId: 'c3', passwordHash: hash, failedAttempts: 0, lockedUntil: null },
    { id: 'u4', userName: 'kiosk01', displayName: '大厅自助机', role: 'kiosk', counterId: null, passwordHash: hash, failedAttempts: 0, lockedUntil: null },
  ]);
  return { clock, users, auth: new AuthService(users, counters, clock) };
}

describe('AuthService', () => {
  it('logs a clerk in at their counter with a masked display name', async () => {
    const { auth } = setup();
    const session = await auth.login('w1', { userName: 'clerk01', password: 'right', counterId: 'c3' });
    expect(session).toMatchObject({ userId: 'u1', role: 'clerk', displayNameMasked: '张*明', counter: { number: 3 } });
    expect(JSON.stringify(session)).not.toContain('张小明');
    expect(auth.get('w1')).toEqual(session);
    expect(auth.get('w2')).toBeNull();
  });

  it('binds a clerk to a counter: none chosen, unknown, closed or not theirs are refused', async () => {
    const { auth } = setup();
    expect(await code(auth.login('w', { userName: 'clerk01', password: 'right', counterId: null }))).toBe('counter_required');
    expect(await code(auth.login('w', { userName: 'clerk01', password: 'right', counterId: 'nope' }))).toBe('not_found');
    expect(await code(auth.login('w', { userName: 'clerk01', password: 'right', counterId: 'c9' }))).toBe('not_found');
    expect(auth.get('w')).toBeNull();
  });

  it('gives supervisors a session without a counter', async () => {
    const { auth } = setup();
    const s = await auth.login('w', { userName: 'sup01', password: 'right', counterId: 'c3' });
    expect(s.counter).toBeNull();
  });

  it('binds a kiosk assigned to a counter to it (the rating pad); a hall kiosk has none unless one is chosen', async () => {
    const { auth } = setup();
    expect((await auth.login('pad', { userName: 'pad03', password: 'right', counterId: null })).counter).toMatchObject({ id: 'c3', number: 3 });
    expect((await auth.login('pad2', { userName: 'pad03', password: 'right', counterId: 'c3' })).counter?.id).toBe('c3');
    expect(await code(auth.login('w', { userName: 'pad03', password: 'right', counterId: 'c9' }))).toBe('not_found');
    expect((await auth.login('k', { userName: 'kiosk01', password: 'right', counterId: null })).counter).toBeNull();
    expect((await auth.login('k2', { userName: 'kiosk01', password: 'right', counterId: 'c3' })).counter?.id).toBe('c3');
  });

  it('answers unknown users and wrong passwords alike', async () => {
    const { auth } = setup();
    expect(await code(auth.login('w', { userName: 'ghost', password: 'x', counterId: null }))).toBe('bad_credentials');
    expect(await code(auth.login('w', { userName: 'clerk01', password: 'wrong', counterId: 'c3' }))).toBe('bad_credentials');
  });

  it('locks after five failures, refuses even the right password, and unlocks after 15 minutes', async () => {
    const { auth, clock, users } = setup();
    for (let i = 0; i < 4; i++) {
      expect(await code(auth.login('w', { userName: 'clerk01', password: 'bad', counterId: 'c3' }))).toBe('bad_credentials');
    }
    expect(await code(auth.login('w', { userName: 'clerk01', password: 'bad', counterId: 'c3' }))).toBe('locked_out');
    expect(await code(auth.login('w', { userName: 'clerk01', password: 'right', counterId: 'c3' }))).toBe('locked_out');
    clock.advance(15 * 60_000 + 1);
    expect(await code(auth.login('w', { userName: 'clerk01', password: 'right', counterId: 'c3' }))).toBe('ok');
    expect(users.rows.get('clerk01')).toMatchObject({ failedAttempts: 0, lockedUntil: null });
  });

  it('logs out one window only', async () => {
    const { auth } = setup();
    await auth.login('w1', { userName: 'clerk01', password: 'right', counterId: 'c3' });
    await auth.login('w2', { userName: 'sup01', password: 'right', counterId: null });
    expect(auth.logout('w1')).toBe(true);
    expect(auth.logout('w1')).toBe(false);
    expect(auth.get('w2')?.userName).toBe('sup01');
  });
});

describe('AuthService idle lock (injectable clock)', () => {
  function idleSetup(minutes = 10) {
    const base = setup();
    const changes: string[] = [];
    const auth = new AuthService(base.users, counters, base.clock, {
      minutes: () => minutes,
      onChange: (change, channelId, session) => changes.push(`${change}:${channelId}:${session.userName}`),
    });
    return { ...base, auth, changes };
  }
  const MIN = 60_000;

  it('locks a clerk idle past the limit: refused, reported once; unlocks with the right password and goes on', async () => {
    const { auth, clock, changes } = idleSetup(10);
    const session = await auth.login('w', { userName: 'clerk01', password: 'right', counterId: 'c3' });
    clock.advance(9 * MIN);
    expect(auth.admit('w', 'intake.update')).toBe('ok'); // activity: the idle time restarts
    clock.advance(9 * MIN);
    expect(auth.sweepIdle()).toEqual([]);
    expect(auth.admit('w', 'intake.current')).toBe('ok');
    clock.advance(10 * MIN);
    expect(auth.sweepIdle()).toEqual(['w']);
    expect(auth.sweepIdle()).toEqual([]); // reported once
    expect(changes).toEqual(['locked:w:clerk01']);
    expect(auth.admit('w', 'intake.update')).toBe('locked');
    expect(auth.admit('w', 'session.heartbeat')).toBe('locked');
    expect(auth.admit('w', 'devices.status')).toBe('ok'); // harmless status read
    expect(auth.admit('w', 'session.logout')).toBe('ok');
    expect(auth.current('w')).toMatchObject({ userName: 'clerk01', locked: true });

    const unlocked = await auth.login('w', { userName: 'clerk01', password: 'right', counterId: null });
    expect(unlocked).toEqual(session); // same session, same counter: the draft carries on
    expect(changes).toEqual(['locked:w:clerk01', 'unlocked:w:clerk01']);
    expect(auth.admit('w', 'intake.update')).toBe('ok');
    expect(auth.current('w')).toEqual(session);
  });

  it('counts wrong unlock passwords toward the 5-failure lockout and stays locked', async () => {
    const { auth, clock, users } = idleSetup(10);
    await auth.login('w', { userName: 'clerk01', password: 'right', counterId: 'c3' });
    clock.advance(11 * MIN);
    expect(auth.admit('w', 'cases.list')).toBe('locked');
    for (let i = 0; i < 4; i++) expect(await code(auth.login('w', { userName: 'clerk01', password: 'bad', counterId: null }))).toBe('bad_credentials');
    expect(users.rows.get('clerk01')?.failedAttempts).toBe(4);
    expect(await code(auth.login('w', { userName: 'clerk01', password: 'bad', counterId: null }))).toBe('locked_out');
    expect(await code(auth.login('w', { userName: 'clerk01', password: 'right', counterId: null }))).toBe('locked_out');
    expect(auth.admit('w', 'cases.list')).toBe('locked');
    expect(auth.isLocked('w')).toBe(true);
  });

  it('ends the locked session when another user logs in on that window', async () => {
    const { auth, clock, changes } = idleSetup(10);
    await auth.login('w', { userName: 'clerk01', password: 'right', counterId: 'c3' });
    clock.advance(10 * MIN);
    expect(auth.admit('w', 'cases.list')).toBe('locked');
    const sup = await auth.login('w', { userName: 'sup01', password: 'right', counterId: null });
    expect(auth.get('w')).toEqual(sup);
    expect(auth.admit('w', 'cases.list')).toBe('ok');
    expect(changes).toEqual(['locked:w:clerk01', 'replaced:w:clerk01']);
  });

  it('never locks kiosk accounts (hall kiosk and rating pad); 0 minutes turns the lock off', async () => {
    const { auth, clock } = idleSetup(10);
    await auth.login('k', { userName: 'kiosk01', password: 'right', counterId: null });
    await auth.login('pad', { userName: 'pad03', password: 'right', counterId: null });
    await auth.login('sup', { userName: 'sup01', password: 'right', counterId: null });
    clock.advance(24 * 60 * MIN);
    expect(auth.sweepIdle()).toEqual(['sup']);
    expect(auth.admit('k', 'queue.issue')).toBe('ok');
    expect(auth.admit('pad', 'ratings.pending')).toBe('ok');
    expect(auth.idleLimitMs('k')).toBeNull();
    expect(auth.idleLimitMs('sup')).toBe(10 * MIN);

    const off = idleSetup(0);
    await off.auth.login('sup', { userName: 'sup01', password: 'right', counterId: null });
    off.clock.advance(24 * 60 * MIN);
    expect(off.auth.sweepIdle()).toEqual([]);
    expect(off.auth.admit('sup', 'cases.list')).toBe('ok');
  });

  it('falls back to 10 minutes when the setting cannot be read', async () => {
    const base = setup();
    const auth = new AuthService(base.users, counters, base.clock, {
      minutes: () => {
        throw new Error('bad setting');
      },
    });
    await auth.login('w', { userName: 'sup01', password: 'right', counterId: null });
    base.clock.advance(10 * MIN - 1);
    expect(auth.admit('w', 'cases.list')).toBe('ok');
    base.clock.advance(10 * MIN);
    expect(auth.admit('w', 'cases.list')).toBe('locked');
  });
});
