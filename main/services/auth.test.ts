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
