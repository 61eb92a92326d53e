/**
 * Typed receipt documents and their one rendering to receiptline markup.
 *
 * A document holds only what is printed, and personal data only in masked form (hall-domain: "personal
 * data on paper is masked: 张*三, 4201**********1234"). The schemas refuse an unmasked name or ID number,
 * so a document can be stored in the print queue as plain JSON without field encryption. Build
 * documents with the builders (`acceptanceReceipt()`, `correctionNotice()`, `refusalDecision()`,
 * `paymentNotice()`, `queueTicket()`: they mask) rather than by hand.
 *
 * Every document but the test page carries `qrPayload`: the signed QR of main/security/receipt-signature.ts
 * (built by the caller, who holds the console key). The same document is printed on the 80 mm ESC/POS
 * printer (`toMarkup` → render.ts) and exported as an A4 PDF (main/documents/pdf.ts).
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

/** 办件编号 (receipt number) as printed. */
const ReceiptNo = z.string().regex(/^[A-Za-z0-9-]{1,64}$/);
/** A signed QR payload (receipt-signature.ts) or any other text a QR carries: no control characters. */
const QrText = z
  .string()
  .min(1)
  .max(512)
  .refine((s) => !/[\x00-\x1f\x7f]/.test(s), 'must not contain control characters');
/** A paragraph: several lines (`\n`) allowed, no other control characters, at least one non-blank line. */
const Paragraph = z
  .string()
  .min(1)
  .max(2000)
  .refine((s) => !/[\x00-\x09\x0b-\x1f\x7f]/.test(s), 'must not contain control characters other than line breaks')
  .refine((s) => paragraphLines(s).length > 0, 'must not be blank');

/** Splits a paragraph into its printed lines (trimmed, blank lines dropped). */
export function paragraphLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** A material to bring or to correct (一次性告知书): the material and what is missing or wrong with it. */
export const CorrectionItem = z.object({
  name: Line,
  /** What is wrong or missing, e.g. "已过有效期，请提供有效期内的原件". */
  note: Line,
});
export type CorrectionItem = z.infer<typeof CorrectionItem>;

/** 一次性告知书 (补齐补正): lists at once every material to bring or correct (行政许可法 §32). */
export const CorrectionNotice = z.object({
  kind: z.literal('correction-notice'),
  hallName: Line,
  receiptNo: ReceiptNo,
  serviceItem: Line,
  applicantName: MaskedName,
  applicantId: MaskedId,
  issuedAt: IsoTime,
  /** Every material to bring or correct: the notice is one-time, so the list is complete. */
  items: z.array(CorrectionItem).min(1).max(40),
  /** Come back by this date (YYYY-MM-DD, local); null when no date is set. */
  returnBy: IsoDate.nullable(),
  clerk: MaskedName,
  counter: Line,
  qrPayload: QrText,
});
export type CorrectionNotice = z.infer<typeof CorrectionNotice>;

/** The legal remedy sentence printed on every 不予受理决定书 (行政复议法 / 行政诉讼法 time limits). */
export const LEGAL_REMEDY_NOTICE =
  '申请人如不服本决定，可在收到本决定书之日起六十日内依法申请行政复议，或者六个月内依法提起行政诉讼。';

/** 不予受理决定书: the written refusal to accept an application, with the reason and the remedy. */
export const RefusalDecision = z.object({
  kind: z.literal('refusal-decision'),
  hallName: Line,
  receiptNo: ReceiptNo,
  serviceItem: Line,
  applicantName: MaskedName,
  applicantId: MaskedId,
  decidedAt: IsoTime,
  /** Why the application is not accepted; several lines allowed (printed line by line). */
  reason: Paragraph,
  /** The remedy sentence as printed when the decision was made (LEGAL_REMEDY_NOTICE unless the hall says otherwise). */
  remedy: Paragraph,
  clerk: MaskedName,
  counter: Line,
  qrPayload: QrText,
});
export type RefusalDecision = z.infer<typeof RefusalDecision>;

/** Amounts are integer fen (分); one fee line at most 100 000 000.00 yuan. */
const Fen = z.number().int().min(0).max(10_000_000_000);

export const FeeLine = z.object({ name: Line, amountFen: Fen });
export type FeeLine = z.infer<typeof FeeLine>;

/** 缴款码: the non-tax payment reference. */
export const PAYMENT_CODE = /^[0-9A-Z]{8,32}$/;

/** 缴款通知: what to pay for a case, with the payment code and the QR the applicant scans to pay. */
export const PaymentNotice = z
  .object({
    kind: z.literal('payment-notice'),
    hallName: Line,
    receiptNo: ReceiptNo,
    serviceItem: Line,
    /** The payer (the applicant), masked. */
    applicantName: MaskedName,
    applicantId: MaskedId,
    fees: z.array(FeeLine).min(1).max(20),
    /** Must equal the sum of the fee lines. */
    totalFen: z.number().int().min(0).max(200_000_000_000),
    paymentCode: z.string().regex(PAYMENT_CODE, 'payment code must be 8–32 digits or capital letters'),
    /** What the applicant scans to pay (the payment platform's QR), not our signed QR. */
    paymentQr: QrText,
    issuedAt: IsoTime,
    /** Pay by this date (YYYY-MM-DD, local); null when the notice sets none. */
    payableBy: IsoDate.nullable(),
    /** Our signed QR (receipt number + console signature). */
    qrPayload: QrText,
  })
  .refine((d) => d.totalFen === d.fees.reduce((sum, f) => sum + f.amountFen, 0), {
    message: 'total must equal the sum of the fee lines',
    path: ['totalFen'],
  });
export type PaymentNotice = z.infer<typeof PaymentNotice>;

/** 取号单: the queue ticket from a kiosk or the counter. */
export const QueueTicket = z.object({
  kind: z.literal('queue-ticket'),
  hallName: Line,
  /** e.g. A012 (prefix of the service group + daily sequence). */
  ticketNo: z.string().regex(/^[A-Z]{1,2}[0-9]{3,6}$/),
  groupName: Line,
  issuedAt: IsoTime,
  /** People waiting ahead in the same group when the ticket was taken. */
  waitingAhead: z.number().int().min(0).max(99_999),
  /** Expected wait in minutes; null when the hall cannot estimate it (no counter open yet). */
  expectedWaitMinutes: z.number().int().min(0).max(24 * 60).nullable(),
  /** Masked ID number when the ticket was taken with the ID card; otherwise null. */
  applicantId: MaskedId.nullable(),
  qrPayload: QrText,
});
export type QueueTicket = z.infer<typeof QueueTicket>;

export const ReceiptDocument = z.discriminatedUnion('kind', [
  AcceptanceReceipt,
  TestPage,
  CorrectionNotice,
  RefusalDecision,
  PaymentNotice,
  QueueTicket,
]);
export type ReceiptDocument = z.infer<typeof ReceiptDocument>;
export type ReceiptKind = ReceiptDocument['kind'];
export const RECEIPT_KINDS: readonly ReceiptKind[] = [
  'acceptance-receipt',
  'test-page',
  'correction-notice',
  'refusal-decision',
  'payment-notice',
  'queue-ticket',
];

/** The title printed on each kind of document. */
export const RECEIPT_TITLES: Record<ReceiptKind, string> = {
  'acceptance-receipt': '受理回执',
  'test-page': '打印测试页',
  'correction-notice': '一次性告知书',
  'refusal-decision': '不予受理决定书',
  'payment-notice': '缴款通知',
  'queue-ticket': '取号单',
};

/**
 * Integer fen → `¥12.50` (`-¥0.05` below zero). Integer arithmetic only: no floating point touches
 * the amount. Throws RangeError for anything but a safe integer.
 */
export function formatFen(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`amount must be an integer number of fen, got ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const cents = abs % 100; // exact for integers
  const yuan = (abs - cents) / 100; // an exact multiple of 100: the quotient is exact
  return `${sign}¥${yuan}.${String(cents).padStart(2, '0')}`;
}

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

/** Clear applicant data as the intake holds it: masked by the builders, never stored in a document. */
export interface ClearApplicant {
  name: string;
  idNumber: string;
}

const isoTime = (t: Date | string): string => new Date(t).toISOString();

export interface CorrectionNoticeInput {
  hallName: string;
  receiptNo: string;
  serviceItem: string;
  applicant: ClearApplicant;
  issuedAt: Date | string;
  /** Every material to bring or correct, each with what is missing or wrong. */
  items: { name: string; note: string }[];
  /** YYYY-MM-DD (local) by which to come back; omitted or null: no date. */
  returnBy?: string | null;
  clerkName: string;
  counter: string;
  qrPayload: string;
}

/** Builds a 一次性告知书 from clear data, masking the applicant and the clerk. Throws ZodError on bad input. */
export function correctionNotice(input: CorrectionNoticeInput): CorrectionNotice {
  return CorrectionNotice.parse({
    kind: 'correction-notice',
    hallName: input.hallName,
    receiptNo: input.receiptNo,
    serviceItem: input.serviceItem,
    applicantName: maskName(input.applicant.name),
    applicantId: maskIdNumber(input.applicant.idNumber),
    issuedAt: isoTime(input.issuedAt),
    items: input.items.map((i) => ({ name: i.name, note: i.note })),
    returnBy: input.returnBy ?? null,
    clerk: maskName(input.clerkName),
    counter: input.counter,
    qrPayload: input.qrPayload,
  });
}

export interface RefusalDecisionInput {
  hallName: string;
  receiptNo: string;
  serviceItem: string;
  applicant: ClearApplicant;
  decidedAt: Date | string;
  /** Several lines allowed (`\n` or `\r\n`). */
  reason: string;
  /** Defaults to LEGAL_REMEDY_NOTICE. */
  remedy?: string;
  clerkName: string;
  counter: string;
  qrPayload: string;
}

/** Builds a 不予受理决定书 from clear data, masking the applicant and the clerk. Throws ZodError on bad input. */
export function refusalDecision(input: RefusalDecisionInput): RefusalDecision {
  return RefusalDecision.parse({
    kind: 'refusal-decision',
    hallName: input.hallName,
    receiptNo: input.receiptNo,
    serviceItem: input.serviceItem,
    applicantName: maskName(input.applicant.name),
    applicantId: maskIdNumber(input.applicant.idNumber),
    decidedAt: isoTime(input.decidedAt),
    reason: input.reason.replace(/\r\n?/g, '\n'),
    remedy: input.remedy ?? LEGAL_REMEDY_NOTICE,
    clerk: maskName(input.clerkName),
    counter: input.counter,
    qrPayload: input.qrPayload,
  });
}

export interface PaymentNoticeInput {
  hallName: string;
  receiptNo: string;
  serviceItem: string;
  /** The payer. */
  applicant: ClearApplicant;
  fees: { name: string; amountFen: number }[];
  /** Checked against the sum of the fee lines; computed when omitted. */
  totalFen?: number;
  paymentCode: string;
  paymentQr: string;
  issuedAt: Date | string;
  payableBy?: string | null;
  qrPayload: string;
}

/** Builds a 缴款通知 from clear data, masking the payer. Throws ZodError on bad input (a wrong total too). */
export function paymentNotice(input: PaymentNoticeInput): PaymentNotice {
  return PaymentNotice.parse({
    kind: 'payment-notice',
    hallName: input.hallName,
    receiptNo: input.receiptNo,
    serviceItem: input.serviceItem,
    applicantName: maskName(input.applicant.name),
    applicantId: maskIdNumber(input.applicant.idNumber),
    fees: input.fees.map((f) => ({ name: f.name, amountFen: f.amountFen })),
    totalFen: input.totalFen ?? input.fees.reduce((sum, f) => sum + f.amountFen, 0),
    paymentCode: input.paymentCode,
    paymentQr: input.paymentQr,
    issuedAt: isoTime(input.issuedAt),
    payableBy: input.payableBy ?? null,
    qrPayload: input.qrPayload,
  });
}

export interface QueueTicketInput {
  hallName: string;
  ticketNo: string;
  groupName: string;
  issuedAt: Date | string;
  waitingAhead: number;
  expectedWaitMinutes: number | null;
  /** Clear ID number when the ticket was taken with the ID card (masked here); omitted or null otherwise. */
  applicantIdNumber?: string | null;
  qrPayload: string;
}

/** Builds a 取号单, masking the ID number if there is one. Throws ZodError on bad input. */
export function queueTicket(input: QueueTicketInput): QueueTicket {
  const id = input.applicantIdNumber;
  return QueueTicket.parse({
    kind: 'queue-ticket',
    hallName: input.hallName,
    ticketNo: input.ticketNo,
    groupName: input.groupName,
    issuedAt: isoTime(input.issuedAt),
    waitingAhead: input.waitingAhead,
    expectedWaitMinutes: input.expectedWaitMinutes,
    applicantId: id === undefined || id === null ? null : maskIdNumber(id),
    qrPayload: input.qrPayload,
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

/** `2026-12-08` → `2026年12月8日` (a calendar date as written in official documents). */
export function formatChineseDate(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${isoDate}`);
  return `${m[1]}年${Number(m[2])}月${Number(m[3])}日`;
}

/** The fixed sentences of each document, shared by the receipt printer and the PDF export. */
export const DOCUMENT_TEXT = {
  correctionIntro: (count: number): string =>
    `经审查，您提交的申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》第三十二条，现一次性告知您需要补齐补正的全部材料（共${count}项）：`,
  correctionReturn: (returnBy: string | null, counter: string): string =>
    returnBy === null
      ? `请补齐补正上述全部材料后，到${counter}办理。`
      : `请于${formatChineseDate(returnBy)}前补齐补正上述全部材料，到${counter}办理。`,
  correctionOneTime: '本告知书为一次性告知，已列明需要补齐补正的全部材料，除上述材料外不再要求您补充其他材料。',
  refusalIntro: '经审查，您申请办理的上述事项不予受理，理由如下：',
  paymentHint: '请使用手机银行、微信或支付宝扫描缴款二维码缴款，或凭缴款码到银行柜台缴款。',
  verifyHint: '扫码验真、查询办理进度',
  ticketHint: '请留意叫号屏幕和语音提示；如已过号，请到服务台咨询。',
} as const;

/** Escapes text for a receiptline line: its markup characters print as themselves. */
export function escapeText(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, ' ').replace(/[\\|{}\-=~_"`^]/g, '\\$&');
}

/** Escapes a receiptline property value (`{code:…}`). */
export function escapeProperty(value: string): string {
  return value.replace(/[\x00-\x1f\x7f]/g, ' ').replace(/[\\|{};]/g, '\\$&');
}

/** How a material was handed in, as printed. */
export const MATERIAL_FORM_LABELS: Record<(typeof MATERIAL_FORMS)[number], string> = { original: '原件', copy: '复印件', electronic: '电子证照' };

/** `|label |value |` in the two-column block set up by `{w:10,*}`. */
const row = (label: string, value: string): string => `|${escapeText(label)} |${escapeText(value)} |`;
/** A left-aligned single-column line. */
const left = (text: string): string => `|${escapeText(text)} |`;
/** A line of dashes (escaped so receiptline does not turn it into a ruled line its fonts may lack). */
const rule = (cpl: number): string => `\\${'-'.repeat(cpl)}`;
const qr = (payload: string): string => `{code:${escapeProperty(payload)};option:qrcode,5,m}`;

function acceptanceMarkup(d: AcceptanceReceipt, cpl: number, reprint: boolean): string[] {
  const materials = d.materials.map((m, k) => {
    const parts = [m.name, m.form ? MATERIAL_FORM_LABELS[m.form] : null, m.count ? `${m.count}份` : null].filter((p): p is string => p !== null);
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

/** The title, `（补打）` on a reprint, the hall name and a rule. */
function header(kind: ReceiptKind, hallName: string, cpl: number, reprint: boolean): string[] {
  return ['{w:auto}', `^^^${RECEIPT_TITLES[kind]}`, ...(reprint ? ['（补打）'] : []), escapeText(hallName), rule(cpl)];
}

/** A numbered list in the `{w:4,*}` block. */
function numbered(items: string[]): string[] {
  return ['{w:4,*}', ...items.map((text, k) => `|${k + 1}. |${escapeText(text)} |`), '{w:auto}'];
}

function correctionMarkup(d: CorrectionNotice, cpl: number, reprint: boolean): string[] {
  return [
    ...header(d.kind, d.hallName, cpl, reprint),
    '{w:10,*}',
    row('办件编号', d.receiptNo),
    row('办理事项', d.serviceItem),
    row('申请人', d.applicantName),
    row('证件号码', d.applicantId),
    row('告知时间', formatBeijingTime(d.issuedAt)),
    row('告知窗口', d.counter),
    row('经办人', d.clerk),
    ...(d.returnBy !== null ? [row('补正期限', d.returnBy)] : []),
    '{w:auto}',
    rule(cpl),
    left(DOCUMENT_TEXT.correctionIntro(d.items.length)),
    ...numbered(d.items.map((i) => `${i.name}：${i.note}`)),
    rule(cpl),
    left(DOCUMENT_TEXT.correctionReturn(d.returnBy, d.counter)),
    `|"${escapeText(DOCUMENT_TEXT.correctionOneTime)} |`,
    rule(cpl),
    qr(d.qrPayload),
    DOCUMENT_TEXT.verifyHint,
  ];
}

function refusalMarkup(d: RefusalDecision, cpl: number, reprint: boolean): string[] {
  return [
    ...header(d.kind, d.hallName, cpl, reprint),
    '{w:10,*}',
    row('办件编号', d.receiptNo),
    row('办理事项', d.serviceItem),
    row('申请人', d.applicantName),
    row('证件号码', d.applicantId),
    row('决定时间', formatBeijingTime(d.decidedAt)),
    row('受理窗口', d.counter),
    row('经办人', d.clerk),
    '{w:auto}',
    rule(cpl),
    left(DOCUMENT_TEXT.refusalIntro),
    ...paragraphLines(d.reason).map(left),
    rule(cpl),
    ...paragraphLines(d.remedy).map(left),
    rule(cpl),
    qr(d.qrPayload),
    DOCUMENT_TEXT.verifyHint,
  ];
}

function paymentMarkup(d: PaymentNotice, cpl: number, reprint: boolean): string[] {
  return [
    ...header(d.kind, d.hallName, cpl, reprint),
    '{w:10,*}',
    row('办件编号', d.receiptNo),
    row('办理事项', d.serviceItem),
    row('缴款人', d.applicantName),
    row('证件号码', d.applicantId),
    row('通知时间', formatBeijingTime(d.issuedAt)),
    ...(d.payableBy !== null ? [row('缴款期限', `${d.payableBy}前`)] : []),
    '{w:auto}',
    rule(cpl),
    '{w:*,16}',
    '|收费项目 | 金额|',
    ...d.fees.map((f) => `|${escapeText(f.name)} | ${escapeText(formatFen(f.amountFen))}|`),
    `|"合计 | "${escapeText(formatFen(d.totalFen))}|`,
    '{w:auto}',
    rule(cpl),
    `"缴款码：${escapeText(d.paymentCode)}`,
    qr(d.paymentQr),
    '"扫码缴款',
    left(DOCUMENT_TEXT.paymentHint),
    rule(cpl),
    qr(d.qrPayload),
    DOCUMENT_TEXT.verifyHint,
  ];
}

function ticketMarkup(d: QueueTicket, cpl: number, reprint: boolean): string[] {
  return [
    '{w:auto}',
    escapeText(d.hallName),
    ...(reprint ? ['（补打）'] : []),
    RECEIPT_TITLES[d.kind],
    rule(cpl),
    `^^^^^^${escapeText(d.ticketNo)}`,
    `^${escapeText(d.groupName)}`,
    `您前面还有 ^${d.waitingAhead}^ 人等候`,
    ...(d.expectedWaitMinutes !== null ? [`预计等候约 ${d.expectedWaitMinutes} 分钟`] : []),
    rule(cpl),
    '{w:10,*}',
    row('取号时间', formatBeijingTime(d.issuedAt)),
    ...(d.applicantId !== null ? [row('证件号码', d.applicantId)] : []),
    '{w:auto}',
    left(DOCUMENT_TEXT.ticketHint),
    qr(d.qrPayload),
  ];
}

/** The one place a document becomes receiptline markup. */
export function toMarkup(doc: ReceiptDocument, options: MarkupOptions = {}): string {
  const cpl = options.cpl ?? DEFAULT_CPL;
  const reprint = options.reprint ?? false;
  const lines = ((): string[] => {
    switch (doc.kind) {
      case 'acceptance-receipt':
        return acceptanceMarkup(doc, cpl, reprint);
      case 'test-page':
        return testPageMarkup(doc, cpl);
      case 'correction-notice':
        return correctionMarkup(doc, cpl, reprint);
      case 'refusal-decision':
        return refusalMarkup(doc, cpl, reprint);
      case 'payment-notice':
        return paymentMarkup(doc, cpl, reprint);
      case 'queue-ticket':
        return ticketMarkup(doc, cpl, reprint);
    }
  })();
  return `${lines.join('\n')}\n`;
}

/** A short reference for the queue and logs (receipt or ticket number; never personal data). */
export function referenceOf(doc: ReceiptDocument): string | null {
  switch (doc.kind) {
    case 'test-page':
      return null;
    case 'queue-ticket':
      return doc.ticketNo;
    default:
      return doc.receiptNo;
  }
}
