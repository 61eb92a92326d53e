import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../../main/store/uuidv7';
import type { Mutation } from '../../protocol';
import { auditHeadPin, auditHeadRegression, canonicalJson, cleanReason, contentHash, lookupsFor, planPush, prepareBatch, type LedgerEntry } from './plan';

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
        const known = new Map<string, string>();
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
          for (const l of plan.ledger) ledger.set(l.seq, l);
          for (const m of plan.mutations) {
            expect(known.has(m.mutationId)).toBe(false);
            known.set(m.mutationId, m.contentHash);
            appliedOrder.push(m.seq);
          }
          expect(plan.lastApplied).toBeGreaterThanOrEqual(lastApplied);
          expect(plan.quarantine).toEqual([]);
          lastApplied = plan.lastApplied;
        }
        expect(appliedOrder).toEqual(Array.from({ length: lastApplied }, (_, i) => i + 1));
      }),
      { numRuns: 300 },
    );
  });
});
