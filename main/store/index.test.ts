import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStore, DatabaseTooNewError, SCHEMA_VERSION, StoreError } from './index';
import { SAMPLE_APPLICANT, seedCounterAndClerk, tempDir, TEST_MASTER_KEY, testClock } from './test-support';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('hall-store-');
});
afterEach(() => tmp.cleanup());

/** Every byte pattern a clear copy of the value could take on disk. */
function patterns(value: string): Buffer[] {
  const variants = new Set([value, value.toLowerCase(), value.toUpperCase()]);
  return [...variants].flatMap((v) => [Buffer.from(v, 'utf8'), Buffer.from(v, 'utf16le')]);
}

function filesOf(file: string): Buffer {
  return Buffer.concat([file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)));
}

describe('createStore', () => {
  it('opens, migrates and wires every repository to one database', () => {
    const clock = testClock();
    const store = createStore(join(tmp.dir, 'hall.sqlite'), TEST_MASTER_KEY, clock);
    expect(store.db.schemaVersion).toBe(SCHEMA_VERSION);
    expect(store.db.now()).toEqual(clock());
    const { clerkId } = seedCounterAndClerk(store);
    const c = store.cases.create({ receiptNo: 'R-1', serviceItemCode: 'S', applicant: { ...SAMPLE_APPLICANT } }, clerkId);
    expect(store.outbox.countPending()).toBe(1);
    expect(store.cases.get(c.id)?.applicant?.name).toBe(SAMPLE_APPLICANT.name);
    store.close();
    expect(store.db.sql.open).toBe(false);
  });

  it('reads back the same data with the same master key after a restart', () => {
    const file = join(tmp.dir, 'hall.sqlite');
    const first = createStore(file, TEST_MASTER_KEY);
    const { clerkId } = seedCounterAndClerk(first);
    const c = first.cases.create({ receiptNo: 'R-1', serviceItemCode: 'S', applicant: { ...SAMPLE_APPLICANT } }, clerkId);
    first.close();
    const second = createStore(file, TEST_MASTER_KEY);
    expect(second.cases.findByApplicantId(SAMPLE_APPLICANT.idNumber).map((x) => x.id)).toEqual([c.id]);
    expect(second.users.getByUserName('clerk1')?.displayName).toBe('测试乙');
    second.close();
  });

  it('refuses a wrong-length master key before touching the file', () => {
    const file = join(tmp.dir, 'hall.sqlite');
    expect(() => createStore(file, Buffer.alloc(31))).toThrow(StoreError);
    expect(existsSync(file)).toBe(false);
  });

  it('passes DatabaseTooNewError through', () => {
    const file = join(tmp.dir, 'hall.sqlite');
    const future = new Database(file);
    future.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    future.close();
    expect(() => createStore(file, TEST_MASTER_KEY)).toThrow(DatabaseTooNewError);
  });
});

describe('personal data at rest', () => {
  it('never appears in clear in the database file or its WAL', () => {
    const file = join(tmp.dir, 'hall.sqlite');
    const store = createStore(file, TEST_MASTER_KEY);
    const { clerkId } = seedCounterAndClerk(store);
    const c = store.cases.create(
      { receiptNo: 'HALL01-20261126-C03-0001', serviceItemCode: 'S-0001', applicant: { ...SAMPLE_APPLICANT } },
      clerkId,
    );
    store.cases.transition(c.id, 'accepted', clerkId, null);
    store.tickets.insert({ number: 'A001', groupCode: 'A', businessDate: '2026-11-26', applicantIdNumber: SAMPLE_APPLICANT.idNumber });

    const secrets = [...Object.values(SAMPLE_APPLICANT), '测试乙'];
    const check = (bytes: Buffer): void => {
      expect(bytes.includes(Buffer.from('HALL01-20261126-C03-0001'))).toBe(true); // the scan does see clear data
      for (const secret of secrets) {
        for (const p of patterns(secret)) expect(bytes.includes(p), `found a clear copy of a personal field`).toBe(false);
      }
    };
    check(filesOf(file)); // while open: main file + WAL
    store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    check(readFileSync(file)); // after the checkpoint on close
  });
});
