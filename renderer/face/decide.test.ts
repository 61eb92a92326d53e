/** The records FaceCheck hands on must pass the schema main validates `face.record` with. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FaceCheckRecordSchema, type FaceCheckRecord } from '../../preload/face-policy';
import * as renderer from './decide';

describe('renderer/face/decide.ts records', () => {
  it("builds records that main's schema accepts (automatic and manual)", () => {
    const ctx = { policy: renderer.DEFAULT_FACE_MATCH_POLICY, modelVersion: 'human@3.3.6+faceres', attempts: 2, startedAt: new Date('2026-11-26T08:00:00Z'), now: new Date('2026-11-26T08:00:05Z') };
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (similarity, liveness, antispoof) => {
        const outcome = renderer.decideFaceMatch({ similarity, liveness, antispoof }, ctx.policy);
        const auto: FaceCheckRecord = FaceCheckRecordSchema.parse(renderer.automaticRecord(outcome, { liveness, antispoof }, ctx));
        expect(auto.imagesKept).toBe(false);
        const manual = FaceCheckRecordSchema.parse(renderer.manualRecord('no_match', '  照片与本人不符  ', auto, ctx));
        expect(manual).toMatchObject({ method: 'manual', decision: 'no_match', automaticDecision: outcome.decision, manualReason: '照片与本人不符' });
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a manual decision without a reason', () => {
    const ctx = { policy: renderer.DEFAULT_FACE_MATCH_POLICY, modelVersion: 'm', attempts: 0, startedAt: new Date(), now: new Date() };
    expect(() => renderer.manualRecord('match', ' ', null, ctx)).toThrow('原因');
  });

  it('words the result for the clerk', () => {
    expect(renderer.decisionText('match', 0.781)).toBe('人证比对通过 0.78');
    expect(renderer.decisionText('no_match', 0.31)).toBe('比对未通过，请重新采集 0.31');
    expect(renderer.decisionText('spoof_suspected', 0.9)).toContain('疑似非活体');
  });
});
