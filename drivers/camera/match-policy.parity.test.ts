/**
 * renderer/face/decide.ts mirrors this folder's rule (the renderer may not import drivers/): both must
 * give the same outcome for any input, share the defaults, and the renderer's records must pass
 * main's schema.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as renderer from '../../renderer/face/decide';
import { DEFAULT_FACE_MATCH_CONFIG, FaceCheckRecordSchema, decideFaceMatch, type FaceCheckRecord, type FaceMatchConfig } from './match-policy';

const score = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.5, 0.6, 1, -0.01, 1.01, Number.NaN));
const nullableScore = fc.oneof(fc.constant(null), score);
const version = fc.constantFrom('human@3.3.6+faceres', 'human@4.0.0+faceres');
const configArb: fc.Arbitrary<FaceMatchConfig> = fc
  .record({
    modelVersion: version,
    threshold: fc.double({ min: 0.2, max: 0.95, noNaN: true }),
    retryBand: fc.double({ min: 0, max: 0.2, noNaN: true }),
    minLiveness: fc.double({ min: 0, max: 1, noNaN: true }),
    minAntispoof: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .filter((c) => c.threshold - c.retryBand >= 0);

describe('renderer/face/decide.ts ≡ drivers/camera/match-policy.ts', () => {
  it('has the same defaults', () => {
    expect({ ...renderer.DEFAULT_FACE_MATCH_POLICY }).toEqual({ ...DEFAULT_FACE_MATCH_CONFIG });
  });

  it('decides the same for any scores and configuration', () => {
    fc.assert(
      fc.property(score, nullableScore, nullableScore, fc.option(version, { nil: undefined }), configArb, (similarity, liveness, antispoof, modelVersion, config) => {
        const scores = { similarity, liveness, antispoof, ...(modelVersion === undefined ? {} : { modelVersion }) };
        expect(renderer.decideFaceMatch(scores, config)).toEqual(decideFaceMatch(scores, config));
      }),
      { numRuns: 2000 },
    );
  });

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
