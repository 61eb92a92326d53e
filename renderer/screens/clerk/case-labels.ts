/** How cases read on the clerk's screens (labels and colours); the state names come from the contract. */
import { CASE_STATE_LABELS, type CaseStateName, type DEADLINE_LEVELS, type FEE_STATUSES, type MaterialStatusName } from '../../../preload/case-contract';

/** The contract's labels (one definition for main, paper and screens). */
export const CASE_STATE_TEXT: Record<CaseStateName, string> = CASE_STATE_LABELS;

export const CASE_STATE_COLORS: Partial<Record<CaseStateName, string>> = {
  accepted: 'blue',
  reviewing: 'processing',
  paused: 'orange',
  correction: 'gold',
  rejected: 'red',
  denied: 'red',
  withdrawn: 'default',
  approved: 'green',
  completed: 'green',
  delivered: 'cyan',
  archived: 'default',
};

export type DeadlineLevel = (typeof DEADLINE_LEVELS)[number];
export const DEADLINE_TAG: Record<DeadlineLevel, { color: string; text: string }> = {
  none: { color: 'default', text: '' },
  ok: { color: 'default', text: '' },
  warning: { color: 'gold', text: '临期' },
  overdue: { color: 'red', text: '超期' },
};
export const DEADLINE_ROW_BG: Record<DeadlineLevel, string | undefined> = {
  none: undefined,
  ok: undefined,
  warning: '#fffbe6',
  overdue: '#fff1f0',
};

export const FEE_TEXT: Record<(typeof FEE_STATUSES)[number], string> = { none: '免费', unpaid: '未缴', paid: '已缴' };

/** A chip's colour once chosen (antd Button color presets). */
export const MATERIAL_STATUS_COLORS: Record<MaterialStatusName, 'green' | 'cyan' | 'purple' | 'orange' | 'red' | 'volcano'> = {
  provided: 'green',
  e_licence: 'cyan',
  credit_commitment: 'purple',
  tolerated: 'orange',
  missing: 'red',
  defective: 'volcano',
};

export const PAUSE_REASONS = [
  { value: 'correction', label: '补正' },
  { value: 'hearing', label: '听证' },
  { value: 'appraisal', label: '鉴定' },
] as const;
