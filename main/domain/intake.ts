/**
 * The intake decision at the counter (受理 / 容缺受理 / 一次性告知 / 不予受理), as pure rules:
 * which materials are still missing once e-licences and credit commitments are counted, whether
 * 容缺 may be used, and whether the credit lists forbid it. The clerk decides; this says what the
 * rules allow and why.
 */
import type { Material, ServiceItem } from './catalog';

export type MaterialStatus =
  | 'provided' // paper brought and checked
  | 'e_licence' // found as 电子证照
  | 'credit_commitment' // replaced by 信用承诺
  | 'tolerated' // 容缺: to be brought later against a commitment
  | 'missing'
  | 'defective'; // brought, but not acceptable (一次性告知 lists it)

export interface MaterialCheck {
  code: string;
  status: MaterialStatus;
  /** What is wrong with a defective material (printed in the 一次性告知书). */
  note?: string;
}

export type CreditStanding = 'good' | 'normal' | 'dishonest' | 'watch';

export interface IntakeAssessment {
  /** Materials neither provided, found, replaced nor tolerated. */
  missing: Material[];
  defective: { material: Material; note: string }[];
  tolerated: Material[];
  /** All materials accounted for without 容缺. */
  complete: boolean;
  /** 受理 possible now (complete, or the gaps are all tolerable and tolerance is permitted). */
  canAccept: boolean;
  /** canAccept only thanks to 容缺 (needs the applicant's signed commitment and a deadline). */
  needsCommitment: boolean;
  /** Reasons the clerk sees when something is refused. */
  reasons: string[];
}

/**
 * Assess a checklist against the catalog item. Applicants on the 失信 list cannot use 容缺 or 信用承诺
 * (hall-domain note); a material the item does not mark as replaceable cannot be replaced.
 */
export function assessIntake(item: ServiceItem, checks: readonly MaterialCheck[], credit: CreditStanding): IntakeAssessment {
  const byCode = new Map(checks.map((c) => [c.code, c]));
  const missing: Material[] = [];
  const defective: { material: Material; note: string }[] = [];
  const tolerated: Material[] = [];
  const reasons: string[] = [];
  const blacklisted = credit === 'dishonest';

  for (const material of item.materials) {
    const check = byCode.get(material.code);
    const status = check?.status ?? 'missing';
    switch (status) {
      case 'provided':
        break;
      case 'e_licence':
        if (material.eLicenceTypes.length === 0) {
          missing.push(material);
          reasons.push(`“${material.name}”不能以电子证照替代`);
        }
        break;
      case 'credit_commitment':
        if (!item.creditCommitmentAllowed || !material.creditCommitmentReplaces) {
          missing.push(material);
          reasons.push(`“${material.name}”不适用信用承诺`);
        } else if (blacklisted) {
          missing.push(material);
          reasons.push(`申请人在失信名单中，不能以信用承诺替代“${material.name}”`);
        }
        break;
      case 'tolerated':
        if (!item.toleranceAllowed || !material.toleratable) {
          missing.push(material);
          reasons.push(`“${material.name}”不可容缺`);
        } else if (blacklisted) {
          missing.push(material);
          reasons.push(`申请人在失信名单中，不能容缺受理“${material.name}”`);
        } else {
          tolerated.push(material);
        }
        break;
      case 'defective':
        defective.push({ material, note: check?.note?.trim() || '材料不符合要求' });
        break;
      case 'missing':
        missing.push(material);
        break;
    }
  }

  const complete = missing.length === 0 && defective.length === 0 && tolerated.length === 0;
  const canAccept = missing.length === 0 && defective.length === 0;
  return { missing, defective, tolerated, complete, canAccept, needsCommitment: canAccept && tolerated.length > 0, reasons };
}

/**
 * The 容缺 commitment deadline must not be later than the promised limit's deadline (hall-domain
 * note). Dates are YYYY-MM-DD.
 */
export function commitmentDeadlineValid(commitmentDeadline: string, promisedDeadline: string, today: string): boolean {
  return commitmentDeadline >= today && commitmentDeadline <= promisedDeadline;
}
