import { describe, expect, it } from 'vitest';
import type { Session } from '../../preload/contract';
import { DEFAULT_FACE_MATCH_CONFIG, type FaceCheckRecord } from '../../preload/face-policy';
import { memoryStore, seedCounterAndClerk } from '../store/test-support';
import { HallServiceError } from './errors';
import { FaceCheckService } from './face';

function setup() {
  const store = memoryStore();
  const { clerkId, counterId } = seedCounterAndClerk(store);
  const session: Session = {
    userId: clerkId,
    userName: 'clerk1',
    displayNameMasked: '测*乙',
    role: 'clerk',
    counter: { id: counterId, number: 3, name: '3号窗口', zone: 'A区' },
    startedAt: '2026-11-26T01:00:00.000Z',
  };
  return { store, session, face: new FaceCheckService(store) };
}

const automatic = (score: number, decision: FaceCheckRecord['decision']): FaceCheckRecord => ({
  kind: 'face_check',
  decision,
  method: 'automatic',
  automaticDecision: decision,
  reasons: [],
  manualReason: null,
  score,
  liveness: 0.95,
  antispoof: 0.8,
  threshold: DEFAULT_FACE_MATCH_CONFIG.threshold,
  modelVersion: DEFAULT_FACE_MATCH_CONFIG.modelVersion,
  attempts: 1,
  startedAt: '2026-11-26T01:00:00.000Z',
  decidedAt: '2026-11-26T01:00:03.000Z',
  imagesKept: false,
});

describe('FaceCheckService', () => {
  it('records an automatic match with its outbox row', () => {
    const { face, store, session } = setup();
    const before = store.outbox.countPending();
    expect(face.record(automatic(0.72, 'match'), session)).toMatchObject({ decision: 'match' });
    expect(store.faceChecks.count()).toBe(1);
    expect(store.outbox.countPending()).toBe(before + 1);
  });

  it('refuses an automatic decision the rule would not give (tampered or stale renderer)', () => {
    const { face, store, session } = setup();
    expect(() => face.record(automatic(0.41, 'match'), session)).toThrow(HallServiceError);
    expect(() => face.record({ ...automatic(0.72, 'match'), threshold: 0.3 }, session)).toThrow(/不一致/);
    expect(store.faceChecks.count()).toBe(0);
  });

  it('records a manual decision with its reason, and refuses kept images', () => {
    const { face, store, session } = setup();
    const manual: FaceCheckRecord = { ...automatic(0.41, 'no_match'), method: 'manual', decision: 'match', manualReason: '证件照年代久远，核对户籍信息后确认本人' };
    expect(face.record(manual, session).decision).toBe('match');
    expect(() => face.record({ ...automatic(0.72, 'match'), imagesKept: true }, session)).toThrow(/留存/);
    expect(store.faceChecks.count()).toBe(1);
  });
});
