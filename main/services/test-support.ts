/**
 * Shared fixtures for intake tests and the counter benchmark: a card read as the reader reports it,
 * and a clerk's manual face decision (synthetic data only).
 */
import type { FaceCheckRecord } from '../../preload/face-policy';
import type { IdCardRecord, IdCardReadSuccess } from '../../drivers/idcard';

/** A successful read of `card` (no photo, no fingerprint). */
export function cardRead(card: IdCardRecord, options: { expired?: boolean; today?: string } = {}): IdCardReadSuccess {
  return {
    ok: true,
    card,
    validity: { status: options.expired ? 'expired' : 'valid', today: options.today ?? '2026-11-26', daysLeft: null },
    photo: { wlt: new Uint8Array(0), image: null, error: null },
    fingerprint: null,
    appendedAddress: null,
    warnings: [],
    durationMs: 0,
  } as IdCardReadSuccess;
}

/** The clerk compared the face with the card by hand (camera unavailable), with the reason recorded. */
export function manualFaceMatch(at: Date | string = '2026-11-26T01:00:00.000Z', reason = '摄像头故障，人工核对证件照片一致'): FaceCheckRecord {
  const time = new Date(at).toISOString();
  return {
    kind: 'face_check',
    decision: 'match',
    method: 'manual',
    automaticDecision: null,
    reasons: [],
    manualReason: reason,
    score: null,
    liveness: null,
    antispoof: null,
    threshold: 0.6,
    modelVersion: 'human-3.3.6',
    attempts: 0,
    startedAt: time,
    decidedAt: time,
    imagesKept: false,
  };
}
