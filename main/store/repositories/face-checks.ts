import type { FaceCheckRecord } from '../../../preload/face-policy';
import type { Clock, HallDatabase } from '../database';
import type { OutboxRepository } from './outbox';
import { uuidv7 } from '../uuidv7';

/** Who made the check and where; the record itself carries no personal data (numbers and decisions only). */
export interface FaceCheckContext {
  userId: string;
  counterId: string | null;
}

export class FaceCheckRepository {
  constructor(
    private readonly db: HallDatabase,
    private readonly clock: Clock,
    private readonly outbox: OutboxRepository,
  ) {}

  /** Store the check and its outbox row in one transaction. */
  record(check: FaceCheckRecord, ctx: FaceCheckContext): { id: string; recordedAt: string } {
    const id = uuidv7();
    const recordedAt = this.clock().toISOString();
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO face_checks (id, recorded_at, user_id, counter_id, decision, method, automatic_decision, reasons, manual_reason,
             score, liveness, antispoof, threshold, model_version, attempts, started_at, decided_at, images_kept)
           VALUES (@id, @recordedAt, @userId, @counterId, @decision, @method, @automaticDecision, @reasons, @manualReason,
             @score, @liveness, @antispoof, @threshold, @modelVersion, @attempts, @startedAt, @decidedAt, @imagesKept)`,
        )
        .run({
          id,
          recordedAt,
          userId: ctx.userId,
          counterId: ctx.counterId,
          decision: check.decision,
          method: check.method,
          automaticDecision: check.automaticDecision,
          reasons: JSON.stringify(check.reasons),
          manualReason: check.manualReason,
          score: check.score,
          liveness: check.liveness,
          antispoof: check.antispoof,
          threshold: check.threshold,
          modelVersion: check.modelVersion,
          attempts: check.attempts,
          startedAt: check.startedAt,
          decidedAt: check.decidedAt,
          imagesKept: check.imagesKept ? 1 : 0,
        });
      this.outbox.append('face_check.recorded', { id, ...ctx, recordedAt, ...check, reasons: [...check.reasons] });
    });
    return { id, recordedAt };
  }

  /** Who recorded a check, where, when and with what outcome (for attaching it to an intake). */
  get(id: string): { id: string; userId: string; counterId: string | null; decision: string; method: 'automatic' | 'manual'; recordedAt: string } | null {
    const row = this.db.prepare('SELECT id, user_id, counter_id, decision, method, recorded_at FROM face_checks WHERE id = ?').get(id) as
      | { id: string; user_id: string; counter_id: string | null; decision: string; method: 'automatic' | 'manual'; recorded_at: string }
      | undefined;
    return row ? { id: row.id, userId: row.user_id, counterId: row.counter_id, decision: row.decision, method: row.method, recordedAt: row.recorded_at } : null;
  }

  count(): number {
    return Number(this.db.prepare('SELECT count(*) FROM face_checks').pluck().get());
  }
}
