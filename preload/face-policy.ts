/**
 * 实人 1:1 decision: live face vs. the card (or hub) photo. Pure, plain Node, no DOM.
 *
 * The renderer measures (similarity of the two FaceRes embeddings, liveness, anti-spoof) and shows
 * the clerk a result; main applies the same rule again before it records the check (`face.record`).
 * It lives beside the contract (zod only, no I/O) so both sides import the one rule.
 *
 * The threshold is only meaningful for the model it was calibrated on: see drivers/camera/README.md (measured
 * FAR/FRR table) and calibration.ts. A check made with another model is never an automatic match.
 */
import { z } from 'zod';

export const FACE_DECISIONS = ['match', 'no_match', 'retry', 'spoof_suspected'] as const;
export type FaceDecision = (typeof FACE_DECISIONS)[number];

export const FACE_REASONS = [
  'similarity_above_threshold',
  'similarity_borderline',
  'similarity_below_threshold',
  'liveness_low',
  'antispoof_low',
  'liveness_missing',
  'antispoof_missing',
  'invalid_score',
  'model_version_mismatch',
] as const;
export type FaceReason = (typeof FACE_REASONS)[number];

const unit = z.number().min(0).max(1);

export const FaceMatchConfigSchema = z
  .object({
    /** The model set the numbers below were calibrated for, e.g. `human@3.3.6+faceres`. */
    modelVersion: z.string().min(1).max(100),
    /** similarity ≥ threshold → match. */
    threshold: unit,
    /** threshold − retryBand ≤ similarity < threshold → retry (recapture), below → no_match. */
    retryBand: z.number().min(0).max(0.5),
    /** Liveness below this → spoof_suspected. */
    minLiveness: unit,
    /** Anti-spoof ("real") below this → spoof_suspected. */
    minAntispoof: unit,
  })
  .strict()
  .refine((c) => c.threshold - c.retryBand >= 0, { message: 'retryBand reaches below 0', path: ['retryBand'] });
export type FaceMatchConfig = z.infer<typeof FaceMatchConfigSchema>;

/** The model set the default configuration is calibrated for (renderer/face/engine.ts faceModelVersion). */
export const FACE_MODEL_VERSION = 'human@3.3.6+faceres';

/** Defaults measured in README.md ("Calibration"); a hall may configure its own. */
export const DEFAULT_FACE_MATCH_CONFIG: FaceMatchConfig = Object.freeze({
  modelVersion: FACE_MODEL_VERSION,
  threshold: 0.6,
  retryBand: 0.1,
  minLiveness: 0.5,
  minAntispoof: 0.4,
});

export function parseFaceMatchConfig(input: unknown): FaceMatchConfig {
  return FaceMatchConfigSchema.parse(input);
}

export interface FaceScores {
  /** Human's normalised similarity of the two embeddings (0..1). */
  similarity: number;
  /** Liveness confidence (0..1), null when the model gave none. */
  liveness: number | null;
  /** Anti-spoof confidence (0..1), null when the model gave none. */
  antispoof: number | null;
  /** The engine's model version; when given it must equal the config's. */
  modelVersion?: string;
}

export interface FaceMatchOutcome {
  decision: FaceDecision;
  /** The similarity (null when it was not a number in 0..1). */
  score: number | null;
  threshold: number;
  reasons: FaceReason[];
}

const isUnit = (v: number): boolean => Number.isFinite(v) && v >= 0 && v <= 1;

export function decideFaceMatch(scores: FaceScores, config: FaceMatchConfig): FaceMatchOutcome {
  const { similarity, liveness, antispoof } = scores;
  const threshold = config.threshold;
  const out = (decision: FaceDecision, reasons: FaceReason[]): FaceMatchOutcome => ({
    decision,
    score: isUnit(similarity) ? similarity : null,
    threshold,
    reasons,
  });

  const invalid = !isUnit(similarity) || (liveness !== null && !isUnit(liveness)) || (antispoof !== null && !isUnit(antispoof));
  if (invalid) return out('retry', ['invalid_score']);
  if (scores.modelVersion !== undefined && scores.modelVersion !== config.modelVersion) {
    return out('no_match', ['model_version_mismatch']);
  }

  const spoof: FaceReason[] = [];
  if (liveness !== null && liveness < config.minLiveness) spoof.push('liveness_low');
  if (antispoof !== null && antispoof < config.minAntispoof) spoof.push('antispoof_low');
  if (spoof.length > 0) return out('spoof_suspected', spoof);

  const missing: FaceReason[] = [];
  if (liveness === null) missing.push('liveness_missing');
  if (antispoof === null) missing.push('antispoof_missing');
  if (missing.length > 0) return out('retry', missing);

  if (similarity >= threshold) return out('match', ['similarity_above_threshold']);
  if (similarity >= threshold - config.retryBand) return out('retry', ['similarity_borderline']);
  return out('no_match', ['similarity_below_threshold']);
}

// ---------- the audited record of one check ----------

const isoTime = z.iso.datetime({ offset: true });

/**
 * One face check as the case's audit keeps it: numbers and decisions, never the pictures
 * (`imagesKept` is false unless the hall configured encrypted retention).
 */
export const FaceCheckRecordSchema = z
  .object({
    kind: z.literal('face_check'),
    /** The final decision: the engine's, or the clerk's manual one. */
    decision: z.enum(FACE_DECISIONS),
    method: z.enum(['automatic', 'manual']),
    /** The engine's decision on the last capture (null when none was made, e.g. no face found). */
    automaticDecision: z.enum(FACE_DECISIONS).nullable(),
    reasons: z.array(z.enum(FACE_REASONS)).max(FACE_REASONS.length),
    /** Required for a manual decision: why the clerk overrode or replaced the engine. */
    manualReason: z.string().trim().min(2).max(200).nullable(),
    score: unit.nullable(),
    liveness: unit.nullable(),
    antispoof: unit.nullable(),
    threshold: unit,
    modelVersion: z.string().min(1).max(100),
    /** Captures compared so far in this check (1 = first try). */
    attempts: z.number().int().min(0).max(1000),
    startedAt: isoTime,
    decidedAt: isoTime,
    imagesKept: z.boolean(),
  })
  .strict()
  .refine((r) => (r.method === 'manual') === (r.manualReason !== null), {
    message: 'a manual decision needs a reason, an automatic one has none',
    path: ['manualReason'],
  })
  .refine((r) => r.method === 'manual' || r.decision === r.automaticDecision, {
    message: 'an automatic record carries the engine decision',
    path: ['decision'],
  })
  .refine((r) => r.method === 'automatic' || r.decision === 'match' || r.decision === 'no_match', {
    message: 'a manual decision is match or no_match',
    path: ['decision'],
  });
export type FaceCheckRecord = z.infer<typeof FaceCheckRecordSchema>;
