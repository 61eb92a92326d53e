/**
 * The service catalog (事项 / 办事指南): data synced from the hub, seeded from a JSON file for a new
 * hall. This module is its schema and its search (name, code, pinyin initials) — one implementation
 * for the counter and the kiosk.
 */
import { pinyin } from 'pinyin-pro';
import { z } from 'zod';

const Code = z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'codes are letters, digits, _ . -');

export const Material = z
  .object({
    code: Code,
    name: z.string().min(1).max(100),
    /** 原件 / 复印件 / 原件及复印件 */
    form: z.enum(['original', 'copy', 'original_and_copy']),
    count: z.number().int().min(1).max(99),
    /** e-licence (电子证照) types that replace this material when found. */
    eLicenceTypes: z.array(z.string().min(1).max(60)).default([]),
    /** 容缺: may be brought later against a signed commitment. */
    toleratable: z.boolean().default(false),
    /** 信用承诺 may replace this material entirely. */
    creditCommitmentReplaces: z.boolean().default(false),
  })
  .strict();
export type Material = z.infer<typeof Material>;

export const FeeItem = z
  .object({
    code: Code,
    name: z.string().min(1).max(100),
    /** Integer fen (分): money is never a float. */
    amountFen: z.number().int().min(0).max(100_000_000),
  })
  .strict();
export type FeeItem = z.infer<typeof FeeItem>;

export const ServiceItem = z
  .object({
    code: Code,
    name: z.string().min(1).max(100),
    department: z.string().min(1).max(60),
    /** 即办件 done on the spot / 承诺件 done within the promised limit. */
    kind: z.enum(['on_the_spot', 'promised']),
    /** 法定时限 and 承诺时限, in working days (promised ≤ legal). */
    legalLimitDays: z.number().int().min(0).max(365),
    promisedLimitDays: z.number().int().min(0).max(365),
    /** Ticket prefix / queue group this item is served in. */
    serviceGroup: z.string().regex(/^[A-Z]{1,2}$/),
    materials: z.array(Material).max(60),
    fees: z.array(FeeItem).max(20).default([]),
    /** Some items may be completed before the fee is paid (e.g. paid at certificate pickup). */
    completeWithFeesUnpaid: z.boolean().default(false),
    /** Whether 容缺受理 is offered for this item at all. */
    toleranceAllowed: z.boolean().default(false),
    /** Whether 信用承诺 may replace materials or proofs for this item. */
    creditCommitmentAllowed: z.boolean().default(false),
  })
  .strict()
  .superRefine((item, ctx) => {
    if (item.promisedLimitDays > item.legalLimitDays) {
      ctx.addIssue({ code: 'custom', path: ['promisedLimitDays'], message: '承诺时限不得超过法定时限' });
    }
    if (item.kind === 'on_the_spot' && item.promisedLimitDays !== 0) {
      ctx.addIssue({ code: 'custom', path: ['promisedLimitDays'], message: '即办件的承诺时限应为 0' });
    }
    const codes = new Set<string>();
    for (const m of item.materials) {
      if (codes.has(m.code)) ctx.addIssue({ code: 'custom', path: ['materials'], message: `材料编码重复：${m.code}` });
      codes.add(m.code);
    }
    if (!item.toleranceAllowed && item.materials.some((m) => m.toleratable)) {
      ctx.addIssue({ code: 'custom', path: ['materials'], message: '事项未开通容缺受理，材料不能标为可容缺' });
    }
  });
export type ServiceItem = z.infer<typeof ServiceItem>;

export const CatalogFile = z
  .object({ version: z.literal(1), items: z.array(ServiceItem) })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    for (const item of file.items) {
      if (seen.has(item.code)) ctx.addIssue({ code: 'custom', path: ['items'], message: `事项编码重复：${item.code}` });
      seen.add(item.code);
    }
  });
export type CatalogFile = z.infer<typeof CatalogFile>;

/** 不动产登记 → "bdcdj": first letters of each character's pinyin (non-Han kept as lower-case). */
export function pinyinInitials(text: string): string {
  return pinyin(text, { pattern: 'first', toneType: 'none', type: 'array', nonZh: 'consecutive' })
    .join('')
    .toLowerCase()
    .replace(/\s+/g, '');
}

export interface CatalogIndexEntry {
  item: ServiceItem;
  initials: string;
  lowerCode: string;
}

export function indexCatalog(items: readonly ServiceItem[]): CatalogIndexEntry[] {
  return items.map((item) => ({ item, initials: pinyinInitials(item.name), lowerCode: item.code.toLowerCase() }));
}

/**
 * Search by name (substring), code (prefix) or pinyin initials (prefix scores above substring).
 * Best matches first; an empty query lists nothing.
 */
export function searchCatalog(index: readonly CatalogIndexEntry[], query: string, limit = 20): ServiceItem[] {
  const q = query.trim();
  if (!q) return [];
  const lower = q.toLowerCase();
  const scored: { entry: CatalogIndexEntry; score: number }[] = [];
  for (const entry of index) {
    let score = 0;
    if (entry.lowerCode === lower) score = 100;
    else if (entry.item.name === q) score = 95;
    else if (entry.lowerCode.startsWith(lower)) score = 80;
    else if (entry.item.name.startsWith(q)) score = 70;
    else if (entry.initials.startsWith(lower)) score = 60;
    else if (entry.item.name.includes(q)) score = 50;
    else if (/^[a-z]+$/.test(lower) && entry.initials.includes(lower)) score = 30;
    if (score > 0) scored.push({ entry, score });
  }
  scored.sort((a, b) => b.score - a.score || a.entry.item.name.length - b.entry.item.name.length || (a.entry.item.code < b.entry.item.code ? -1 : 1));
  return scored.slice(0, limit).map((s) => s.entry.item);
}
