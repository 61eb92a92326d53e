/**
 * The case (办件) state machine of the hall-domain note, as one pure module with a transition table.
 * Services ask it before writing anything; the store then writes the case, its audit record
 * (case_events) and the outbox row in one transaction.
 *
 *   draft → received → rejected (不予受理, decision notice)
 *                    → correction (一次性告知, lists every missing/defective material) → received
 *                    → received (当场更正: corrected on the spot, stays received)
 *                    → accepted (受理; may be 容缺 with a commitment deadline)
 *   accepted → reviewing ⇄ paused (补正/听证/鉴定: the clock stops)
 *   reviewing → approved | denied → completed → delivered → archived
 *   withdrawn (撤件) from any state before the decision.
 */
// Case states cross the contract; the rules about them live here.
export { CASE_STATE_LABELS, CASE_STATE_NAMES as CASE_STATES } from '../../preload/case-contract';
import type { CaseStateName } from '../../preload/case-contract';
import { CASE_STATE_LABELS } from '../../preload/case-contract';
export type CaseState = CaseStateName;

/** What each edge needs besides the actor and time (which every transition records). */
type Requirement = 'none' | 'reason' | 'materials' | 'pause_reason';

/** The transition table: from → to → what the transition needs. */
const TABLE: Readonly<Record<CaseState, Partial<Record<CaseState, Requirement>>>> = {
  draft: { received: 'none', withdrawn: 'reason' },
  received: { received: 'reason', rejected: 'reason', correction: 'materials', accepted: 'none', withdrawn: 'reason' },
  correction: { received: 'none', withdrawn: 'reason' },
  accepted: { reviewing: 'none', withdrawn: 'reason' },
  reviewing: { paused: 'pause_reason', approved: 'none', denied: 'reason', withdrawn: 'reason' },
  paused: { reviewing: 'none', withdrawn: 'reason' },
  approved: { completed: 'none' },
  denied: { completed: 'none' },
  completed: { delivered: 'none' },
  delivered: { archived: 'none' },
  rejected: {},
  archived: {},
  withdrawn: {},
};

export const PAUSE_REASONS = ['correction', 'hearing', 'appraisal'] as const; // 补正, 听证, 鉴定
export type PauseReason = (typeof PAUSE_REASONS)[number];

export interface TransitionRequest {
  from: CaseState;
  to: CaseState;
  /** Required for 不予受理, 当场更正 (what was corrected), 不予许可 and 撤件. */
  reason?: string | null;
  /** Required for 一次性告知: every missing or defective material, at once. */
  missingMaterials?: readonly string[];
  pauseReason?: PauseReason;
}

export type TransitionRefusal = { ok: false; code: 'not_allowed' | 'reason_required' | 'materials_required' | 'pause_reason_required'; message: string };
export type TransitionResult = { ok: true; from: CaseState; to: CaseState; requirement: Requirement } | TransitionRefusal;

export function allowedTransitions(from: CaseState): CaseState[] {
  return Object.keys(TABLE[from]) as CaseState[];
}

export function isTerminal(state: CaseState): boolean {
  return allowedTransitions(state).length === 0;
}

/** States in which the legal clock runs (paused and decided cases do not count time). */
export function clockRuns(state: CaseState): boolean {
  return state === 'accepted' || state === 'reviewing';
}

/** Decide one transition. Pure: the caller records actor, time and the audit row. */
export function transition(request: TransitionRequest): TransitionResult {
  const { from, to } = request;
  const requirement = TABLE[from][to];
  if (requirement === undefined) {
    return {
      ok: false,
      code: 'not_allowed',
      message: `办件处于“${CASE_STATE_LABELS[from]}”，不能转为“${CASE_STATE_LABELS[to]}”`,
    };
  }
  if (requirement === 'reason' && !request.reason?.trim()) {
    return { ok: false, code: 'reason_required', message: `转为“${CASE_STATE_LABELS[to]}”须填写原因` };
  }
  if (requirement === 'materials') {
    const materials = (request.missingMaterials ?? []).map((m) => m.trim()).filter(Boolean);
    if (materials.length === 0) {
      return { ok: false, code: 'materials_required', message: '一次性告知须列明全部需补齐补正的材料' };
    }
  }
  if (requirement === 'pause_reason' && !request.pauseReason) {
    return { ok: false, code: 'pause_reason_required', message: '暂停须选择原因（补正、听证或鉴定）' };
  }
  return { ok: true, from, to, requirement };
}

/**
 * 行政许可法 §32: a case received (已接件) for which no one-time correction notice was issued within
 * five working days counts as accepted from the day it was received. `workingDaysSinceReceipt` comes
 * from the working-day calendar (main/domain/calendar.ts).
 */
export function deemedAcceptedBySection32(state: CaseState, workingDaysSinceReceipt: number): boolean {
  return state === 'received' && workingDaysSinceReceipt > 5;
}
