/** Helpers for the store's own tests. Synthetic data only. */
export { testClock, type TestClock } from '../domain/clock';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testClock, type Clock } from '../domain/clock';
import { createStore, type Store } from './index';

export const TEST_MASTER_KEY = Buffer.alloc(32, 7);

/** A well-known sample ID number and obviously fake contact data; never a real person's. */
export const SAMPLE_APPLICANT = {
  name: '测试甲',
  idNumber: '11010519491231002X',
  address: '示例省测试市样例路1号',
  phone: '13800000000',
} as const;

export function memoryStore(clock: Clock = testClock()): Store {
  return createStore(':memory:', TEST_MASTER_KEY, clock);
}

/** A fresh temp directory and its cleanup. */
export function tempDir(prefix = 'hall-store-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A counter and a clerk, for tests that need foreign keys satisfied. */
export function seedCounterAndClerk(store: Store): { counterId: string; clerkId: string } {
  store.counters.upsert({ id: 'c03', number: 3, name: '3号窗口', zone: 'A区', serviceGroups: ['A'], active: true });
  store.users.upsert({
    id: 'u-clerk-1',
    userName: 'clerk1',
    displayName: '测试乙',
    role: 'clerk',
    counterId: 'c03',
    passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
  });
  return { counterId: 'c03', clerkId: 'u-clerk-1' };
}
