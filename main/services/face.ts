/**
 * Records 实人 face checks. The renderer measures and shows the result; main applies the same rule
 * (preload/face-policy.ts) again with this hall's configuration before anything is written, so a
 * tampered or stale renderer cannot record an automatic match the rule would not give.
 */
import { decideFaceMatch, DEFAULT_FACE_MATCH_CONFIG, FaceMatchConfigSchema, type FaceCheckRecord, type FaceMatchConfig } from '../../preload/face-policy';
import type { Session } from '../../preload/contract';
import type { Store } from '../store';
import { HallServiceError } from './errors';

export class FaceCheckService {
  constructor(private readonly store: Store) {}

  config(): FaceMatchConfig {
    return this.store.settings.get('face.match', FaceMatchConfigSchema) ?? DEFAULT_FACE_MATCH_CONFIG;
  }

  record(check: FaceCheckRecord, session: Session): { id: string; decision: FaceCheckRecord['decision']; recordedAt: string } {
    if (check.imagesKept) throw new HallServiceError('bad_input', '本机未开启人像留存，不能记录留存了图像的比对');
    if (check.method === 'automatic') {
      const config = this.config();
      const outcome = decideFaceMatch(
        { similarity: check.score ?? Number.NaN, liveness: check.liveness, antispoof: check.antispoof, modelVersion: check.modelVersion },
        config,
      );
      if (outcome.decision !== check.decision || check.threshold !== config.threshold) {
        throw new HallServiceError('conflict', '比对结果与本机的比对规则不一致，请重新比对');
      }
    }
    const { id, recordedAt } = this.store.faceChecks.record(check, { userId: session.userId, counterId: session.counter?.id ?? null });
    return { id, decision: check.decision, recordedAt };
  }
}
