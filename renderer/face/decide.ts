/**
 * The 1:1 decision as the clerk sees it, and the record a face check hands to its caller.
 *
 * MIRROR of drivers/camera/match-policy.ts (the rule main applies when it records the check; the
 * renderer may not import drivers/). drivers/camera/match-policy.parity.test.ts checks that both give
 * the same outcome for any scores and configuration, that the defaults are equal, and that a record
 * built here passes main's FaceCheckRecordSchema. Change both together.
 */

export type FaceDecision = 'match' | 'no_match' | 'retry' | 'spoof_suspected';
export type FaceReason =
  | 'similarity_above_threshold'
  | 'similarity_borderline'
  | 'similarity_below_threshold'
  | 'liveness_low'
  | 'antispoof_low'
  | 'liveness_missing'
  | 'antispoof_missing'
  | 'invalid_score'
  | 'model_version_mismatch';

export interface FaceMatchPolicy {
  modelVersion: string;
  threshold: number;
  retryBand: number;
  minLiveness: number;
  minAntispoof: number;
}

/** Same values as drivers/camera DEFAULT_FACE_MATCH_CONFIG (measured: drivers/camera/README.md). */
export const DEFAULT_FACE_MATCH_POLICY: Readonly<FaceMatchPolicy> = Object.freeze({
  modelVersion: 'human@3.3.6+faceres',
  threshold: 0.6,
  retryBand: 0.1,
  minLiveness: 0.5,
  minAntispoof: 0.4,
});

export interface FaceScores {
  similarity: number;
  liveness: number | null;
  antispoof: number | null;
  modelVersion?: string;
}

export interface FaceMatchOutcome {
  decision: FaceDecision;
  score: number | null;
  threshold: number;
  reasons: FaceReason[];
}

const isUnit = (v: number): boolean => Number.isFinite(v) && v >= 0 && v <= 1;

export function decideFaceMatch(scores: FaceScores, policy: FaceMatchPolicy): FaceMatchOutcome {
  const { similarity, liveness, antispoof } = scores;
  const out = (decision: FaceDecision, reasons: FaceReason[]): FaceMatchOutcome => ({
    decision,
    score: isUnit(similarity) ? similarity : null,
    threshold: policy.threshold,
    reasons,
  });
  if (!isUnit(similarity) || (liveness !== null && !isUnit(liveness)) || (antispoof !== null && !isUnit(antispoof))) {
    return out('retry', ['invalid_score']);
  }
  if (scores.modelVersion !== undefined && scores.modelVersion !== policy.modelVersion) return out('no_match', ['model_version_mismatch']);
  const spoof: FaceReason[] = [];
  if (liveness !== null && liveness < policy.minLiveness) spoof.push('liveness_low');
  if (antispoof !== null && antispoof < policy.minAntispoof) spoof.push('antispoof_low');
  if (spoof.length > 0) return out('spoof_suspected', spoof);
  const missing: FaceReason[] = [];
  if (liveness === null) missing.push('liveness_missing');
  if (antispoof === null) missing.push('antispoof_missing');
  if (missing.length > 0) return out('retry', missing);
  if (similarity >= policy.threshold) return out('match', ['similarity_above_threshold']);
  if (similarity >= policy.threshold - policy.retryBand) return out('retry', ['similarity_borderline']);
  return out('no_match', ['similarity_below_threshold']);
}

/** What FaceCheck hands to `onResult` (= drivers/camera FaceCheckRecord): numbers, never pictures. */
export interface FaceCheckRecord {
  kind: 'face_check';
  decision: FaceDecision;
  method: 'automatic' | 'manual';
  automaticDecision: FaceDecision | null;
  reasons: FaceReason[];
  manualReason: string | null;
  score: number | null;
  liveness: number | null;
  antispoof: number | null;
  threshold: number;
  modelVersion: string;
  attempts: number;
  startedAt: string;
  decidedAt: string;
  imagesKept: boolean;
}

export interface CheckContext {
  policy: FaceMatchPolicy;
  modelVersion: string;
  attempts: number;
  startedAt: Date;
  now: Date;
}

/** Scores are kept to 3 decimals in the record (the model's precision is lower). */
const round3 = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);

export function automaticRecord(outcome: FaceMatchOutcome, measured: { liveness: number | null; antispoof: number | null }, ctx: CheckContext): FaceCheckRecord {
  return {
    kind: 'face_check',
    decision: outcome.decision,
    method: 'automatic',
    automaticDecision: outcome.decision,
    reasons: outcome.reasons,
    manualReason: null,
    score: round3(outcome.score),
    liveness: round3(measured.liveness),
    antispoof: round3(measured.antispoof),
    threshold: ctx.policy.threshold,
    modelVersion: ctx.modelVersion,
    attempts: ctx.attempts,
    startedAt: ctx.startedAt.toISOString(),
    decidedAt: ctx.now.toISOString(),
    imagesKept: false,
  };
}

/** The clerk's 人工核验: replaces the engine's decision, keeps its numbers, needs a reason. */
export function manualRecord(decision: 'match' | 'no_match', reason: string, last: FaceCheckRecord | null, ctx: CheckContext): FaceCheckRecord {
  const trimmed = reason.trim();
  if (trimmed.length < 2) throw new Error('人工核验须填写原因');
  return {
    kind: 'face_check',
    decision,
    method: 'manual',
    automaticDecision: last?.automaticDecision ?? null,
    reasons: last?.reasons ?? [],
    manualReason: trimmed.slice(0, 200),
    score: last?.score ?? null,
    liveness: last?.liveness ?? null,
    antispoof: last?.antispoof ?? null,
    threshold: ctx.policy.threshold,
    modelVersion: ctx.modelVersion,
    attempts: ctx.attempts,
    startedAt: ctx.startedAt.toISOString(),
    decidedAt: ctx.now.toISOString(),
    imagesKept: false,
  };
}

/** The clerk-facing line for an outcome. */
export function decisionText(decision: FaceDecision, score: number | null): string {
  const s = score === null ? '' : ` ${score.toFixed(2)}`;
  switch (decision) {
    case 'match':
      return `人证比对通过${s}`;
    case 'no_match':
      return `比对未通过，请重新采集${s}`;
    case 'retry':
      return `比对结果不确定，请重新采集${s}`;
    case 'spoof_suspected':
      return '疑似非活体，请本人正对摄像头重新采集';
  }
}
