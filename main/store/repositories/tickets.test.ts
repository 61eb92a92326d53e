import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../index';
import { memoryStore, SAMPLE_APPLICANT, testClock, type TestClock } from '../test-support';
import { UUIDV7_PATTERN } from '../uuidv7';

let store: Store;
let clock: TestClock;
beforeEach(() => {
  clock = testClock();
  store = memoryStore(clock);
});
afterEach(() => store.close());

describe('TicketRepository', () => {
  it('inserts a ticket with defaults and gets it back', () => {
    const t = store.tickets.insert({ number: 'A012', groupCode: 'A', businessDate: '2026-11-26' });
    expect(t.id).toMatch(UUIDV7_PATTERN);
    expect(t).toMatchObject({
      number: 'A012',
      groupCode: 'A',
      businessDate: '2026-11-26',
      issuedAt: '2026-11-26T01:00:00.000Z',
      state: 'waiting',
      counterId: null,
      applicantIdIndex: null,
      priority: null,
      calledAt: null,
      recallCount: 0,
    });
    expect(store.tickets.get(t.id)).toEqual(t);
    expect(store.tickets.get('nope')).toBeNull();
  });

  it('keeps only the blind index of the applicant ID number and can match a card against it', () => {
    const t = store.tickets.insert({
      number: 'A001',
      groupCode: 'A',
      businessDate: '2026-11-26',
      applicantIdNumber: SAMPLE_APPLICANT.idNumber,
      priority: 'elderly',
    });
    expect(t.applicantIdIndex).toBe(store.cipher.blindIndex(SAMPLE_APPLICANT.idNumber));
    expect(JSON.stringify(store.db.sql.prepare('SELECT * FROM tickets').all())).not.toContain(SAMPLE_APPLICANT.idNumber);
    expect(store.tickets.applicantMatches(t, ' 11010519491231002x ')).toBe(true);
    expect(store.tickets.applicantMatches(t, '110105194912310037')).toBe(false);
    const plain = store.tickets.insert({ number: 'A002', groupCode: 'A', businessDate: '2026-11-26' });
    expect(store.tickets.applicantMatches(plain, SAMPLE_APPLICANT.idNumber)).toBe(false);
  });

  it('lists the waiting tickets of one day in issue order', () => {
    store.tickets.insert({ number: 'A002', groupCode: 'A', businessDate: '2026-11-26', issuedAt: '2026-11-26T01:05:00.000Z' });
    store.tickets.insert({ number: 'B001', groupCode: 'B', businessDate: '2026-11-26', issuedAt: '2026-11-26T01:01:00.000Z' });
    store.tickets.insert({ number: 'A001', groupCode: 'A', businessDate: '2026-11-25', issuedAt: '2026-11-25T01:00:00.000Z' });
    const done = store.tickets.insert({ number: 'A003', groupCode: 'A', businessDate: '2026-11-26' });
    store.db.sql.prepare("UPDATE tickets SET state = 'done' WHERE id = ?").run(done.id);
    expect(store.tickets.listWaiting('2026-11-26').map((t) => t.number)).toEqual(['B001', 'A002']);
    expect(store.tickets.listWaiting('2026-11-24')).toEqual([]);
  });

  it('refuses the same number twice on one day', () => {
    store.tickets.insert({ number: 'A001', groupCode: 'A', businessDate: '2026-11-26' });
    expect(() => store.tickets.insert({ number: 'A001', groupCode: 'A', businessDate: '2026-11-26' })).toThrow(/UNIQUE/);
  });
});
