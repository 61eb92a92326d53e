/**
 * The 1:1 decision as the clerk sees it, and the record a face check hands to its caller.
 *
 * The rule itself is preload/face-policy.ts, shared with main (which applies it again before it
 * records the check); this module builds the records the FaceCheck component hands on.
 */

export {
  DEFAULT_FACE_MATCH_CONFIG as DEFAULT_FACE_MATCH_POLICY,
  decideFaceMatch,
  type FaceCheckRecord,
  type FaceDecision,
  type FaceMatchConfig as FaceMatchPolicy,
  type FaceMatchOutcome,
  type FaceReason,
  type FaceScores,
} from '../../preload/face-policy';

import type { FaceCheckRecord, FaceDecision, FaceMatchConfig as FaceMatchPolicy, FaceMatchOutcome } from '../../preload/face-policy';

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
