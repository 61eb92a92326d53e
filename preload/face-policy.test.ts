import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FACE_MATCH_CONFIG,
  FACE_MODEL_VERSION,
  FaceCheckRecordSchema,
  decideFaceMatch,
  parseFaceMatchConfig,
  type FaceCheckRecord,
  type FaceMatchConfig,
} from './face-policy';

const config: FaceMatchConfig = { modelVersion: FACE_MODEL_VERSION, threshold: 0.6, retryBand: 0.1, minLiveness: 0.5, minAntispoof: 0.4 };
const live = { liveness: 0.9, antispoof: 0.8 };

describe('decideFaceMatch', () => {
  it.each([
    [0.6, 'match', 'similarity_above_threshold'],
    [0.93, 'match', 'similarity_above_threshold'],
    [0.59, 'retry', 'similarity_borderline'],
    [0.5, 'retry', 'similarity_borderline'],
    [0.49, 'no_match', 'similarity_below_threshold'],
    [0, 'no_match', 'similarity_below_threshold'],
  ] as const)('similarity %s → %s', (similarity, decision, reason) => {
    expect(decideFaceMatch({ similarity, ...live }, config)).toEqual({ decision, score: similarity, threshold: 0.6, reasons: [reason] });
  });

  it('uses the configured threshold, not a constant', () => {
    expect(decideFaceMatch({ similarity: 0.55, ...live }, { ...config, threshold: 0.5 }).decision).toBe('match');
    expect(decideFaceMatch({ similarity: 0.55, ...live }, { ...config, threshold: 0.7, retryBand: 0 }).decision).toBe('no_match');
  });

  it('suspects a spoof before looking at similarity, and says which check failed', () => {
    expect(decideFaceMatch({ similarity: 0.95, liveness: 0.2, antispoof: 0.8 }, config)).toMatchObject({ decision: 'spoof_suspected', reasons: ['liveness_low'] });
    expect(decideFaceMatch({ similarity: 0.95, liveness: 0.9, antispoof: 0.1 }, config)).toMatchObject({ decision: 'spoof_suspected', reasons: ['antispoof_low'] });
    expect(decideFaceMatch({ similarity: 0.1, liveness: 0.1, antispoof: 0.1 }, config).reasons).toEqual(['liveness_low', 'antispoof_low']);
  });

  it('asks for a recapture when a liveness score is missing, never matches', () => {
    expect(decideFaceMatch({ similarity: 0.95, liveness: null, antispoof: 0.8 }, config)).toMatchObject({ decision: 'retry', reasons: ['liveness_missing'] });
    expect(decideFaceMatch({ similarity: 0.95, liveness: 0.9, antispoof: null }, config)).toMatchObject({ decision: 'retry', reasons: ['antispoof_missing'] });
  });

  it('refuses scores that are not numbers in 0..1', () => {
    for (const similarity of [Number.NaN, -0.1, 1.2, Number.POSITIVE_INFINITY]) {
      expect(decideFaceMatch({ similarity, ...live }, config)).toEqual({ decision: 'retry', score: null, threshold: 0.6, reasons: ['invalid_score'] });
    }
    expect(decideFaceMatch({ similarity: 0.9, liveness: 2, antispoof: 0.8 }, config).reasons).toEqual(['invalid_score']);
  });

  it('never matches with a model the threshold was not calibrated for', () => {
    expect(decideFaceMatch({ similarity: 0.99, ...live, modelVersion: 'human@4.0.0+faceres' }, config)).toMatchObject({
      decision: 'no_match',
      reasons: ['model_version_mismatch'],
    });
    expect(decideFaceMatch({ similarity: 0.99, ...live, modelVersion: FACE_MODEL_VERSION }, config).decision).toBe('match');
  });
});

describe('FaceMatchConfig', () => {
  it('accepts the default (calibrated, not 0.5)', () => {
    expect(parseFaceMatchConfig(DEFAULT_FACE_MATCH_CONFIG)).toEqual(DEFAULT_FACE_MATCH_CONFIG);
    expect(DEFAULT_FACE_MATCH_CONFIG.threshold).not.toBe(0.5);
  });
  it.each([
    [{ threshold: 1.5 }],
    [{ threshold: -0.1 }],
    [{ retryBand: 0.7 }],
    [{ threshold: 0.05, retryBand: 0.1 }],
    [{ minLiveness: 2 }],
    [{ modelVersion: '' }],
    [{ extra: true }],
  ])('refuses %j', (patch) => {
    expect(() => parseFaceMatchConfig({ ...config, ...patch })).toThrow();
  });
});

describe('FaceCheckRecordSchema', () => {
  const base: FaceCheckRecord = {
    kind: 'face_check',
    decision: 'match',
    method: 'automatic',
    automaticDecision: 'match',
    reasons: ['similarity_above_threshold'],
    manualReason: null,
    score: 0.78,
    liveness: 0.97,
    antispoof: 0.8,
    threshold: 0.6,
    modelVersion: FACE_MODEL_VERSION,
    attempts: 1,
    startedAt: '2026-11-26T08:00:00.000Z',
    decidedAt: '2026-11-26T08:00:03.000Z',
    imagesKept: false,
  };
  it('accepts an automatic and a manual record', () => {
    expect(FaceCheckRecordSchema.parse(base)).toEqual(base);
    const manual = { ...base, method: 'manual', decision: 'match', automaticDecision: 'no_match', manualReason: '证件照年代久远，已核对户口簿' };
    expect(FaceCheckRecordSchema.safeParse(manual).success).toBe(true);
  });
  it('refuses a manual decision without a reason, and a reason on an automatic one', () => {
    expect(FaceCheckRecordSchema.safeParse({ ...base, method: 'manual', manualReason: null }).success).toBe(false);
    expect(FaceCheckRecordSchema.safeParse({ ...base, method: 'manual', manualReason: ' ' }).success).toBe(false);
    expect(FaceCheckRecordSchema.safeParse({ ...base, manualReason: 'x y' }).success).toBe(false);
  });
  it('refuses an automatic record whose decision is not the engine decision, and a manual "retry"', () => {
    expect(FaceCheckRecordSchema.safeParse({ ...base, decision: 'match', automaticDecision: 'no_match' }).success).toBe(false);
    expect(FaceCheckRecordSchema.safeParse({ ...base, method: 'manual', manualReason: '原因原因', decision: 'retry' }).success).toBe(false);
  });
  it('carries no picture: unknown fields are refused', () => {
    expect(FaceCheckRecordSchema.safeParse({ ...base, image: 'data:image/jpeg;base64,AAAA' }).success).toBe(false);
  });
});
