/**
 * 查看完整信息: the audited reveal of one personal field of a case (security note: "masking in the UI
 * by default, reveal is an audited action"). Imports zod only, like the contract.
 */
import { z } from 'zod';

export const REVEAL_FIELDS = [
  'applicant.name',
  'applicant.idNumber',
  'applicant.phone',
  'applicant.address',
  'agent.name',
  'agent.idNumber',
] as const;
export type RevealField = (typeof REVEAL_FIELDS)[number];

export const REVEAL_FIELD_LABELS: Record<RevealField, string> = {
  'applicant.name': '申请人姓名',
  'applicant.idNumber': '申请人证件号码',
  'applicant.phone': '申请人联系电话',
  'applicant.address': '申请人住址',
  'agent.name': '代办人姓名',
  'agent.idNumber': '代办人证件号码',
};

export const RevealRequest = z
  .object({
    /** The case id. */
    id: z.string().min(1).max(64),
    field: z.enum(REVEAL_FIELDS),
    /** Why the supervisor needs the clear value (kept in the audit log; the value never is). */
    reason: z.string().trim().min(2).max(200),
  })
  .strict();
export type RevealRequest = z.infer<typeof RevealRequest>;

export const RevealResult = z.object({
  field: z.enum(REVEAL_FIELDS),
  /** The clear value; null when the case has none (no agent, no phone) or it was purged (retention). */
  value: z.string().max(500).nullable(),
  /** Why the value is null. */
  absent: z.enum(['not_recorded', 'purged']).nullable(),
  revealedAt: z.string().datetime({ offset: true }),
  /** The audit row that records this reveal. */
  auditId: z.number().int().positive(),
});
export type RevealResult = z.infer<typeof RevealResult>;
