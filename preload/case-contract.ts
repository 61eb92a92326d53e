/**
 * Shapes of the counter's intake, cases, catalog, ratings and kiosk look-ups as they cross the
 * HallApi contract. Imports nothing but zod (preload rule). Personal data crosses only masked.
 */
import { z } from 'zod';

const IsoTime = z.string().datetime({ offset: true });
const IsoDate = z.iso.date();
const Code = z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/);
/** One line a clerk typed: no control characters. */
const Text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((s) => !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(s), '不能包含控制字符');

// ---------- catalog ----------

export const MATERIAL_FORMS = ['original', 'copy', 'original_and_copy'] as const;
export const MATERIAL_FORM_LABELS: Record<(typeof MATERIAL_FORMS)[number], string> = {
  original: '原件',
  copy: '复印件',
  original_and_copy: '原件及复印件',
};

export const CatalogMaterialView = z.object({
  code: z.string(),
  name: z.string(),
  form: z.enum(MATERIAL_FORMS),
  count: z.number().int(),
  eLicenceTypes: z.array(z.string()),
  toleratable: z.boolean(),
  creditCommitmentReplaces: z.boolean(),
});
export type CatalogMaterialView = z.infer<typeof CatalogMaterialView>;

export const CatalogItemView = z.object({
  code: z.string(),
  name: z.string(),
  department: z.string(),
  kind: z.enum(['on_the_spot', 'promised']),
  legalLimitDays: z.number().int(),
  promisedLimitDays: z.number().int(),
  serviceGroup: z.string(),
  materials: z.array(CatalogMaterialView),
  fees: z.array(z.object({ code: z.string(), name: z.string(), amountFen: z.number().int() })),
  completeWithFeesUnpaid: z.boolean(),
  toleranceAllowed: z.boolean(),
  creditCommitmentAllowed: z.boolean(),
});
export type CatalogItemView = z.infer<typeof CatalogItemView>;

export const ITEM_KIND_LABELS = { on_the_spot: '即办件', promised: '承诺件' } as const;

// ---------- intake (实名实人 → 受理) ----------

/** How each material of the item stands at the counter (mirrors main/domain/intake.ts). */
export const MATERIAL_STATUSES = ['provided', 'e_licence', 'credit_commitment', 'tolerated', 'missing', 'defective'] as const;
export type MaterialStatusName = (typeof MATERIAL_STATUSES)[number];
export const MATERIAL_STATUS_LABELS: Record<MaterialStatusName, string> = {
  provided: '已收',
  e_licence: '电子证照',
  credit_commitment: '信用承诺',
  tolerated: '容缺',
  missing: '缺',
  defective: '需补正',
};

export const MaterialCheckInput = z
  .object({
    code: Code,
    status: z.enum(MATERIAL_STATUSES),
    /** What is wrong with a defective material (printed in the 一次性告知书). */
    note: Text(200).optional(),
  })
  .strict();
export type MaterialCheckInput = z.infer<typeof MaterialCheckInput>;

/** A person as the counter screen shows them: masked. */
export const PersonView = z.object({
  nameMasked: z.string(),
  idNumberMasked: z.string(),
  kindLabel: z.string(),
  validTo: z.string(),
  expired: z.boolean(),
  idNumberValid: z.boolean(),
});
export type PersonView = z.infer<typeof PersonView>;

export const CREDIT_STANDINGS = ['good', 'normal', 'dishonest', 'watch'] as const;
export const CREDIT_STANDING_LABELS: Record<(typeof CREDIT_STANDINGS)[number], string> = {
  good: '守信',
  normal: '无记录',
  dishonest: '失信被执行人',
  watch: '重点关注',
};

export const CreditView = z.object({
  standing: z.enum(CREDIT_STANDINGS),
  /** Joint measures (联合奖惩) that apply to the chosen service item. */
  measures: z.array(z.string()),
  listVersion: z.string().nullable(),
});
export type CreditView = z.infer<typeof CreditView>;

export const IDENTITY_STATUSES = ['none', 'face_match', 'manual_override'] as const;

export const IntakeView = z.object({
  id: z.string(),
  ticketId: z.string().nullable(),
  ticketNumber: z.string().nullable(),
  /** The hall's business day (China time), for date pickers: the machine's time zone may differ. */
  today: IsoDate,
  startedAt: IsoTime,
  updatedAt: IsoTime,
  /** 代办: someone applies on the applicant's behalf; both cards are recorded. */
  agentApplication: z.boolean(),
  applicant: PersonView.nullable(),
  agent: PersonView.nullable(),
  /** 实人: the person at the counter (the agent for 代办) matched their card, or the clerk overrode with a reason. */
  identity: z.object({ status: z.enum(IDENTITY_STATUSES), faceCheckId: z.string().nullable() }),
  /** The ticket was taken with an ID card and the applicant's card is a different one: blocking. */
  ticketMismatch: z.boolean(),
  credit: CreditView.nullable(),
  serviceItemCode: z.string().nullable(),
  materials: z.array(MaterialCheckInput),
  commitmentDeadline: IsoDate.nullable(),
  notes: z.string(),
  /** What the rules say about the checklist (null until an item is chosen). */
  assessment: z
    .object({
      canAccept: z.boolean(),
      needsCommitment: z.boolean(),
      complete: z.boolean(),
      missing: z.array(z.string()),
      defective: z.array(z.object({ name: z.string(), note: z.string() })),
      tolerated: z.array(z.string()),
      reasons: z.array(z.string()),
    })
    .nullable(),
  /** Due date if accepted now (null for 即办件 or before an item is chosen). */
  promisedDeadline: IsoDate.nullable(),
  feeTotalFen: z.number().int().nonnegative(),
  /** Why 受理 is not possible now, as sentences a clerk understands (empty = may accept). */
  blockers: z.array(z.string()),
  /** Calendar years without holiday data the deadline crosses (the UI warns). */
  calendarWarnings: z.array(z.string()),
});
export type IntakeView = z.infer<typeof IntakeView>;

export const IntakeUpdate = z
  .object({
    agentApplication: z.boolean().optional(),
    serviceItemCode: Code.nullable().optional(),
    materials: z.array(MaterialCheckInput).max(60).optional(),
    commitmentDeadline: IsoDate.nullable().optional(),
    notes: Text(1000).optional(),
  })
  .strict();
export type IntakeUpdate = z.infer<typeof IntakeUpdate>;

export const INTAKE_DECISIONS = ['accept', 'correction', 'refuse'] as const;
export const INTAKE_DECISION_LABELS = { accept: '受理', correction: '一次性告知', refuse: '不予受理' } as const;

export const CreditDecision = z
  .object({
    /** apply = the joint measures are applied; waive = not applied, with the reason (不执行). */
    action: z.enum(['apply', 'waive']),
    reason: Text(500).optional(),
  })
  .strict();

export const IntakeDecision = z
  .object({
    decision: z.enum(INTAKE_DECISIONS),
    /** Required for 不予受理. */
    reason: Text(1000).optional(),
    /** Required when the applicant is on a credit list. */
    credit: CreditDecision.optional(),
    /** Date the applicant should come back with the corrected materials (一次性告知). */
    returnBy: IsoDate.optional(),
  })
  .strict();
export type IntakeDecision = z.infer<typeof IntakeDecision>;

// ---------- cases ----------

export const CASE_STATE_NAMES = [
  'draft',
  'received',
  'correction',
  'rejected',
  'accepted',
  'reviewing',
  'paused',
  'approved',
  'denied',
  'completed',
  'delivered',
  'archived',
  'withdrawn',
] as const;
export type CaseStateName = (typeof CASE_STATE_NAMES)[number];
/** How a case's state reads on every screen, in every message and on paper. */
export const CASE_STATE_LABELS: Record<CaseStateName, string> = {
  draft: '待接件',
  received: '已接件',
  correction: '补齐补正',
  rejected: '不予受理',
  accepted: '已受理',
  reviewing: '审查中',
  paused: '暂停',
  approved: '准予',
  denied: '不予许可',
  completed: '办结',
  delivered: '已送达',
  archived: '归档',
  withdrawn: '已撤件',
};

export const DEADLINE_LEVELS = ['none', 'ok', 'warning', 'overdue'] as const;
export const FEE_STATUSES = ['none', 'unpaid', 'paid'] as const;

export const CaseRow = z.object({
  id: z.string(),
  receiptNo: z.string(),
  serviceItemCode: z.string(),
  serviceItemName: z.string(),
  state: z.enum(CASE_STATE_NAMES),
  stateLabel: z.string(),
  applicantMasked: z.string().nullable(),
  createdAt: IsoTime,
  deadline: IsoDate.nullable(),
  deadlineLevel: z.enum(DEADLINE_LEVELS),
  tolerated: z.boolean(),
  commitmentDeadline: IsoDate.nullable(),
  commitmentOverdue: z.boolean(),
  feeStatus: z.enum(FEE_STATUSES),
  feeTotalFen: z.number().int().nonnegative(),
  counterNumber: z.number().int().nullable(),
});
export type CaseRow = z.infer<typeof CaseRow>;

export const CaseEventView = z.object({
  fromState: z.enum(CASE_STATE_NAMES).nullable(),
  toState: z.enum(CASE_STATE_NAMES),
  at: IsoTime,
  actor: z.string(),
  reason: z.string().nullable(),
});

export const DOCUMENT_KINDS = ['acceptance-receipt', 'correction-notice', 'refusal-decision', 'payment-notice'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
export const DOCUMENT_LABELS: Record<DocumentKind, string> = {
  'acceptance-receipt': '受理回执',
  'correction-notice': '一次性告知书',
  'refusal-decision': '不予受理决定书',
  'payment-notice': '缴款通知',
};

export const CaseDetail = CaseRow.extend({
  agentMasked: z.string().nullable(),
  materials: z.array(MaterialCheckInput.extend({ name: z.string() })),
  fees: z.array(z.object({ code: z.string(), name: z.string(), amountFen: z.number().int() })),
  paymentCode: z.string().nullable(),
  paidAt: IsoTime.nullable(),
  paidVia: z.string().nullable(),
  events: z.array(CaseEventView),
  /** Documents this case has (printable / exportable). */
  documents: z.array(z.enum(DOCUMENT_KINDS)),
  /** What the clerk may do now. */
  actions: z.array(z.string()),
});
export type CaseDetail = z.infer<typeof CaseDetail>;

export const CASE_ACTIONS = [
  'withdraw', // 撤件 (reason)
  'complete', // 办结 an on-the-spot case (审查 → 准予 → 办结)
  'fulfil_commitment', // the 容缺 material arrived
  'start_review',
  'pause', // 暂停 (pauseReason)
  'resume',
  'approve',
  'deny', // 不予许可 (reason)
  'deliver',
  'archive',
] as const;
export const CASE_ACTION_LABELS: Record<(typeof CASE_ACTIONS)[number], string> = {
  withdraw: '撤件',
  complete: '办结',
  fulfil_commitment: '容缺材料已补齐',
  start_review: '开始审查',
  pause: '暂停',
  resume: '恢复审查',
  approve: '准予',
  deny: '不予许可',
  deliver: '出证送达',
  archive: '归档',
};

export const CaseListQuery = z
  .object({
    scope: z.enum(['mine', 'counter', 'hall']).default('counter'),
    states: z.array(z.enum(CASE_STATE_NAMES)).max(13).optional(),
    /** Only open cases whose deadline is this colour. */
    level: z.enum(['warning', 'overdue']).optional(),
    commitmentOverdue: z.boolean().optional(),
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    serviceItemCode: Code.optional(),
    receiptNo: z.string().trim().max(64).optional(),
    limit: z.number().int().min(1).max(200).default(50),
    offset: z.number().int().min(0).max(100_000).default(0),
  })
  .strict();
export type CaseListQuery = z.input<typeof CaseListQuery>;

export const TodaySummary = z.object({
  date: IsoDate,
  ticketsServed: z.number().int(),
  casesAccepted: z.number().int(),
  tolerated: z.number().int(),
  corrections: z.number().int(),
  refusals: z.number().int(),
  averageHandlingMinutes: z.number().nullable(),
  openWarning: z.number().int(),
  openOverdue: z.number().int(),
  commitmentsOverdue: z.number().int(),
});
export type TodaySummary = z.infer<typeof TodaySummary>;

export const DecisionResult = z.object({
  case: CaseDetail,
  /** Print jobs queued for the documents of this decision. */
  printJobIds: z.array(z.string()),
});

// ---------- ratings (好差评) and kiosk look-ups ----------

export const RatingRequestView = z.object({
  id: z.string(),
  counterNumber: z.number().int().nullable(),
  /** What was handled (service item name), never who handled it or who is rated. */
  serviceItemName: z.string().nullable(),
  createdAt: IsoTime,
});
export type RatingRequestView = z.infer<typeof RatingRequestView>;

export const RATING_REASONS = ['等候时间长', '办事效率低', '态度不好', '指引不清楚', '材料要求反复', '系统故障', '其他'] as const;
/** The five levels as the pad, the kiosk and the ledger word them (main/domain/rating.ts uses the same). */
export const RATING_LEVEL_LABELS = { 5: '非常满意', 4: '满意', 3: '基本满意', 2: '不满意', 1: '非常不满意' } as const;

export const RatingSubmit = z
  .object({
    requestId: z.string().min(1).max(64),
    level: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]),
    reasons: z.array(z.enum(RATING_REASONS)).max(RATING_REASONS.length).default([]),
    comment: Text(300).optional(),
  })
  .strict();

export const CallbackView = z.object({
  id: z.string(),
  ratingLevel: z.number().int(),
  reasons: z.array(z.string()),
  counterNumber: z.number().int().nullable(),
  receiptNo: z.string().nullable(),
  openedAt: IsoTime,
  fixDeadline: IsoDate,
  deadlineLevel: z.enum(DEADLINE_LEVELS),
  state: z.enum(['open', 'closed']),
  closedAt: IsoTime.nullable(),
  note: z.string().nullable(),
});
export type CallbackView = z.infer<typeof CallbackView>;

/** 查询办件 at the kiosk: status only, no personal data. */
export const PublicCaseStatus = z.object({
  receiptNo: z.string(),
  serviceItemName: z.string(),
  stateLabel: z.string(),
  deadline: IsoDate.nullable(),
  /** The QR's console signature checked out (null when looked up by number only). */
  signatureValid: z.boolean().nullable(),
  /** Present when this handling has not been rated yet (kiosk 评价). */
  ratingRequestId: z.string().nullable(),
});
export type PublicCaseStatus = z.infer<typeof PublicCaseStatus>;
