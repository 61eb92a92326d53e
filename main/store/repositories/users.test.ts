import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FieldDecryptError, NotFoundError } from '../errors';
import type { Store } from '../index';
import { memoryStore, testClock, type TestClock } from '../test-support';
import type { UserInput } from './users';

let store: Store;
let clock: TestClock;
beforeEach(() => {
  clock = testClock();
  store = memoryStore(clock);
  store.counters.upsert({ id: 'c03', number: 3, name: '3号窗口', zone: 'A区', serviceGroups: ['A'], active: true });
});
afterEach(() => store.close());

const clerk: UserInput = {
  id: 'u1',
  userName: 'clerk1',
  displayName: '测试乙',
  role: 'clerk',
  counterId: 'c03',
  passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
};

describe('UserRepository', () => {
  it('stores the display name encrypted and returns it decrypted by user name', () => {
    store.users.upsert(clerk);
    const raw = store.db.sql.prepare('SELECT display_name_enc FROM users').pluck().get();
    expect(Buffer.isBuffer(raw)).toBe(true);
    expect(Buffer.from(raw as Buffer).includes(Buffer.from('测试乙'))).toBe(false);

    expect(store.users.getByUserName('clerk1')).toEqual({
      ...clerk,
      failedAttempts: 0,
      lockedUntil: null,
      updatedAt: '2026-11-26T01:00:00.000Z',
    });
    expect(store.users.getByUserName('nobody')).toBeNull();
    expect(store.users.get('u1')?.displayName).toBe('测试乙');
  });

  it('updates identity fields from the hub but keeps the local lockout state', () => {
    store.users.upsert(clerk);
    store.users.recordFailedLogin('u1', { failedAttempts: 1, lockedUntil: null });
    clock.advance(60_000);
    const updated = store.users.upsert({ ...clerk, displayName: '测试丙', role: 'supervisor', counterId: null });
    expect(updated).toMatchObject({ displayName: '测试丙', role: 'supervisor', counterId: null, failedAttempts: 1 });
    expect(updated.updatedAt).toBe('2026-11-26T01:01:00.000Z');
  });

  it('stores the lockout state it is given, and resets', () => {
    store.users.upsert(clerk);
    expect(store.users.recordFailedLogin('u1', { failedAttempts: 1, lockedUntil: null })).toMatchObject({ failedAttempts: 1, lockedUntil: null });
    expect(store.users.recordFailedLogin('u1', { failedAttempts: 5, lockedUntil: '2026-11-26T01:15:00.000Z' })).toMatchObject({
      failedAttempts: 5,
      lockedUntil: '2026-11-26T01:15:00.000Z',
    });
    store.users.resetFailedLogins('u1');
    expect(store.users.get('u1')).toMatchObject({ failedAttempts: 0, lockedUntil: null });
  });

  it('reports unknown users', () => {
    expect(() => store.users.recordFailedLogin('ghost', { failedAttempts: 1, lockedUntil: null })).toThrow(NotFoundError);
    expect(() => store.users.resetFailedLogins('ghost')).toThrow(NotFoundError);
  });

  it('binds the encrypted name to its row: a name copied to another user does not decrypt', () => {
    store.users.upsert(clerk);
    store.users.upsert({ ...clerk, id: 'u2', userName: 'clerk2', displayName: '测试丁' });
    store.db.sql
      .prepare("UPDATE users SET display_name_enc = (SELECT display_name_enc FROM users WHERE id = 'u1') WHERE id = 'u2'")
      .run();
    expect(() => store.users.get('u2')).toThrow(FieldDecryptError);
  });

  it('rejects an unknown role', () => {
    expect(() => store.users.upsert({ ...clerk, role: 'root' as UserInput['role'] })).toThrow(/CHECK/);
  });
});
