/**
 * Typed receipt documents and their one rendering to receiptline markup.
 *
 * A document holds only what is printed, and personal data only in masked form (hall-domain: "personal
 * data on paper is masked: 张*三, 4201**********1234"). The schemas refuse an unmasked name or ID number,
 * so a document can be stored in the print queue as plain JSON without field encryption. Build
 * documents with `acceptanceReceipt()` (it masks) rather than by hand.
 */
import { z } from 'zod';
import { maskIdNumber, maskName } from '../../main/domain/masking';

/** One printed line of text: no control characters, bounded. */
const Line = z
  .string()
  .min(1)
  .max(200)
  .refine((s) => !/[\x00-\x1f\x7f]/.test(s), 'must be one line without control characters');

/** A masked name (张*三, 欧**明, J*** S****): at least one `*`. */
const MaskedName = z.string().min(1).max(64).refine((s) => s.includes('*'), 'must be masked (maskName)');
/** A masked ID number: at most 4 + 4 characters in clear around the stars. */
const MaskedId = z.string().regex(/^[0-9A-Za-z]{0,4}\*+[0-9A-Za-z]{0,4}$/, 'must be masked (maskIdNumber)');
const IsoTime = z.iso.datetime({ offset: true });
const IsoDate = z.iso.date();

export const MATERIAL_FORMS = ['original', 'copy', 'electronic'] as const;
export const Material = z.object({
  name: Line,
  form: z.enum(MATERIAL_FORMS).nullable(),
  count: z.number().int().positive().max(99).nullable(),
});
export type Material = z.infer<typeof Material>;

/** 受理回执: given to the applicant when a case is accepted. */
export const AcceptanceReceipt = z.object({
  kind: z.literal('acceptance-receipt'),
  hallName: Line,
  /** 办件编号, e.g. HALL01-20261126-C03-0042. */
  receiptNo: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
  serviceItem: Line,
  applicantName: MaskedName,
  applicantId: MaskedId,
  acceptedAt: IsoTime,
  /** Promised completion date (YYYY-MM-DD, local); null for an on-the-spot item (即办件). */
  promisedDeadline: IsoDate.nullable(),
  materials: z.array(Material).max(40),
  clerk: MaskedName,
  /** e.g. "3号窗口". */
  counter: Line,
  /** What the QR encodes (receipt number + console signature, built by the caller). */
  qrPayload: z.string().min(1).max(512),
});
export type AcceptanceReceipt = z.infer<typeof AcceptanceReceipt>;

/** 打印测试页: the technician's self-test (also a quick check that Chinese and rare characters print). */
export const TestPage = z.object({
  kind: z.literal('test-page'),
  hallName: Line,
  printerLabel: Line,
  printedAt: IsoTime,
});
export type TestPage = z.infer<typeof TestPage>;

export const ReceiptDocument = z.discriminatedUnion('kind', [AcceptanceReceipt, TestPage]);
export type ReceiptDocument = z.infer<typeof ReceiptDocument>;
export type ReceiptKind = ReceiptDocument['kind'];
export const RECEIPT_KINDS: readonly ReceiptKind[] = ['acceptance-receipt', 'test-page'];

export interface AcceptanceReceiptInput {
  hallName: string;
  receiptNo: string;
  serviceItem: string;
  /** Clear applicant data: masked here, never stored in the document. */
  applicant: { name: string; idNumber: string };
  acceptedAt: Date | string;
  promisedDeadline: string | null;
  materials: { name: string; form?: Material['form']; count?: number | null }[];
  /** Clerk display name (masked here). */
  clerkName: string;
  counter: string;
  qrPayload: string;
}

/** Builds a 受理回执 from clear data, masking the applicant and the clerk. Throws ZodError on bad input. */
export function acceptanceReceipt(input: AcceptanceReceiptInput): AcceptanceReceipt {
  return AcceptanceReceipt.parse({
    kind: 'acceptance-receipt',
    hallName: input.hallName,
    receiptNo: input.receiptNo,
    serviceItem: input.serviceItem,
    applicantName: maskName(input.applicant.name),
    applicantId: maskIdNumber(input.applicant.idNumber),
    acceptedAt: new Date(input.acceptedAt).toISOString(),
    promisedDeadline: input.promisedDeadline,
    materials: input.materials.map((m) => ({ name: m.name, form: m.form ?? null, count: m.count ?? null })),
    clerk: maskName(input.clerkName),
    counter: input.counter,
    qrPayload: input.qrPayload,
  });
}

export function testPage(input: { hallName: string; printerLabel: string; printedAt: Date | string }): TestPage {
  return TestPage.parse({
    kind: 'test-page',
    hallName: input.hallName,
    printerLabel: input.printerLabel,
    printedAt: new Date(input.printedAt).toISOString(),
  });
}

/** Half-width characters per line: 48 on 80 mm paper (font A), 32 on 58 mm. */
export const DEFAULT_CPL = 48;

export interface MarkupOptions {
  cpl?: number;
  /** Printed again on request (补打): says so on the paper. */
  reprint?: boolean;
}

/** Halls are in China (UTC+8 all year, no DST): times on paper are Beijing time. */
const BEIJING_OFFSET_MS = 8 * 3_600_000;

export function formatBeijingTime(iso: string): string {
  const local = new Date(new Date(iso).getTime() + BEIJING_OFFSET_MS).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 16)}`;
}

/** Escapes text for a receiptline line: its markup characters print as themselves. */
export function escapeText(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, ' ').replace(/[\\|{}\-=~_"`^]/g, '\\$&');
}

/** Escapes a receiptline property value (`{code:…}`). */
export function escapeProperty(value: string): string {
  return value.replace(/[\x00-\x1f\x7f]/g, ' ').replace(/[\\|{};]/g, '\\$&');
}

const FORM_LABEL: Record<(typeof MATERIAL_FORMS)[number], string> = { original: '原件', copy: '复印件', electronic: '电子证照' };

/** `|label |value |` in the two-column block set up by `{w:10,*}`. */
const row = (label: string, value: string): string => `|${escapeText(label)} |${escapeText(value)} |`;
/** A left-aligned single-column line. */
const left = (text: string): string => `|${escapeText(text)} |`;
/** A line of dashes (escaped so receiptline does not turn it into a ruled line its fonts may lack). */
const rule = (cpl: number): string => `\\${'-'.repeat(cpl)}`;
const qr = (payload: string): string => `{code:${escapeProperty(payload)};option:qrcode,5,m}`;

function acceptanceMarkup(d: AcceptanceReceipt, cpl: number, reprint: boolean): string[] {
  const materials = d.materials.map((m, k) => {
    const parts = [m.name, m.form ? FORM_LABEL[m.form] : null, m.count ? `${m.count}份` : null].filter((p): p is string => p !== null);
    return `|${k + 1}. |${escapeText(parts.join(' '))} |`;
  });
  return [
    '{w:auto}',
    '^^^受理回执',
    ...(reprint ? ['（补打）'] : []),
    escapeText(d.hallName),
    rule(cpl),
    '{w:10,*}',
    row('办件编号', d.receiptNo),
    row('办理事项', d.serviceItem),
    row('申请人', d.applicantName),
    row('证件号码', d.applicantId),
    row('受理时间', formatBeijingTime(d.acceptedAt)),
    row('承诺办结', d.promisedDeadline ?? '即办件，当场办结'),
    row('受理窗口', d.counter),
    row('经办人', d.clerk),
    '{w:auto}',
    rule(cpl),
    left(`已收材料（${d.materials.length}项）：`),
    '{w:4,*}',
    ...(materials.length > 0 ? materials : ['|— |无 |']),
    '{w:auto}',
    rule(cpl),
    qr(d.qrPayload),
    '扫码查询办理进度',
    left('请妥善保管本回执，凭回执查询进度或领取办理结果。'),
  ];
}

function testPageMarkup(d: TestPage, cpl: number): string[] {
  return [
    '{w:auto}',
    '^^^打印测试页',
    escapeText(d.hallName),
    rule(cpl),
    '{w:10,*}',
    row('打印机', d.printerLabel),
    row('打印时间', formatBeijingTime(d.printedAt)),
    '{w:auto}',
    rule(cpl),
    left('中文：政务服务 一网通办 最多跑一次'),
    left('生僻字：䶮 𠀀 𪚥 㐀'),
    left('ASCII: 0123456789 ABCXYZ abcxyz'),
    '^倍宽字',
    '^^倍高字',
    '"粗体字"',
    qr('HALL-TEST-PAGE'),
    left('能看清以上文字和二维码即打印正常。'),
  ];
}

/** The one place a document becomes receiptline markup. */
export function toMarkup(doc: ReceiptDocument, options: MarkupOptions = {}): string {
  const cpl = options.cpl ?? DEFAULT_CPL;
  const lines = doc.kind === 'acceptance-receipt' ? acceptanceMarkup(doc, cpl, options.reprint ?? false) : testPageMarkup(doc, cpl);
  return `${lines.join('\n')}\n`;
}

/** A short reference for the queue and logs (receipt number; never personal data). */
export function referenceOf(doc: ReceiptDocument): string | null {
  return doc.kind === 'acceptance-receipt' ? doc.receiptNo : null;
}
