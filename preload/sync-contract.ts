/**
 * Shapes of the sync screens as they cross the HallApi contract (issue 6): the needs-correction list
 * (待更正) and the supervisor's hall-wide case view (全厅办件). Imports nothing but zod (preload rule).
 * Nothing personal crosses: a correction shows the type, the receipt/ticket reference and the hub's
 * reason, never the payload; a hall case carries no applicant at all.
 */
import { z } from 'zod';
import { CASE_STATE_NAMES, DEADLINE_LEVELS } from './case-contract';

const IsoTime = z.string().datetime({ offset: true });
const IsoDate = z.iso.date();
/** One line a person typed: no control characters. */
const Text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(s), '不能包含控制字符');

// ---------- needs correction (待更正) ----------

export const SyncCorrection = z.object({
  /** The rejected outbox row. */
  seq: z.number().int().positive(),
  type: z.string(),
  /** 受理, 办件状态变更, 取号 … (the raw type when unknown). */
  typeLabel: z.string(),
  /** Receipt number or ticket number the row is about, when it carries one. */
  reference: z.string().nullable(),
  /** The hub's reason as sent (printable, ≤ 500). */
  reason: z.string(),
  /** The reason in Chinese when it is a known one, else null (the screen shows the raw reason). */
  reasonText: z.string().nullable(),
  rejectedAt: IsoTime.nullable(),
  createdAt: IsoTime,
  /** The counter the row belongs to (number), when known. */
  counterNumber: z.number().int().nullable(),
});
export type SyncCorrection = z.infer<typeof SyncCorrection>;

export const SyncCorrectionList = z.object({ rows: z.array(SyncCorrection), total: z.number().int().nonnegative() });
export type SyncCorrectionList = z.infer<typeof SyncCorrectionList>;

export const SyncResendInput = z.object({ seq: z.number().int().positive() }).strict();
export const SyncResendResult = z.object({ seq: z.number().int().positive(), newSeq: z.number().int().positive() });
export const SyncDismissInput = z.object({ seq: z.number().int().positive(), reason: Text(200) }).strict();
export const SyncDismissResult = z.object({ seq: z.number().int().positive() });

// ---------- hall-wide cases (全厅办件) ----------

export const HallCaseRow = z.object({
  caseId: z.string(),
  receiptNo: z.string().nullable(),
  serviceItemCode: z.string().nullable(),
  serviceItemName: z.string().nullable(),
  /** Null until the case's 受理 event has arrived. */
  state: z.enum(CASE_STATE_NAMES).nullable(),
  stateLabel: z.string(),
  counterId: z.string().nullable(),
  counterNumber: z.number().int().nullable(),
  consoleId: z.string(),
  acceptedAt: IsoTime.nullable(),
  updatedAt: IsoTime,
  deadline: IsoDate.nullable(),
  deadlineLevel: z.enum(DEADLINE_LEVELS),
  tolerated: z.boolean(),
});
export type HallCaseRow = z.infer<typeof HallCaseRow>;

export const HallCaseQuery = z
  .object({
    state: z.enum(CASE_STATE_NAMES).optional(),
    counterId: z.string().min(1).max(64).optional(),
    /** Only open cases whose deadline is this colour. */
    deadlineLevel: z.enum(['warning', 'overdue']).optional(),
    limit: z.number().int().min(1).max(500).default(200),
  })
  .strict();
export type HallCaseQuery = z.input<typeof HallCaseQuery>;

export const HallCaseList = z.object({
  rows: z.array(HallCaseRow),
  hasMore: z.boolean(),
  /** Whether this console downloads the hall_cases bucket at all (a supervisor station). */
  enabled: z.boolean(),
  /** When the feed was last brought up to date (the bucket's checkpoint), null when never. */
  syncedAt: IsoTime.nullable(),
});
export type HallCaseList = z.infer<typeof HallCaseList>;
