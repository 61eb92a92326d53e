import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FieldDecryptError, NotFoundError } from '../errors';
import type { Store } from '../index';
import { memoryStore, SAMPLE_APPLICANT, seedCounterAndClerk, testClock, type TestClock } from '../test-support';
import { UUIDV7_PATTERN } from '../uuidv7';
import { CaseRepository, type NewCase } from './cases';
import { OutboxRepository } from './outbox';
import type { JsonValue } from './rows';

let store: Store;
let clock: TestClock;
let clerkId: string;
let counterId: string;
beforeEach(() => {
  clock = testClock();
  store = memoryStore(clock);
  ({ clerkId, counterId } = seedCounterAndClerk(store));
});
afterEach(() => store.close());

const newCase = (over: Partial<NewCase> = {}): NewCase => ({
  receiptNo: 'HALL01-20261126-C03-0001',
  serviceItemCode: 'S-0001',
  applicant: { ...SAMPLE_APPLICANT },
  counterId,
  clerkUserId: clerkId,
  ...over,
});

const count = (table: string): unknown => store.db.sql.prepare(`SELECT count(*) FROM ${table}`).pluck().get();

describe('CaseRepository.create', () => {
  it('writes the case with decrypted fields readable, its first event and an outbox row', () => {
    const c = store.cases.create(newCase({ state: 'received', tolerated: true, deadline: '2026-12-10' }), clerkId);
    expect(c.id).toMatch(UUIDV7_PATTERN);
    expect(c).toMatchObject({
      receiptNo: 'HALL01-20261126-C03-0001',
      ticketId: null,
      serviceItemCode: 'S-0001',
      state: 'received',
      tolerated: true,
      applicant: SAMPLE_APPLICANT,
      counterId,
      clerkUserId: clerkId,
      createdAt: '2026-11-26T01:00:00.000Z',
      updatedAt: '2026-11-26T01:00:00.000Z',
      deadline: '2026-12-10',
    });
    expect(store.cases.get(c.id)).toEqual(c);
    expect(store.cases.getByReceiptNo(c.receiptNo)).toEqual(c);

    expect(store.cases.events(c.id)).toEqual([
      { id: 1, caseId: c.id, fromState: null, toState: 'received', actorUserId: clerkId, at: c.createdAt, reason: null },
    ]);

    const [entry] = store.outbox.pending();
    expect(entry).toMatchObject({ seq: 1, type: 'case.created', status: 'pending' });
    expect(entry?.payload).toMatchObject({ caseId: c.id, receiptNo: c.receiptNo, state: 'received', actorUserId: clerkId });
  });

  it('defaults to draft, no ticket and optional contact fields absent', () => {
    const c = store.cases.create(
      { receiptNo: 'R-2', serviceItemCode: 'S-0002', applicant: { name: SAMPLE_APPLICANT.name, idNumber: SAMPLE_APPLICANT.idNumber } },
      clerkId,
    );
    expect(c).toMatchObject({ state: 'draft', tolerated: false, counterId: null, clerkUserId: null, deadline: null });
    expect(c.applicant).toEqual({ name: SAMPLE_APPLICANT.name, idNumber: SAMPLE_APPLICANT.idNumber, address: null, phone: null });
  });

  it('keeps every personal field out of clear columns and out of the outbox payload', () => {
    const c = store.cases.create(newCase(), clerkId);
    const row = store.db.sql.prepare('SELECT * FROM cases WHERE id = ?').get(c.id);
    const outbox = store.db.sql.prepare('SELECT * FROM outbox').all();
    const events = store.db.sql.prepare('SELECT * FROM case_events').all();
    const dump = (v: unknown): string =>
      JSON.stringify(v, (_k, x: unknown) => (Buffer.isBuffer(x) ? x.toString('latin1') : x));
    for (const text of [dump(row), dump(outbox), dump(events)]) {
      for (const secret of Object.values(SAMPLE_APPLICANT)) {
        expect(text).not.toContain(secret);
      }
      expect(text.toLowerCase()).not.toContain(SAMPLE_APPLICANT.idNumber.toLowerCase());
    }
  });

  it('refuses a duplicate receipt number and leaves nothing behind', () => {
    store.cases.create(newCase(), clerkId);
    expect(() => store.cases.create(newCase(), clerkId)).toThrow(/UNIQUE/);
    expect([count('cases'), count('case_events'), count('outbox')]).toEqual([1, 1, 1]);
  });
});

describe('atomicity', () => {
  it('rolls back the case and its event when the outbox insert fails (database fault)', () => {
    store.db.sql.exec(
      "CREATE TEMP TRIGGER outbox_fault BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'injected outbox failure'); END",
    );
    expect(() => store.cases.create(newCase(), clerkId)).toThrow('injected outbox failure');
    expect([count('cases'), count('case_events'), count('outbox')]).toEqual([0, 0, 0]);
    expect(store.cases.findByApplicantId(SAMPLE_APPLICANT.idNumber)).toEqual([]);

    store.db.sql.exec('DROP TRIGGER temp.outbox_fault');
    const c = store.cases.create(newCase(), clerkId);
    expect(store.outbox.pending().map((e) => e.seq)).toEqual([1]); // no gap from the failed attempt
    expect(store.cases.events(c.id)).toHaveLength(1);
  });

  it('rolls back the case and its event when the outbox append throws (code fault)', () => {
    class FailingOutbox extends OutboxRepository {
      override append(): never {
        throw new Error('outbox unavailable');
      }
    }
    const cases = new CaseRepository(store.db, store.cipher, clock, new FailingOutbox(store.db, clock));
    expect(() => cases.create(newCase(), clerkId)).toThrow('outbox unavailable');
    expect([count('cases'), count('case_events'), count('outbox')]).toEqual([0, 0, 0]);
  });

  it('rolls back a transition (state and event) when its outbox insert fails', () => {
    const c = store.cases.create(newCase({ state: 'received' }), clerkId);
    store.db.sql.exec(
      "CREATE TEMP TRIGGER outbox_fault BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'injected outbox failure'); END",
    );
    clock.advance(1_000);
    expect(() => store.cases.transition(c.id, 'accepted', clerkId, null)).toThrow('injected outbox failure');
    expect(store.cases.get(c.id)).toEqual(c);
    expect(store.cases.events(c.id)).toHaveLength(1);
    expect(count('outbox')).toBe(1);
  });
});

describe('CaseRepository.findByApplicantId', () => {
  it('finds the applicant’s cases through the blind index, whatever the spelling, newest first', () => {
    const first = store.cases.create(newCase({ receiptNo: 'R-1' }), clerkId);
    clock.advance(60_000);
    store.cases.create(
      newCase({ receiptNo: 'R-2', applicant: { name: '测试丙', idNumber: '110105194912310037' } }),
      clerkId,
    );
    clock.advance(60_000);
    const third = store.cases.create(newCase({ receiptNo: 'R-3' }), clerkId);

    for (const spelling of [SAMPLE_APPLICANT.idNumber, ' 110105 19491231002x ']) {
      expect(store.cases.findByApplicantId(spelling).map((c) => c.id)).toEqual([third.id, first.id]);
    }
    expect(store.cases.findByApplicantId('110105194912310037').map((c) => c.applicant?.name)).toEqual(['测试丙']);
    expect(store.cases.findByApplicantId('000000000000000000')).toEqual([]);
  });
});

describe('CaseRepository.transition', () => {
  it('updates the state, appends an event and an outbox row, and reports what it did', () => {
    const c = store.cases.create(newCase({ state: 'received' }), clerkId);
    clock.advance(90_000);
    const t = store.cases.transition(c.id, 'correction', clerkId, '缺少材料清单第2项');
    expect(t).toEqual({
      caseId: c.id,
      from: 'received',
      to: 'correction',
      at: '2026-11-26T01:01:30.000Z',
      eventId: 2,
      outboxSeq: 2,
    });
    expect(store.cases.get(c.id)).toMatchObject({ state: 'correction', updatedAt: t.at, createdAt: c.createdAt });
    expect(store.cases.events(c.id).map((e) => [e.fromState, e.toState, e.reason])).toEqual([
      [null, 'received', null],
      ['received', 'correction', '缺少材料清单第2项'],
    ]);
    const payload: JsonValue | undefined = store.outbox.get(2)?.payload;
    expect(payload).toEqual({
      caseId: c.id,
      receiptNo: c.receiptNo,
      from: 'received',
      to: 'correction',
      actorUserId: clerkId,
      at: t.at,
      reason: '缺少材料清单第2项',
    });
  });

  it('records any transition it is given (rules live in the domain module)', () => {
    const c = store.cases.create(newCase({ state: 'archived' }), clerkId);
    expect(store.cases.transition(c.id, 'draft', 'u-tech').to).toBe('draft');
  });

  it('reports an unknown case and writes nothing', () => {
    expect(() => store.cases.transition('missing', 'accepted', clerkId)).toThrow(NotFoundError);
    expect([count('case_events'), count('outbox')]).toEqual([0, 0]);
  });
});

describe('encrypted fields are bound to their row and column', () => {
  it('fails to decrypt a name copied to another case or moved to another column', () => {
    const a = store.cases.create(newCase({ receiptNo: 'R-A' }), clerkId);
    const b = store.cases.create(newCase({ receiptNo: 'R-B', applicant: { name: '测试丙', idNumber: '110105194912310037' } }), clerkId);
    store.db.sql
      .prepare('UPDATE cases SET applicant_name_enc = (SELECT applicant_name_enc FROM cases WHERE id = ?) WHERE id = ?')
      .run(a.id, b.id);
    expect(() => store.cases.get(b.id)).toThrow(FieldDecryptError);

    store.db.sql.prepare('UPDATE cases SET applicant_address_enc = applicant_name_enc WHERE id = ?').run(a.id);
    expect(() => store.cases.get(a.id)).toThrow(FieldDecryptError);
  });

  it('returns applicant null once the personal fields were purged', () => {
    const c = store.cases.create(newCase(), clerkId);
    store.db.sql
      .prepare(
        `UPDATE cases SET applicant_name_enc = NULL, applicant_id_enc = NULL, applicant_id_index = NULL,
           applicant_address_enc = NULL, applicant_phone_enc = NULL WHERE id = ?`,
      )
      .run(c.id);
    expect(store.cases.get(c.id)?.applicant).toBeNull();
    expect(store.cases.findByApplicantId(SAMPLE_APPLICANT.idNumber)).toEqual([]);
  });
});
