/**
 * 信用+ at intake: the hub distributes the 失信被执行人 / 重点关注 lists as hashes of ID numbers with
 * their joint measures (联合奖惩); the console checks offline. A hit shows the measures that apply to
 * the chosen service item; the clerk applies them or records why not (不执行 + reason), audited.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const CreditMeasure = z
  .object({
    /** What the measure does, e.g. "限制适用容缺受理" (shown to the clerk). */
    text: z.string().min(1).max(200),
    /** Service item codes it applies to; empty = every item. */
    items: z.array(z.string().min(1).max(40)).max(500).default([]),
  })
  .strict();
export type CreditMeasure = z.infer<typeof CreditMeasure>;

/**
 * The hash the hub publishes: SHA-256 over a fixed domain tag and the normalised ID number (trimmed,
 * upper-case X). The same on every console and at the hub, unlike the per-console blind index.
 */
export function creditHash(idNumber: string): string {
  const normalised = idNumber.trim().toUpperCase().replace(/\s+/g, '');
  return createHash('sha256').update(`hall-credit:v1:${normalised}`, 'utf8').digest('hex');
}

/** The measures of a list entry that apply to one service item. */
export function measuresFor(measures: readonly CreditMeasure[], itemCode: string | null): string[] {
  return measures.filter((m) => m.items.length === 0 || (itemCode !== null && m.items.includes(itemCode))).map((m) => m.text);
}

export type CreditAction = { action: 'apply' } | { action: 'waive'; reason: string };

/**
 * Whether the clerk's credit decision is complete: a listed applicant (dishonest/watch) with measures
 * for this item needs apply, or waive with a reason. Returns the refusal sentence or null.
 */
export function creditDecisionProblem(standing: 'good' | 'normal' | 'dishonest' | 'watch', measures: readonly string[], decision: { action: 'apply' | 'waive'; reason?: string } | undefined): string | null {
  if (standing !== 'dishonest' && standing !== 'watch') return null;
  if (measures.length === 0) return null;
  if (!decision) return '申请人在信用名单中：请选择执行联合惩戒措施，或填写不执行的原因';
  if (decision.action === 'waive' && !decision.reason?.trim()) return '不执行联合惩戒措施须填写原因';
  return null;
}
