import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../../main/store/uuidv7';
import type { Mutation } from '../../protocol';
import { auditHeadPin, auditHeadRegression, canonicalJson, cleanReason, contentHash, lookupsFor, planPush, prepareBatch, type KnownMutation, type LedgerEntry } from './plan';

describe('hub apply rules (pure)', () => {
  it('canonical JSON ignores key order, so the dedupe hash does too', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe('{"a":[{"c":null,"d":2}],"b":1}');
    expect(contentHash({ type: 't', payload: { x: 1, y: 2 } })).toBe(contentHash({ type: 't', payload: { y: 2, x: 1 } }));
    expect(contentHash({ type: 't', payload: { x: 1 } })).not.toBe(contentHash({ type: 'u', payload: { x: 1 } }));
  });

  it('audit heads: forward only; the same row with another hash is a fork; the previous head is read only when the batch carries one', () => {
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    expect(auditHeadRegression(null, { lastId: 1, hash: a })).toBeNull();
    expect(auditHeadRegression({ lastId: 52, hash: a }, { lastId: 53, hash: b })).toBeNull();
    expect(auditHeadRegression({ lastId: 52, hash: a }, { lastId: 52, hash: a })).toBeNull();
    expect(auditHeadRegression({ lastId: 52, hash: a }, { lastId: 40, hash: b })).toMatch(/^audit_head_regressed: lastId 40 after 52:/);
    expect(auditHeadRegression({ lastId: 52, hash: a }, { lastId: 52, hash: b })).toMatch(/^audit_head_forked: lastId 52 with hash b{64} after hash a{64}:/);
    expect(cleanReason(auditHeadRegression({ lastId: Number.MAX_SAFE_INTEGER, hash: a }, { lastId: Number.MAX_SAFE_INTEGER, hash: b })!)).not.toContain('…');
    expect(auditHeadPin({ lastId: 3, hash: a, at: '2026-11-26T01:00:00.000Z', signature: 'x' })).toEqual({ lastId: 3, hash: a, at: '2026-11-26T01:00:00.000Z' });
    expect(auditHeadPin({ lastId: '3', hash: a })).toBeNull();
    expect(auditHeadPin({ lastId: 3 })).toBeNull();
    expect(auditHeadPin(null)).toBeNull();
    const head = { seq: 3, mutationId: uuidv7(new Date()), schemaVersion: 6, hlc: '000000000000001-000000', type: 'audit.head', payload: { lastId: 1, hash: a } };
    expect(lookupsFor(prepareBatch([head]), 2).auditHead).toBe(true);
    expect(lookupsFor(prepareBatch([head]), 3).auditHead).toBe(false);
    expect(lookupsFor(prepareBatch([{ ...head, type: 'case.created' }]), 2).auditHead).toBe(false);
  });

  it('keeps reasons printable and within 500 characters', () => {
    expect(cleanReason('a\u0000b\nc\ud800')).toBe('a b c\uFFFD');
    const long = cleanReason(`${'x'.repeat(498)}\ud83d\ude00tail`);
    expect(long.length).toBeLessThanOrEqual(500);
    expect(long).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('whatever order, repetition and gaps the batches have, each mutation is applied once and in seq order', () => {
    const mutations: Mutation[] = Array.from({ length: 12 }, (_, i) => ({
      seq: i + 1,
      mutationId: uuidv7(new Date(1_764_118_800_000 + i)),
      schemaVersion: 6,
      hlc: `00176411880000${i % 10}-000000`,
      type: 'case.created',
      payload: { caseId: `c${i + 1}` },
    }));
    const batchArb = fc.array(fc.array(fc.nat(11), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(batchArb, (batches) => {
        let lastApplied = 0;
        const ledger = new Map<number, LedgerEntry>();
        const known = new Map<string, KnownMutation>();
        const appliedOrder: number[] = [];
        for (const picks of batches) {
          const prepared = prepareBatch(picks.map((i) => mutations[i]!));
          const need = lookupsFor(prepared, lastApplied);
          const plan = planPush({
            consoleId: 'C03',
            lastApplied,
            prepared,
            ledger: new Map(need.seqs.flatMap((s) => (ledger.has(s) ? [[s, ledger.get(s)!] as const] : []))),
            known: new Map(need.mutationIds.flatMap((id) => (known.has(id) ? [[id, known.get(id)!] as const] : []))),
            now: '2026-11-26T01:00:00.000Z',
          });
          // As the adapters store it: rejections and duplicates in the ledger, applied seqs as mutation rows.
          for (const l of plan.ledger) ledger.set(l.seq, l);
          for (const m of plan.mutations) {
            expect(known.has(m.mutationId)).toBe(false);
            known.set(m.mutationId, { type: m.type, payloadJson: m.payloadJson, contentHash: null });
            ledger.set(m.seq, { mutationId: m.mutationId, outcome: 'applied', reason: null });
            appliedOrder.push(m.seq);
          }
          expect(plan.ledger.every((l) => l.outcome !== 'applied')).toBe(true);
          expect(plan.lastApplied).toBeGreaterThanOrEqual(lastApplied);
          expect(plan.quarantine).toEqual([]);
          lastApplied = plan.lastApplied;
        }
        expect(appliedOrder).toEqual(Array.from({ length: lastApplied }, (_, i) => i + 1));
      }),
      { numRuns: 300 },
    );
  });

  const at = (i: number): Mutation => ({
    seq: i,
    mutationId: uuidv7(new Date(1_764_118_800_000 + i)),
    schemaVersion: 9,
    hlc: `00176411880000${i % 10}-000000`,
    type: i % 3 === 1 ? 'face_check.recorded' : 'case.created',
    payload: { caseId: `c${i}`, n: i },
  });
  const plan = (prepared: ReturnType<typeof prepareBatch>, known = new Map<string, KnownMutation>(), lastApplied = 0) =>
    planPush({ consoleId: 'C03', lastApplied, prepared, ledger: new Map(), known, now: '2026-11-27T01:00:00.000Z' });

  it('a push adds one hall_cases range: its first and last applied case.* seq', () => {
    const p = plan(prepareBatch([1, 2, 3, 4, 5, 6, 7].map(at)));
    expect(p.mutations.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(p.caseRange).toEqual({ seqFrom: 2, seqTo: 6 }); // 1, 4 and 7 are face checks
    expect(plan(prepareBatch([at(1), at(4)])).caseRange).toBeNull();
    // A rejected case mutation is not in the range's ends.
    const bad = { ...at(6), payload: { at: 'x' }, type: 'case.transitioned' };
    const validate = (m: Mutation) => ((m.payload as { at?: string }).at === 'x' ? 'bad' : null);
    const q = planPush({ consoleId: 'C03', lastApplied: 0, prepared: prepareBatch([at(1), at(2), at(3), at(4), at(5), bad]), ledger: new Map(), known: new Map(), options: { validate }, now: 'x' });
    expect(q.caseRange).toEqual({ seqFrom: 2, seqTo: 5 });
    expect(q.ledger).toEqual([expect.objectContaining({ seq: 6, outcome: 'rejected' })]);
  });

  it('hashes content only for a mutationId the hub already has: stored hash (before schema 6) or hashed from the stored payload', () => {
    const m = at(2);
    const same = new Map([[m.mutationId, { type: m.type, payloadJson: JSON.stringify({ n: 2, caseId: 'c2' }), contentHash: null }]]);
    const first = plan(prepareBatch([m]), same, 1);
    expect(first.outcome.results).toEqual([{ seq: 2, status: 'duplicate' }]);
    expect(first.ledger).toEqual([{ consoleId: 'C03', seq: 2, mutationId: m.mutationId, outcome: 'duplicate', reason: null }]);
    const legacy = new Map([[m.mutationId, { type: m.type, payloadJson: '{}', contentHash: contentHash(m) }]]);
    expect(plan(prepareBatch([m]), legacy, 1).outcome.results).toEqual([{ seq: 2, status: 'duplicate' }]);
    const other = new Map([[m.mutationId, { type: m.type, payloadJson: JSON.stringify({ caseId: 'c2', n: 3 }), contentHash: null }]]);
    const clash = plan(prepareBatch([m]), other, 1);
    expect(clash.outcome.results[0]).toMatchObject({ seq: 2, status: 'rejected', reason: expect.stringMatching(/^mutation_id_reused/) });
    expect(clash.quarantine).toHaveLength(1);
    // The same mutationId twice in one batch: the second is a duplicate of the first.
    const twice = plan(prepareBatch([m, { ...m, seq: 3 }]), new Map(), 1);
    expect(twice.outcome.results).toEqual([{ seq: 2, status: 'applied' }, { seq: 3, status: 'duplicate' }]);
  });

  it('a batch the caller already parsed is not parsed again, but the storable-text rule still holds', () => {
    const ok = at(1);
    const unparsed = { ...at(2), extra: 'kept as given' };
    expect(prepareBatch([unparsed])[0]!.mutation).not.toHaveProperty('extra'); // the schema strips it
    expect(prepareBatch([unparsed], true)[0]!.mutation).toBe(unparsed); // taken as it is
    const control = { ...at(3), hlc: '0017641188\u0000-000000' };
    expect(prepareBatch([ok, control], true).map((p) => p.invalidReason)).toEqual([null, 'schema: type and hlc must be printable text']);
    // Out of order: sorted by seq, stable for equal seqs.
    expect(prepareBatch([at(3), at(1), { ...at(1), hlc: 'b' }], true).map((p) => [p.seq, p.mutation?.hlc])).toEqual([
      [1, at(1).hlc],
      [1, 'b'],
      [3, at(3).hlc],
    ]);
  });
});
