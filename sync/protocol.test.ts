import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../main/store/uuidv7';
import { encodeSyncMessage, MAX_FRAME_BYTES, parseSyncFrame, type SyncMessage } from './protocol';

const push: SyncMessage = {
  type: 'push',
  batch: [{ seq: 1, mutationId: uuidv7(), schemaVersion: 1, hlc: '001764118800000-000001', type: 'case.created', payload: { caseId: 'c1' } }],
};

describe('sync protocol', () => {
  it('round-trips every message kind', () => {
    const messages: SyncMessage[] = [
      {
        type: 'hello',
        consoleId: 'C03',
        protocolVersion: 1,
        schemaVersion: 1,
        cursors: { catalog: '12' },
        lastAckedSeq: 0,
        auth: { keyId: 'k1', signature: 'sig', issuedAt: '2026-11-26T01:00:00.000Z' },
      },
      { type: 'welcome', epoch: 'e1', expectedSeq: 1, serverTime: '2026-11-26T01:00:00.000Z' },
      push,
      { type: 'push_ack', results: [{ seq: 1, status: 'applied' }, { seq: 2, status: 'rejected', reason: 'schema' }], expectedSeq: 3 },
      { type: 'pull', bucket: 'calendar', cursor: '' },
      { type: 'changes', bucket: 'calendar', changes: [{ serverSeq: 4, op: 'put', key: '2027', value: { holidays: [] } }] },
      { type: 'checkpoint', bucket: 'calendar', cursor: '4' },
      { type: 'poke' },
      { type: 'ping', at: '2026-11-26T01:00:00.000Z' },
      { type: 'error', code: 'reset_required', message: 'epoch changed' },
    ];
    for (const m of messages) expect(parseSyncFrame(encodeSyncMessage(m))).toEqual({ ok: true, message: m });
  });

  it.each([
    ['not json', 'not JSON'],
    ['{"type":"nope"}', 'type'],
    ['{"type":"push","batch":[]}', 'batch'],
    ['{"type":"push","batch":[{"seq":0}]}', 'batch'],
    ['{"type":"pull","bucket":"secrets","cursor":""}', 'bucket'],
  ])('refuses %s with a typed reason', (frame, where) => {
    const r = parseSyncFrame(frame);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(where);
  });

  it('refuses a mutation id that is not a UUIDv7', () => {
    const bad = JSON.parse(encodeSyncMessage(push)) as { batch: { mutationId: string }[] };
    bad.batch[0]!.mutationId = '00000000-0000-4000-8000-000000000000';
    expect(parseSyncFrame(JSON.stringify(bad)).ok).toBe(false);
  });

  it('refuses oversized frames before parsing', () => {
    expect(parseSyncFrame('x'.repeat(MAX_FRAME_BYTES + 1))).toMatchObject({ ok: false, reason: expect.stringContaining('exceeds') });
  });

  it('never throws on random or mutated frames', () => {
    const valid = encodeSyncMessage(push);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.tuple(fc.nat(valid.length), fc.string({ maxLength: 3 })).map(([i, s]) => valid.slice(0, i) + s + valid.slice(i + 1))), (frame) => {
        const r = parseSyncFrame(frame);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 20_000 },
    );
  });
});
