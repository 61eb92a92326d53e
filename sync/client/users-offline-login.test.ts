/**
 * Issue 7, deliverable 1: users and their scrypt hashes come from the hub and work offline. The hub's
 * `users` bucket is applied by the sync client's `applyCheckpoint` into the console's store; the login
 * that follows uses only that store (no transport exists in this test), as `createConsoleApp` wires it.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testClock } from '../../main/domain/clock';
import { AuthService } from '../../main/services/auth';
import { HallServiceError } from '../../main/services/errors';
import { hashPassword } from '../../main/services/password';
import type { Store } from '../../main/store';
import { memoryStore } from '../../main/store/test-support';
import type { Change } from '../protocol';
import { applyCheckpoint } from './apply';

const FAST = { N: 1024, r: 8, p: 1 };
let firstHash: string;
let secondHash: string;
beforeAll(async () => {
  firstHash = await hashPassword('初始口令-1', FAST);
  secondHash = await hashPassword('新口令-2', FAST);
});

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function consoleStore() {
  const clock = testClock('2026-11-26T01:00:00Z');
  const store = memoryStore(clock);
  stores.push(store);
  store.counters.upsert({ id: 'c07', number: 7, name: '7号窗口', zone: 'B区', serviceGroups: ['B'], active: true });
  return { clock, store, auth: new AuthService(store.users, store.counters, clock) };
}

const userChange = (serverSeq: number, passwordHash: string): Change => ({
  serverSeq,
  op: 'put',
  key: 'u-clerk-07',
  value: { userName: 'clerk07', displayName: '王小红', role: 'clerk', counterId: 'c07', passwordHash },
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof HallServiceError ? err.code : `unexpected ${String(err)}`;
  }
}

describe('users from the hub, usable offline', () => {
  it('a user published by the hub logs in with the synced scrypt hash, with no hub connection', async () => {
    const { store, auth } = consoleStore();
    const login = (password: string, window = 'w1') => auth.login(window, { userName: 'clerk07', password, counterId: 'c07' });

    // Before the hub's users arrive, the user does not exist on this console.
    expect(await code(login('初始口令-1'))).toBe('bad_credentials');

    expect(applyCheckpoint(store, 'users', [userChange(1, firstHash)], 'E1:1')).toEqual([]);
    const session = await login('初始口令-1');
    expect(session).toMatchObject({ userId: 'u-clerk-07', role: 'clerk', displayNameMasked: '王*红', counter: { id: 'c07' } });
    expect(await code(login('初始口令-2', 'w2'))).toBe('bad_credentials');

    // The hub publishes a changed password: the old one stops working, the new one works, still offline.
    expect(applyCheckpoint(store, 'users', [userChange(2, secondHash)], 'E1:2')).toEqual([]);
    expect(await code(login('初始口令-1', 'w3'))).toBe('bad_credentials');
    expect(await code(login('新口令-2', 'w4'))).toBe('ok');
  });

  it('a user change without a usable hash is skipped and creates no account', async () => {
    const { store, auth } = consoleStore();
    const bad: Change = { serverSeq: 1, op: 'put', key: 'u-kiosk-1', value: { userName: 'kiosk01', displayName: '自助机', role: 'kiosk', counterId: null, passwordHash: '' } };
    const skipped = applyCheckpoint(store, 'users', [bad], 'E1:1');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ bucket: 'users', key: 'u-kiosk-1' });
    expect(store.users.getByUserName('kiosk01')).toBeNull();
    expect(await code(auth.login('w1', { userName: 'kiosk01', password: '', counterId: null }))).not.toBe('ok');
  });
});
