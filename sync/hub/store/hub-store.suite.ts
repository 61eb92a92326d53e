/**
 * The one behaviour suite every HubStore adapter must pass (sqlite.test.ts, postgres.test.ts).
 * A target is one database; each `open()` is another store instance on it, standing in for another
 * hub process. Synthetic data only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../../main/store/uuidv7';
import type { Mutation } from '../../protocol';
import { contentHash } from './plan';
import { HubStoreError, type Bucket, type Change, type HubChangeEvent, type HubStore, type HubStoreHooks, type PushResult } from './types';

export interface HubStoreTarget {
  /** A new store instance on this target's database (the first call creates it). */
  open(options?: { hooks?: HubStoreHooks }): Promise<HubStore>;
  /** Writes this content into the (not yet opened) database at hub schema 5, as a hub before schema 6 left it. */
  seedSchema5(content: Schema5Hub): Promise<void>;
  /** Removes the database; every store is closed before. */
  cleanup?(): Promise<void>;
}

/**
 * A hub as schema 5 stored it: every seq in the ledger (applied ones too), a content hash on every
 * mutation, and one hall_cases row per case.* mutation carrying a copy of it.
 */
export interface Schema5Hub {
  epoch: string;
  console: { consoleId: string; publicKey: string; lastApplied: number; hallId: string | null; registeredAt: string };
  mutations: { mutationId: string; consoleId: string; seq: number; schemaVersion: number; hlc: string; type: string; payload: string; contentHash: string; appliedAt: string }[];
  ledger: { consoleId: string; seq: number; mutationId: string | null; outcome: 'applied' | 'duplicate' | 'rejected'; reason: string | null }[];
  /** server_seq is given (the change log's AUTOINCREMENT / sequence is left after the last). */
  changes: { serverSeq: number; bucket: Bucket; op: 'put' | 'delete'; key: string; value: string | null; createdAt: string; tag: string; hallId: string | null }[];
}

let clock = Date.parse('2026-11-26T01:00:00.000Z');
function mutation(seq: number, over: Partial<Mutation> = {}): Mutation {
  clock += 1;
  const caseId = `case-${seq}`;
  return {
    seq,
    mutationId: uuidv7(new Date(clock)),
    schemaVersion: 6,
    hlc: `${String(clock).padStart(15, '0')}-000000`,
    type: 'case.created',
    payload: { caseId, receiptNo: `C03-20261126-${String(seq).padStart(4, '0')}`, state: 'accepted' },
    ...over,
  };
}
const batch = (from: number, to: number, over: Partial<Mutation> = {}): Mutation[] => Array.from({ length: to - from + 1 }, (_, i) => mutation(from + i, over));
const statuses = (results: PushResult[]): string[] => results.map((r) => `${r.seq}:${r.status}`);

async function allChanges(store: HubStore, bucket: Bucket): Promise<Change[]> {
  const out: Change[] = [];
  let cursor = 0;
  for (;;) {
    const page = await store.changesSince(bucket, cursor, 5000);
    out.push(...page.changes);
    cursor = page.cursor;
    if (!page.hasMore) return out;
  }
}

async function waitFor(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof HubStoreError) return err.code;
    throw err;
  }
  throw new Error('expected a HubStoreError');
}

export function describeHubStore(name: string, factory: () => Promise<HubStoreTarget> | HubStoreTarget): void {
  describe(`HubStore: ${name}`, () => {
    let target: HubStoreTarget | null = null;
    const opened: HubStore[] = [];

    async function open(options?: { hooks?: HubStoreHooks }): Promise<HubStore> {
      target ??= await factory();
      const store = await target.open(options);
      opened.push(store);
      return store;
    }
    async function fresh(...consoles: string[]): Promise<HubStore> {
      const store = await open();
      for (const c of consoles) await store.registerConsole(c, `ed25519:${c}`);
      return store;
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
      await target?.cleanup?.();
      target = null;
    });

    it('applies a batch in seq order, bumps lastApplied and logs case mutations to hall_cases', async () => {
      const store = await fresh('C03');
      expect(await store.lastApplied('C03')).toBe(0);
      const sent = [mutation(3), mutation(1), mutation(2)];
      const out = await store.applyPush('C03', sent);
      expect(statuses(out.results)).toEqual(['1:applied', '2:applied', '3:applied']);
      expect(out).toMatchObject({ expectedSeq: 4, gap: null });
      expect(await store.lastApplied('C03')).toBe(3);
      const stored = await store.getMutation(sent[0]!.mutationId);
      expect(stored).toMatchObject({ ...sent[0], consoleId: 'C03' });
      const log = await allChanges(store, 'hall_cases');
      expect(log.map((c) => c.key)).toEqual([sent[1]!.mutationId, sent[2]!.mutationId, sent[0]!.mutationId]);
      expect(log[0]!.value).toMatchObject({ consoleId: 'C03', seq: 1, type: 'case.created', payload: sent[1]!.payload });
      // A mutation of no bucket is applied but not logged.
      const ticket = await store.applyPush('C03', [mutation(4, { type: 'ticket.issued', payload: { id: 't1' } })]);
      expect(statuses(ticket.results)).toEqual(['4:applied']);
      expect(await allChanges(store, 'hall_cases')).toHaveLength(3);
    });

    it('acks seq <= lastApplied as duplicate and applies nothing twice', async () => {
      const store = await fresh('C03');
      const first = batch(1, 3);
      await store.applyPush('C03', first);
      const again = await store.applyPush('C03', [...first.slice(1), mutation(4)]);
      expect(statuses(again.results)).toEqual(['2:duplicate', '3:duplicate', '4:applied']);
      expect(again.expectedSeq).toBe(5);
      const twice = await store.applyPush('C03', [first[0]!, first[0]!]);
      expect(statuses(twice.results)).toEqual(['1:duplicate', '1:duplicate']);
      expect(await allChanges(store, 'hall_cases')).toHaveLength(4);
    });

    it('stops at a gap and answers the expected seq; nothing after the gap is applied', async () => {
      const store = await fresh('C03');
      await store.applyPush('C03', [mutation(1)]);
      const gap = await store.applyPush('C03', [mutation(3), mutation(4)]);
      expect(gap).toEqual({ results: [], expectedSeq: 2, gap: { seq: 3, expectedSeq: 2 } });
      const partial = await store.applyPush('C03', [mutation(2), mutation(4), mutation(5)]);
      expect(statuses(partial.results)).toEqual(['2:applied']);
      expect(partial.gap).toEqual({ seq: 4, expectedSeq: 3 });
      expect(await store.lastApplied('C03')).toBe(2);
      const resent = await store.applyPush('C03', batch(3, 5));
      expect(statuses(resent.results)).toEqual(['3:applied', '4:applied', '5:applied']);
      expect(await allChanges(store, 'hall_cases')).toHaveLength(5);
    });

    it('quarantines invalid mutations, acks them rejected with a reason, and moves the seq on', async () => {
      const store = await fresh('C03');
      const badId = { ...mutation(2), mutationId: 'not-a-uuid' };
      const ruleBreaker = mutation(3, { payload: { caseId: 'c3', fee: -1 } });
      const crashes = mutation(4, { payload: { caseId: 'c4', crash: true } });
      const nulType = mutation(5, { type: 'case.\u0000created' });
      const nulPayload = mutation(6, { payload: { caseId: 'c6', note: 'a\u0000b\ud800' } });
      const validate = (m: Mutation): string | null => {
        const p = m.payload as { fee?: number; crash?: boolean };
        if (p.crash) throw new Error('boom');
        return typeof p.fee === 'number' && p.fee < 0 ? 'fee must not be negative' : null;
      };
      const out = await store.applyPush('C03', [mutation(1), badId, ruleBreaker, crashes, nulType, nulPayload, { seq: 7, junk: [1, { x: null }] }, mutation(8)], {
        validate,
      });
      expect(statuses(out.results)).toEqual(['1:applied', '2:rejected', '3:rejected', '4:rejected', '5:rejected', '6:applied', '7:rejected', '8:applied']);
      const reasons = out.results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      expect(reasons[0]).toMatch(/^schema: mutationId/);
      expect(reasons[1]).toBe('fee must not be negative');
      expect(reasons[2]).toBe('validator failed: boom');
      expect(reasons[3]).toMatch(/^schema:/);
      expect(reasons[4]).toMatch(/^schema:/);
      expect(out.expectedSeq).toBe(9);
      expect(await store.lastApplied('C03')).toBe(8);
      expect((await store.getMutation(nulPayload.mutationId))?.payload).toEqual(nulPayload.payload);

      const q = await store.listQuarantine({ consoleId: 'C03' });
      expect(q.map((r) => r.seq)).toEqual([2, 3, 4, 5, 7]);
      expect(q[0]).toMatchObject({ consoleId: 'C03', mutationId: null, type: 'case.created', raw: badId, reason: reasons[0] });
      expect(q[1]).toMatchObject({ mutationId: ruleBreaker.mutationId, raw: ruleBreaker });
      expect(q[3]!.type).toBeNull();
      expect(q[4]!.raw).toEqual({ seq: 7, junk: [1, { x: null }] });
      expect(await store.listQuarantine({ afterId: q[3]!.id })).toEqual([q[4]]);
      expect(await store.listQuarantine({ consoleId: 'C05' })).toEqual([]);

      // The ack was lost: the console pushes the same rejected mutation again and learns the same thing.
      const replay = await store.applyPush('C03', [ruleBreaker], { validate });
      expect(replay.results).toEqual([{ seq: 3, status: 'rejected', reason: 'fee must not be negative' }]);
      expect(await store.listQuarantine()).toHaveLength(5);
      expect(await allChanges(store, 'hall_cases')).toHaveLength(3);
    });

    it('dedupes by mutationId across seqs and consoles; other content under a used mutationId is quarantined', async () => {
      const store = await fresh('C03', 'C05');
      const m = mutation(1);
      await store.applyPush('C03', [m]);
      // The console was reset and renumbered its outbox: the same mutation comes back under seq 2.
      const renumbered = await store.applyPush('C03', [{ ...m, seq: 2 }, mutation(3)]);
      expect(statuses(renumbered.results)).toEqual(['2:duplicate', '3:applied']);
      expect(await store.lastApplied('C03')).toBe(3);
      // A cloned console replays it: same content → duplicate; other content → quarantined.
      const clone = await store.applyPush('C05', [{ ...m, seq: 1 }, { ...m, seq: 2, payload: { caseId: 'forged' } }]);
      expect(statuses(clone.results)).toEqual(['1:duplicate', '2:rejected']);
      expect(clone.results[1]).toMatchObject({ reason: expect.stringContaining('mutation_id_reused') });
      // The same mutation twice in one batch.
      const n = mutation(3);
      const inBatch = await store.applyPush('C05', [n, { ...n, seq: 4 }]);
      expect(statuses(inBatch.results)).toEqual(['3:applied', '4:duplicate']);
      expect((await store.getMutation(m.mutationId))?.consoleId).toBe('C03');
      expect(await allChanges(store, 'hall_cases')).toHaveLength(3);
      expect((await store.listQuarantine()).map((q) => [q.consoleId, q.seq])).toEqual([['C05', 2]]);
    });

    it('quarantines another mutation arriving under an already used seq instead of dropping it', async () => {
      const store = await fresh('C03');
      await store.applyPush('C03', [mutation(1)]);
      const stranger = mutation(1);
      const out = await store.applyPush('C03', [stranger]);
      expect(out.results).toEqual([{ seq: 1, status: 'rejected', reason: expect.stringContaining('seq_reused') }]);
      expect(await store.lastApplied('C03')).toBe(1);
      expect((await store.listQuarantine())[0]).toMatchObject({ seq: 1, mutationId: stranger.mutationId });
      expect(await store.getMutation(stranger.mutationId)).toBeNull();
    });

    it('audit heads only move forward: a head going back, or naming a witnessed row with another hash, is quarantined', async () => {
      const store = await fresh('C03', 'C04');
      const hash = (c: string): string => c.repeat(64);
      // The store compares lastId and hash only (the signature is the validator's, sync/hub/audit-head.ts).
      const head = (seq: number, lastId: number, h: string): Mutation =>
        mutation(seq, { type: 'audit.head', payload: { consoleId: 'C03', lastId, hash: hash(h), at: `2026-11-26T01:${String(seq).padStart(2, '0')}:00.000Z`, signature: 's'.repeat(86) } });
      expect(await store.latestAuditHead('C03')).toBeNull();
      expect(statuses((await store.applyPush('C03', [head(1, 52, 'a')])).results)).toEqual(['1:applied']);

      const back = await store.applyPush('C03', [head(2, 40, 'b'), mutation(3)]);
      expect(statuses(back.results)).toEqual(['2:rejected', '3:applied']);
      expect(back.results[0]).toMatchObject({ reason: expect.stringMatching(/^audit_head_regressed: lastId 40 after 52\b/) as unknown });
      const forked = await store.applyPush('C03', [head(4, 52, 'c')]);
      expect(forked.results[0]).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/^audit_head_forked: lastId 52 with hash c{64} after hash a{64}/) as unknown });
      // The same head again under a new mutation, and a head further on: accepted.
      expect(statuses((await store.applyPush('C03', [head(5, 52, 'a'), head(6, 53, 'd')])).results)).toEqual(['5:applied', '6:applied']);

      // Two heads in one batch compare with each other in seq order (sent out of order here).
      const pair = await store.applyPush('C03', [head(8, 55, 'f'), head(7, 60, 'e')]);
      expect(statuses(pair.results)).toEqual(['7:applied', '8:rejected']);
      expect(pair.results[1]).toMatchObject({ reason: expect.stringMatching(/^audit_head_regressed: lastId 55 after 60\b/) as unknown });
      // A head with no lastId is refused too (the store cannot compare it).
      const shapeless = await store.applyPush('C03', [mutation(9, { type: 'audit.head', payload: { hash: hash('g') } })]);
      expect(shapeless.results[0]).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/^audit_head: payload/) as unknown });

      expect(await store.latestAuditHead('C03')).toMatchObject({ consoleId: 'C03', lastId: 60, hash: hash('e'), at: '2026-11-26T01:07:00.000Z', seq: 7 });
      // Quarantined, never dropped: each refused head is kept as received.
      const q = await store.listQuarantine({ consoleId: 'C03' });
      expect(q.map((r) => [r.seq, r.reason.split(':')[0]])).toEqual([
        [2, 'audit_head_regressed'],
        [4, 'audit_head_forked'],
        [8, 'audit_head_regressed'],
        [9, 'audit_head'],
      ]);
      expect(q[0]!.raw).toMatchObject({ type: 'audit.head', payload: { lastId: 40 } });

      // Another hub process on the same database compares with the same witnessed head; other consoles are apart.
      const other = await open();
      const late = await other.applyPush('C03', [head(10, 59, 'h')]);
      expect(late.results[0]).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/^audit_head_regressed: lastId 59 after 60\b/) as unknown });
      expect(statuses((await other.applyPush('C04', [mutation(1, { type: 'audit.head', payload: { consoleId: 'C04', lastId: 3, hash: hash('0') } })])).results)).toEqual(['1:applied']);
      expect(await other.latestAuditHead('C04')).toMatchObject({ lastId: 3, at: null });
      expect(await store.lastApplied('C03')).toBe(10);
    });

    it('keeps a registry of consoles and refuses unknown or revoked ones without writing', async () => {
      const store = await open();
      expect(await refusal(store.applyPush('C09', [mutation(1)]))).toBe('console_unknown');
      const rec = await store.registerConsole('C09', 'ed25519:k1');
      expect(rec).toMatchObject({ consoleId: 'C09', publicKey: 'ed25519:k1', status: 'active', lastApplied: 0, revokedAt: null });
      expect(await store.registerConsole('C09', '-----BEGIN PUBLIC KEY-----\nk2\n-----END PUBLIC KEY-----\n')).toMatchObject({ status: 'active' });
      expect(await refusal(store.applyPush('C09', [{ seq: 0 }]))).toBe('bad_batch');
      expect(await refusal(store.applyPush('', [mutation(1)]))).toBe('bad_console_id');
      await store.applyPush('C09', [mutation(1)]);
      expect(await store.revokeConsole('C09')).toBe(true);
      expect(await store.revokeConsole('C09')).toBe(false);
      expect(await store.revokeConsole('C10')).toBe(false);
      expect(await store.getConsole('C09')).toMatchObject({ status: 'revoked', lastApplied: 1, revokedAt: expect.any(String) });
      expect(await store.getConsole('C10')).toBeNull();
      expect(await refusal(store.applyPush('C09', [mutation(2)]))).toBe('console_revoked');
      expect(await refusal(store.registerConsole('C09', 'ed25519:k3'))).toBe('console_revoked');
      expect(await store.lastApplied('C09')).toBe(1);
      expect(await allChanges(store, 'hall_cases')).toHaveLength(1);
    });

    it('enrollment codes: single use, counted wrong tries, expiry, replacement, revoked consoles refused', async () => {
      const store = await open();
      const hashOf = (code: string): string => `test-hash:${code}:0123456789`;
      const checkFor = (code: string) => (stored: string) => stored === hashOf(code);
      const inOneHour = new Date(Date.now() + 3_600_000).toISOString();
      const created = await store.createEnrollment({ consoleId: 'C21', role: 'clerk', counter: 3, hall: '市民中心', codeHash: hashOf('AAAAA'), expiresAt: inOneHour });
      expect(created).toEqual({ consoleId: 'C21', role: 'clerk', counter: 3, hall: '市民中心', hallId: null, createdAt: expect.any(String), expiresAt: inOneHour, usedAt: null, attempts: 0 });
      expect(created).not.toHaveProperty('codeHash');

      expect(await store.consumeEnrollment({ consoleId: 'C21', publicKey: 'ed25519:k21', check: checkFor('WRONG') })).toEqual({ ok: false, reason: 'wrong_code', attemptsLeft: 4 });
      expect(await store.getConsole('C21')).toBeNull(); // nothing registered by a wrong code
      // The counted try is committed: another store instance (another hub process) sees it.
      const other = await open();
      expect(await other.consumeEnrollment({ consoleId: 'C21', publicKey: 'ed25519:k21', check: checkFor('WRONG') })).toMatchObject({ ok: false, reason: 'wrong_code', attemptsLeft: 3 });
      const ok = await store.consumeEnrollment({ consoleId: 'C21', publicKey: 'ed25519:k21', check: checkFor('AAAAA') });
      expect(ok).toMatchObject({ ok: true, enrollment: { consoleId: 'C21', role: 'clerk', counter: 3, hall: '市民中心', usedAt: expect.any(String), attempts: 2 }, console: { consoleId: 'C21', publicKey: 'ed25519:k21', status: 'active' } });
      expect(await other.consumeEnrollment({ consoleId: 'C21', publicKey: 'ed25519:evil', check: checkFor('AAAAA') })).toMatchObject({ ok: false, reason: 'used' });
      expect((await store.getConsole('C21'))?.publicKey).toBe('ed25519:k21');

      // A new code for the same console replaces the old one (re-enrollment: the key is replaced).
      await store.createEnrollment({ consoleId: 'C21', role: 'kiosk', counter: null, hall: null, codeHash: hashOf('BBBBB'), expiresAt: inOneHour });
      expect(await store.consumeEnrollment({ consoleId: 'C21', publicKey: 'ed25519:k21b', check: checkFor('AAAAA') })).toMatchObject({ ok: false, reason: 'wrong_code' });
      expect(await store.consumeEnrollment({ consoleId: 'C21', publicKey: 'ed25519:k21b', check: checkFor('BBBBB') })).toMatchObject({ ok: true, enrollment: { role: 'kiosk', counter: null, hall: null } });
      expect((await store.getConsole('C21'))?.publicKey).toBe('ed25519:k21b');

      // Five wrong tries kill the code, also for the right one afterwards.
      await store.createEnrollment({ consoleId: 'C22', role: 'clerk', counter: 4, hall: null, codeHash: hashOf('CCCCC'), expiresAt: inOneHour });
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await store.consumeEnrollment({ consoleId: 'C22', publicKey: 'ed25519:k22', check: checkFor(`X${i}`) }));
      expect(answers.map((a) => (a.ok ? 'ok' : `${a.reason}:${a.attemptsLeft}`))).toEqual(['wrong_code:4', 'wrong_code:3', 'wrong_code:2', 'wrong_code:1', 'locked:0']);
      expect(await store.consumeEnrollment({ consoleId: 'C22', publicKey: 'ed25519:k22', check: checkFor('CCCCC') })).toMatchObject({ ok: false, reason: 'locked' });
      expect(await store.getConsole('C22')).toBeNull();

      // Expired; unknown console; revoked before or after the code was made.
      await store.createEnrollment({ consoleId: 'C23', role: 'clerk', counter: 5, hall: null, codeHash: hashOf('DDDDD'), expiresAt: inOneHour });
      const later = new Date(Date.now() + 3_600_001).toISOString();
      expect(await store.consumeEnrollment({ consoleId: 'C23', publicKey: 'ed25519:k23', check: checkFor('DDDDD'), now: later })).toMatchObject({ ok: false, reason: 'expired' });
      expect(await store.consumeEnrollment({ consoleId: 'C24', publicKey: 'ed25519:k24', check: () => true })).toMatchObject({ ok: false, reason: 'no_enrollment' });
      expect(await store.revokeConsole('C21')).toBe(true);
      expect(await refusal(store.createEnrollment({ consoleId: 'C21', role: 'clerk', counter: 3, hall: null, codeHash: hashOf('EEEEE'), expiresAt: inOneHour }))).toBe('console_revoked');
      await store.createEnrollment({ consoleId: 'C25', role: 'clerk', counter: 6, hall: null, codeHash: hashOf('FFFFF'), expiresAt: inOneHour });
      await store.registerConsole('C25', 'ed25519:k25');
      await store.revokeConsole('C25');
      expect(await store.consumeEnrollment({ consoleId: 'C25', publicKey: 'ed25519:k25b', check: checkFor('FFFFF') })).toMatchObject({ ok: false, reason: 'console_revoked' });
      expect(await store.getConsole('C25')).toMatchObject({ status: 'revoked', publicKey: 'ed25519:k25' });

      // Malformed enrollments are refused before anything is written.
      expect(await refusal(store.createEnrollment({ consoleId: 'C26', role: 'admin' as 'clerk', counter: 1, hall: null, codeHash: hashOf('G'), expiresAt: inOneHour }))).toBe('bad_enrollment');
      expect(await refusal(store.createEnrollment({ consoleId: 'C26', role: 'clerk', counter: 0, hall: null, codeHash: hashOf('G'), expiresAt: inOneHour }))).toBe('bad_enrollment');
      expect(await refusal(store.createEnrollment({ consoleId: '', role: 'clerk', counter: 1, hall: null, codeHash: hashOf('G'), expiresAt: inOneHour }))).toBe('bad_console_id');
      expect(await store.consumeEnrollment({ consoleId: 'C26', publicKey: 'ed25519:k26', check: () => true })).toMatchObject({ ok: false, reason: 'no_enrollment' });
    });

    it('enrollment codes with a hall id put the console in that hall; without one its hall stays', async () => {
      const store = await open();
      const hashOf = (code: string): string => `test-hash:${code}:0123456789`;
      const inOneHour = new Date(Date.now() + 3_600_000).toISOString();
      const made = await store.createEnrollment({ consoleId: 'C31', role: 'supervisor', counter: null, hall: '东区市民中心', hallId: 'east-1', codeHash: hashOf('H1'), expiresAt: inOneHour });
      expect(made).toMatchObject({ hall: '东区市民中心', hallId: 'east-1' });
      expect(await store.consumeEnrollment({ consoleId: 'C31', publicKey: 'ed25519:k31', check: (h) => h === hashOf('H1') })).toMatchObject({
        ok: true,
        enrollment: { hallId: 'east-1' },
        console: { consoleId: 'C31', hallId: 'east-1' },
      });
      // Its first pull is scoped to that hall.
      await store.publish('catalog', [{ op: 'put', key: 'east-only', value: 1 }], { hallId: 'east-1' });
      await store.publish('catalog', [{ op: 'put', key: 'west-only', value: 1 }], { hallId: 'west-2' });
      const hallId = (await store.getConsole('C31'))!.hallId;
      expect((await store.changesSince('catalog', 0, 10, { hallId })).changes.map((c) => c.key)).toEqual(['east-only']);

      // Re-enrolled with a code that names no hall id: the console keeps its hall.
      await store.createEnrollment({ consoleId: 'C31', role: 'supervisor', counter: null, hall: null, codeHash: hashOf('H2'), expiresAt: inOneHour });
      expect(await store.consumeEnrollment({ consoleId: 'C31', publicKey: 'ed25519:k31b', check: (h) => h === hashOf('H2') })).toMatchObject({ ok: true, console: { hallId: 'east-1' } });
      // Moved by a code with another hall id.
      await store.createEnrollment({ consoleId: 'C31', role: 'supervisor', counter: null, hall: null, hallId: 'west-2', codeHash: hashOf('H3'), expiresAt: inOneHour });
      expect(await store.consumeEnrollment({ consoleId: 'C31', publicKey: 'ed25519:k31c', check: (h) => h === hashOf('H3') })).toMatchObject({ ok: true, console: { hallId: 'west-2' } });
      expect(await refusal(store.createEnrollment({ consoleId: 'C32', role: 'kiosk', counter: null, hall: null, hallId: 'no spaces', codeHash: hashOf('H4'), expiresAt: inOneHour }))).toBe('bad_enrollment');
    });

    it('enrollment codes: two hub processes consuming one code at once register exactly one key', async () => {
      const a = await open();
      const b = await open();
      await a.createEnrollment({ consoleId: 'C31', role: 'clerk', counter: 1, hall: null, codeHash: 'test-hash:race:0123456789', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a : b).consumeEnrollment({ consoleId: 'C31', publicKey: `ed25519:race${i}`, check: (h) => h === 'test-hash:race:0123456789' })),
      );
      const winners = answers.filter((x) => x.ok);
      expect(winners).toHaveLength(1);
      expect(answers.filter((x) => !x.ok).every((x) => !x.ok && x.reason === 'used')).toBe(true);
      const key = winners[0]!.ok ? winners[0]!.console.publicKey : '';
      expect((await a.getConsole('C31'))?.publicKey).toBe(key);
    });

    it('orders the change log by serverSeq across buckets and pages through it with cursors', async () => {
      const store = await fresh('C03');
      const cat1 = await store.publish('catalog', [
        { op: 'put', key: 'item:1', value: { name: '不动产转移登记' } },
        { op: 'put', key: 'item:2', value: { name: '个体工商户设立' } },
        { op: 'put', key: 'item:3', value: { name: '居住证办理' } },
      ]);
      await store.applyPush('C03', batch(1, 2));
      const cal = await store.publish('calendar', [{ op: 'put', key: '2027', value: { holidays: ['2027-01-01'] } }]);
      const cat2 = await store.publish('catalog', [{ op: 'delete', key: 'item:2' }]);
      expect(cat2).toEqual([{ serverSeq: expect.any(Number), op: 'delete', key: 'item:2' }]);

      const catalog = await allChanges(store, 'catalog');
      expect(catalog).toEqual([...cat1, ...cat2]);
      const seqs = [...catalog, ...cal, ...(await allChanges(store, 'hall_cases'))].map((c) => c.serverSeq);
      expect(new Set(seqs).size).toBe(7);
      expect(cat1[2]!.serverSeq).toBeLessThan(cal[0]!.serverSeq);
      expect(cal[0]!.serverSeq).toBeLessThan(cat2[0]!.serverSeq);

      const tag = expect.stringMatching(/^[A-Za-z0-9_-]{8}$/);
      const p1 = await store.changesSince('catalog', 0, 2);
      expect(p1).toEqual({ changes: cat1.slice(0, 2), cursor: cat1[1]!.serverSeq, hasMore: true, cursorTag: tag });
      const p2 = await store.changesSince('catalog', p1.cursor, 2);
      expect(p2).toEqual({ changes: [cat1[2], cat2[0]], cursor: cat2[0]!.serverSeq, hasMore: false, cursorTag: tag });
      expect(p2.cursorTag).not.toBe(p1.cursorTag);
      // changeAt: the change at a serverSeq of that bucket, with the tag its page reported.
      expect(await store.changeAt('catalog', p2.cursor)).toEqual({ tag: p2.cursorTag });
      expect(await store.changeAt('calendar', p2.cursor)).toBeNull();
      expect(await store.changeAt('catalog', p2.cursor + 1000)).toBeNull();
      expect(await store.changesSince('catalog', p2.cursor)).toEqual({ changes: [], cursor: p2.cursor, hasMore: false });
      expect(await store.changesSince('credit', 0)).toEqual({ changes: [], cursor: 0, hasMore: false });

      expect(await refusal(store.publish('hall_cases' as 'catalog', [{ op: 'put', key: 'x' }]))).toBe('bad_change');
      expect(await refusal(store.publish('catalog', [{ op: 'put', key: 'ok' }, { op: 'put', key: '' }]))).toBe('bad_change');
      expect(await refusal(store.publish('catalog', [{ op: 'put', key: 'k', value: () => 1 }]))).toBe('bad_change');
      expect(await refusal(store.changesSince('catalog', -1))).toBe('bad_cursor');
      expect(await allChanges(store, 'catalog')).toHaveLength(4);
    });

    it('rolls a failed write back completely', async () => {
      let failNext = true;
      const hooks: HubStoreHooks = {
        beforeCommit: (op) => {
          if (failNext && op !== 'registerConsole') {
            throw new Error(`crash before commit of ${op}`);
          }
        },
      };
      const store = await open({ hooks });
      await store.registerConsole('C03', 'k');
      const epoch = await store.epoch();
      await expect(store.applyPush('C03', [mutation(1), { seq: 2, bad: true }])).rejects.toThrow('crash before commit of applyPush');
      await expect(store.publish('catalog', [{ op: 'put', key: 'a' }])).rejects.toThrow('crash before commit of publish');
      await expect(store.newEpoch()).rejects.toThrow('crash before commit');
      await expect(store.revokeConsole('C03')).rejects.toThrow('crash before commit');
      expect(await store.lastApplied('C03')).toBe(0);
      expect(await store.listQuarantine()).toEqual([]);
      expect(await allChanges(store, 'hall_cases')).toEqual([]);
      expect(await allChanges(store, 'catalog')).toEqual([]);
      expect(await store.epoch()).toBe(epoch);
      expect((await store.getConsole('C03'))?.status).toBe('active');
      failNext = false;
      expect(statuses((await store.applyPush('C03', [mutation(1), { seq: 2, bad: true }])).results)).toEqual(['1:applied', '2:rejected']);
    });

    it('applies concurrent pushes from two consoles, each exactly once', async () => {
      const store = await fresh('C03', 'C05');
      const pushAll = async (consoleId: string): Promise<PushResult[]> => {
        const results: PushResult[] = [];
        for (let b = 0; b < 10; b++) results.push(...(await store.applyPush(consoleId, batch(b * 20 + 1, b * 20 + 20))).results);
        return results;
      };
      const [a, b] = await Promise.all([pushAll('C03'), pushAll('C05')]);
      expect(a.every((r) => r.status === 'applied') && b.every((r) => r.status === 'applied')).toBe(true);
      expect(await store.lastApplied('C03')).toBe(200);
      expect(await store.lastApplied('C05')).toBe(200);
      const log = await allChanges(store, 'hall_cases');
      expect(log).toHaveLength(400);
      expect(log.every((c, i) => i === 0 || c.serverSeq > log[i - 1]!.serverSeq)).toBe(true);
    });

    it('two stores on one database: one console pushing through both applies each mutation once', async () => {
      const one = await fresh('C03');
      const two = await open();
      const mutations = batch(1, 120);
      const chunks = Array.from({ length: 12 }, (_, i) => mutations.slice(i * 10, i * 10 + 10));
      // Both hub processes receive every batch (a retry after a lost ack), interleaved.
      const [r1, r2] = await Promise.all([
        (async () => (await Promise.all(chunks.map((c) => one.applyPush('C03', c)))).flatMap((o) => o.results))(),
        (async () => (await Promise.all(chunks.map((c) => two.applyPush('C03', c)))).flatMap((o) => o.results))(),
      ]);
      // Concurrent batches may arrive after a gap; the console would resend. Finish like it would.
      for (let next = (await one.lastApplied('C03')) + 1; next <= 120; next = (await one.lastApplied('C03')) + 1) {
        await two.applyPush('C03', mutations.slice(next - 1));
      }
      const applied = [...r1, ...r2].filter((r) => r.status === 'applied').map((r) => r.seq);
      expect(new Set(applied).size).toBe(applied.length);
      expect([...r1, ...r2].some((r) => r.status === 'rejected')).toBe(false);
      expect(await two.lastApplied('C03')).toBe(120);
      const log = await allChanges(one, 'hall_cases');
      expect(log.map((c) => c.key).sort()).toEqual(mutations.map((m) => m.mutationId).sort());
    });

    it('scopes buckets by hall: reference data for one hall or every hall, hall_cases only of the same hall', async () => {
      const store = await fresh('A1', 'A2', 'B1', 'N1');
      expect(await store.setConsoleHall('A1', 'hall-a')).toBe(true);
      expect(await store.setConsoleHall('A2', 'hall-a')).toBe(true);
      expect(await store.setConsoleHall('B1', 'hall-b')).toBe(true);
      expect(await store.setConsoleHall('ZZ', 'hall-b')).toBe(false);
      expect(await refusal(store.setConsoleHall('A1', 'hall a'))).toBe('bad_hall_id');
      expect(await store.getConsole('A1')).toMatchObject({ hallId: 'hall-a' });
      expect(await store.getConsole('N1')).toMatchObject({ hallId: null });
      await store.publish('catalog', [{ op: 'put', key: 'all', value: 1 }]);
      await store.publish('catalog', [{ op: 'put', key: 'only-a', value: 2 }], { hallId: 'hall-a' });
      await store.publish('catalog', [{ op: 'put', key: 'only-b', value: 3 }], { hallId: 'hall-b' });
      expect(await refusal(store.publish('catalog', [{ op: 'put', key: 'x', value: 1 }], { hallId: '' }))).toBe('bad_hall_id');
      for (const c of ['A1', 'B1', 'N1']) await store.applyPush(c, batch(1, 1));
      const keys = async (bucket: 'catalog' | 'hall_cases', hallId: string | null) => (await store.changesSince(bucket, 0, 100, { hallId })).changes.map((c) => c.key);
      expect(await keys('catalog', 'hall-a')).toEqual(['all', 'only-a']);
      expect(await keys('catalog', 'hall-b')).toEqual(['all', 'only-b']);
      expect(await keys('catalog', null)).toEqual(['all']);
      expect((await store.changesSince('catalog', 0, 100)).changes.map((c) => c.key)).toEqual(['all', 'only-a', 'only-b']); // the operator's view
      const consoleOf = async (hallId: string | null) =>
        (await store.changesSince('hall_cases', 0, 100, { hallId })).changes.map((c) => (c.value as { consoleId: string }).consoleId);
      expect(await consoleOf('hall-a')).toEqual(['A1']);
      expect(await consoleOf('hall-b')).toEqual(['B1']);
      expect(await consoleOf(null)).toEqual(['N1']);
    });

    it('two stores on one database: a hello seen through one is a replay through the other; old ones are forgotten', async () => {
      const one = await fresh('C03');
      const two = await open();
      const H = 3_600_000;
      const t0 = Date.parse('2026-11-26T02:00:00.000Z');
      const at = new Date(t0).toISOString();
      const both = await Promise.all([one.rememberHello('C03', at, t0, t0, 72 * H), two.rememberHello('C03', at, t0, t0, 72 * H)]);
      expect(both.sort()).toEqual([false, true]);
      expect(await one.rememberHello('C03', at, t0, t0 + H, 72 * H)).toBe(false);
      expect(await two.rememberHello('C05', at, t0, t0, 72 * H)).toBe(true); // another console, same time
      // Beyond the window the entry is dropped (the hub's skew check refuses such a hello anyway).
      expect(await two.rememberHello('C03', at, t0, t0 + 73 * H, 72 * H)).toBe(true);
    });

    it('two stores on one database: serverSeq unique and increasing, cursors never skip, changes reach the other store', async () => {
      const a = await fresh('C03');
      const b = await open();
      const seenByB: HubChangeEvent[] = [];
      const seenByA: HubChangeEvent[] = [];
      b.onChange((e) => seenByB.push(e));
      const unsubscribeA = a.onChange((e) => seenByA.push(e));

      await a.publish('calendar', [{ op: 'put', key: '2027', value: { holidays: [] } }]);
      await waitFor(() => seenByB.some((e) => e.buckets.includes('calendar')), 'the other store to hear of the calendar change');
      expect(seenByB.find((e) => e.buckets.includes('calendar'))).toMatchObject({ origin: 'other', buckets: ['calendar'] });
      await waitFor(() => seenByA.length > 0, 'the own commit event');
      expect(seenByA[0]).toMatchObject({ origin: 'self', buckets: ['calendar'] });

      // Writers on both stores, a reader following one cursor on b while they write.
      let writing = true;
      const read: Change[] = [];
      const reader = (async () => {
        let cursor = 0;
        for (;;) {
          const done = !writing;
          const page = await b.changesSince('catalog', cursor, 7);
          read.push(...page.changes);
          cursor = page.cursor;
          if (done && !page.hasMore) return;
          if (!page.hasMore) await new Promise((r) => setTimeout(r, 1));
        }
      })();
      const writer = (store: HubStore, tag: string) =>
        Promise.all(Array.from({ length: 15 }, (_, i) => store.publish('catalog', [{ op: 'put', key: `${tag}:${i}:x` }, { op: 'put', key: `${tag}:${i}:y` }])));
      const [fromA, fromB] = await Promise.all([writer(a, 'a'), writer(b, 'b'), a.applyPush('C03', batch(1, 5))]);
      writing = false;
      await reader;

      const all = await allChanges(a, 'catalog');
      expect(all).toHaveLength(60);
      expect(read).toEqual(all);
      const seqs = all.map((c) => c.serverSeq);
      expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!)).toBe(true);
      expect(new Set([...fromA.flat(), ...fromB.flat()].map((c) => c.serverSeq)).size).toBe(60);
      // One publish is contiguous in the log: nobody else appends in between.
      for (const out of [...fromA, ...fromB]) expect(out[1]!.serverSeq).toBe(out[0]!.serverSeq + 1);

      await waitFor(() => seenByB.some((e) => e.origin === 'other' && e.buckets.includes('hall_cases')), 'the other store to hear of the push');
      await waitFor(() => seenByB.some((e) => e.origin === 'self' && e.buckets.includes('catalog')), 'own catalog events on b');
      await waitFor(() => Math.max(...seenByB.map((e) => e.serverSeq)) >= Math.max(...seqs), 'b to hear of the last change');
      unsubscribeA();
      const before = seenByA.length;
      await b.publish('users', [{ op: 'put', key: 'u1' }]);
      await new Promise((r) => setTimeout(r, 50));
      expect(seenByA.length).toBe(before);
    });

    it('keeps everything across a reopen, and a new epoch only when asked', async () => {
      const first = await fresh('C03');
      const epoch = await first.epoch();
      expect(epoch).toMatch(/^[\w-]{8,64}$/);
      const sent = [...batch(1, 3), { seq: 4, broken: true }];
      await first.applyPush('C03', sent);
      const published = await first.publish('credit', [{ op: 'put', key: 'h:abc', value: { measures: ['no_tolerance'] } }]);
      const quarantined = await first.listQuarantine();
      const cases = await allChanges(first, 'hall_cases');
      await first.close();
      opened.splice(opened.indexOf(first), 1);

      const again = await open();
      expect(await again.epoch()).toBe(epoch);
      expect(await again.lastApplied('C03')).toBe(4);
      expect(await again.getConsole('C03')).toMatchObject({ publicKey: 'ed25519:C03', status: 'active' });
      expect(await again.listQuarantine()).toEqual(quarantined);
      expect(await allChanges(again, 'hall_cases')).toEqual(cases);
      expect(await allChanges(again, 'credit')).toEqual(published);
      expect(statuses((await again.applyPush('C03', [...sent.slice(2), mutation(5)])).results)).toEqual(['3:duplicate', '4:rejected', '5:applied']);
      const later = await again.publish('credit', [{ op: 'delete', key: 'h:abc' }]);
      expect(later[0]!.serverSeq).toBeGreaterThan(Math.max(...cases.map((c) => c.serverSeq), published[0]!.serverSeq));

      const restored = await again.newEpoch();
      expect(restored).not.toBe(epoch);
      expect(await again.epoch()).toBe(restored);
      await again.close();
      expect(await refusal(again.lastApplied('C03'))).toBe('closed');
      opened.splice(opened.indexOf(again), 1);
      expect(await (await open()).epoch()).toBe(restored);
    });

    it('hall_cases pages across many one-case pushes and a big one: every entry once, in serverSeq order, whatever the page size', async () => {
      const store = await fresh('C03', 'C05');
      let seq = { C03: 0, C05: 0 };
      const push = async (consoleId: 'C03' | 'C05', n: number, over: Partial<Mutation> = {}) => {
        const from = seq[consoleId] + 1;
        seq = { ...seq, [consoleId]: seq[consoleId] + n };
        await store.applyPush(consoleId, batch(from, from + n - 1, over));
      };
      for (let i = 0; i < 40; i++) await push(i % 3 === 0 ? 'C05' : 'C03', 1); // a clerk's single 受理 each
      await push('C03', 2, { type: 'face_check.recorded' }); // no entry, no range
      await push('C05', 300); // a catch-up push: one range of 300
      for (let i = 0; i < 5; i++) await push('C03', 1);
      const all = await allChanges(store, 'hall_cases');
      expect(all).toHaveLength(345);
      expect(new Set(all.map((c) => c.key)).size).toBe(345);
      expect(all.every((c, i) => i === 0 || c.serverSeq > all[i - 1]!.serverSeq)).toBe(true);
      for (const size of [1, 7, 25, 333, 1000]) {
        const seen: Change[] = [];
        for (let cursor = 0, pages = 0; ; pages++) {
          const page = await store.changesSince('hall_cases', cursor, size);
          expect(page.changes.length).toBeLessThanOrEqual(size);
          seen.push(...page.changes);
          cursor = page.cursor;
          if (!page.hasMore) break;
          expect(page.changes).toHaveLength(size);
          expect(await store.changeAt('hall_cases', cursor)).toEqual({ tag: page.cursorTag });
          expect(pages).toBeLessThan(400);
        }
        expect(seen).toEqual(all);
      }
    });

    it('upgrades a schema-5 hub: its hall_cases read back unchanged, old cursors hold, its ledger and hashes still dedupe', async () => {
      target ??= await factory();
      const at = '2026-11-26T01:00:00.000Z';
      const [m1, m2, m3, m4] = [mutation(1, { type: 'face_check.recorded', payload: { decision: 'match' } }), mutation(2), mutation(3, { type: 'case.transitioned' }), mutation(4)];
      const stored = [m1!, m2!, m3!].map((m) => ({ ...m, consoleId: 'C03', payload: JSON.stringify(m.payload), contentHash: contentHash(m), appliedAt: at }));
      const feed = (m: Mutation) => JSON.stringify({ consoleId: 'C03', seq: m.seq, type: m.type, hlc: m.hlc, payload: m.payload });
      await target.seedSchema5({
        epoch: 'epoch-schema-5',
        console: { consoleId: 'C03', publicKey: 'ed25519:C03', lastApplied: 4, hallId: 'H1', registeredAt: at },
        mutations: stored,
        ledger: [
          ...stored.map((m) => ({ consoleId: 'C03', seq: m.seq, mutationId: m.mutationId, outcome: 'applied' as const, reason: null })),
          { consoleId: 'C03', seq: 4, mutationId: m4!.mutationId, outcome: 'rejected', reason: 'validator: no' },
        ],
        changes: [
          { serverSeq: 1, bucket: 'catalog', op: 'put', key: 'item:1', value: '{"name":"居住证办理"}', createdAt: at, tag: 'catalog1', hallId: null },
          { serverSeq: 2, bucket: 'hall_cases', op: 'put', key: m2!.mutationId, value: feed(m2!), createdAt: at, tag: 'casesAA2', hallId: 'H1' },
          { serverSeq: 3, bucket: 'hall_cases', op: 'put', key: m3!.mutationId, value: feed(m3!), createdAt: at, tag: 'casesAA3', hallId: 'H1' },
        ],
      });
      const store = await open();
      expect(await store.epoch()).toBe('epoch-schema-5');
      const before = [m2!, m3!].map((m) => ({ serverSeq: m.seq, op: 'put', key: m.mutationId, value: JSON.parse(feed(m)) as unknown }));
      expect(await allChanges(store, 'hall_cases')).toEqual(before);
      expect((await store.changesSince('hall_cases', 0, 10, { hallId: 'H1' })).changes).toEqual(before);
      expect((await store.changesSince('hall_cases', 0, 10, { hallId: 'H2' })).changes).toEqual([]);
      expect(await store.changeAt('hall_cases', 3)).toEqual({ tag: 'casesAA3' });
      expect(await store.changeAt('hall_cases', 1)).toBeNull(); // catalog's
      expect(await store.changeAt('catalog', 1)).toEqual({ tag: 'catalog1' });

      const m5 = mutation(5);
      const clash = { ...mutation(6), mutationId: m2!.mutationId }; // m2's id with other content
      const outcome = await store.applyPush('C03', [m2!, m3!, m4!, m5, clash]);
      expect(statuses(outcome.results)).toEqual(['2:duplicate', '3:duplicate', '4:rejected', '5:applied', '6:rejected']);
      expect(outcome.results[2]).toMatchObject({ reason: 'validator: no' });
      expect(outcome.results[4]).toMatchObject({ reason: expect.stringMatching(/^mutation_id_reused/) });
      const after = await allChanges(store, 'hall_cases');
      expect(after.slice(0, 2)).toEqual(before);
      expect(after.slice(2)).toEqual([{ serverSeq: expect.any(Number), op: 'put', key: m5.mutationId, value: { consoleId: 'C03', seq: 5, type: 'case.created', hlc: m5.hlc, payload: m5.payload } }]);
      expect(after[2]!.serverSeq).toBeGreaterThan(3);
      expect(await store.lastApplied('C03')).toBe(6);
      // Replays after the upgrade: applied seqs come from the mutations, the rest from the ledger.
      expect(statuses((await store.applyPush('C03', [m1!, m4!, m5, clash])).results)).toEqual(['1:duplicate', '4:rejected', '5:duplicate', '6:rejected']);
    });
  });
}
