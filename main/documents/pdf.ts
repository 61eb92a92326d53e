/**
 * A4 PDF export of the printed documents (受理回执, 一次性告知书, 不予受理决定书, 缴款通知, 取号单, test page):
 * the same `ReceiptDocument` the receipt printer gets, laid out as an official paper form — title
 * centred, hall name, a table of fields, the materials or fees, the body text, the issuing hall and
 * date, the signed QR drawn as an image, and on every page a footer with the document number and
 * "第 x 页 / 共 y 页".
 *
 * - PDF: pdfkit (fontkit underneath), which embeds only the glyphs used (a subset, `ABCDEF+` name).
 *   The fonts are parsed once per process with fontkit and shared by every document.
 * - Chinese font: Noto Sans S Chinese Regular (SIL OFL 1.1) from the npm package `@embedpdf/fonts-sc`,
 *   so the packaged app needs no system font. It covers GBK and CJK Ext A (䶮, 喆, 堃 …); characters
 *   beyond the BMP (Ext B+, e.g. 𠀀) have no glyph in it and show as blanks in the PDF (the receipt
 *   printer's own GB18030 font prints them). One weight only: bold text (title, headings, totals) is
 *   drawn filled and stroked, because every embedded CJK font adds ~100 ms of subsetting to a document.
 *   The file is found with `createRequire(import.meta.url)` from this module: node_modules under tsx
 *   and vitest, and the app's node_modules in the package (electron-vite keeps dependencies external).
 * - QR: `qrcode` renders an 8-bit grey PNG (no alpha, so one image XObject without soft mask), level M
 *   with its 4-module quiet zone.
 * - Only masked personal data: the document is re-validated (`ReceiptDocument.parse`) first, and its
 *   schemas refuse clear names and ID numbers.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { create as openFont, type Font } from 'fontkit';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import {
  DOCUMENT_TEXT,
  formatBeijingTime,
  formatChineseDate,
  formatFen,
  MATERIAL_FORM_LABELS,
  paragraphLines,
  RECEIPT_TITLES,
  ReceiptDocument,
} from '../../drivers/printer/receipt';

/** A4 in PDF points. */
export const A4 = { width: 595.28, height: 841.89 } as const;
const MARGIN = { top: 50, bottom: 62, left: 62, right: 62 };
const CONTENT_WIDTH = A4.width - MARGIN.left - MARGIN.right;
const BOTTOM = A4.height - MARGIN.bottom;

const INK = '#111111';
const GREY = '#555555';
const RULE = '#333333';
const LABEL_FILL = '#efefef';
const BODY_SIZE = 11.5;
const QR_SIZE = 92;

const FONT_PACKAGE = '@embedpdf/fonts-sc';
const FONT_FILE = 'NotoSansHans-Regular.otf';
/** The registered name of the embedded font. */
const FONT = 'body';

/**
 * Where the embedded Chinese font is. The package exports only its entry (dist/index.cjs), so the
 * font is found beside it, in its fonts/ folder.
 */
export function chineseFontFile(): string {
  const entry = createRequire(import.meta.url).resolve(FONT_PACKAGE);
  return join(dirname(entry), '..', 'fonts', FONT_FILE);
}

function parseFont(file: string): Font {
  const font = openFont(readFileSync(file));
  if (!('layout' in font)) throw new Error(`${file} is a font collection, not a font`);
  return font;
}

let fontCache: Font | null = null;
/**
 * Read and parsed once per process (8 MB; parsing the CFF tables is most of the cost of a document),
 * then shared: pdfkit takes a parsed fontkit font as well as a file, and makes a new subset of it for
 * each document.
 */
function chineseFont(): Font {
  fontCache ??= parseFont(chineseFontFile());
  return fontCache;
}

/** pdfkit accepts a fontkit font (it checks for `layout`); its type definitions only list files and buffers. */
const asFontSource = (font: Font): PDFKit.Mixins.PDFFontSource => font as unknown as PDFKit.Mixins.PDFFontSource;

export interface PdfOptions {
  /** Printed again on request (补打): says so under the title. */
  reprint?: boolean;
}

type Field = readonly [label: string, value: string];
interface Column {
  title: string;
  /** Share of the content width. */
  width: number;
  align?: 'left' | 'center' | 'right';
}
type Block =
  | { type: 'fields'; fields: Field[] }
  | { type: 'heading'; text: string }
  | { type: 'paragraph'; text: string; bold?: boolean; size?: number }
  | { type: 'table'; columns: Column[]; rows: string[][]; total?: string[] }
  | { type: 'ticket'; number: string; group: string; lines: string[] };

interface FormModel {
  title: string;
  hallName: string;
  /** Footer reference: the document number (never personal data). */
  reference: string;
  blocks: Block[];
  /** Who issued it and when, at the bottom right (where the seal goes); null on a ticket or a test page. */
  issuer: string[] | null;
  qrs: { payload: string; caption: string }[];
}

const beijingDate = (iso: string): string => formatChineseDate(formatBeijingTime(iso).slice(0, 10));
const issuer = (hallName: string, iso: string): string[] => [`${hallName}（盖章）`, beijingDate(iso)];

function modelOf(doc: ReceiptDocument): FormModel {
  const title = RECEIPT_TITLES[doc.kind];
  const verify = { caption: DOCUMENT_TEXT.verifyHint };
  switch (doc.kind) {
    case 'acceptance-receipt':
      return {
        title,
        hallName: doc.hallName,
        reference: `办件编号 ${doc.receiptNo}`,
        blocks: [
          {
            type: 'fields',
            fields: [
              ['办件编号', doc.receiptNo],
              ['办理事项', doc.serviceItem],
              ['申请人', doc.applicantName],
              ['证件号码', doc.applicantId],
              ['受理时间', formatBeijingTime(doc.acceptedAt)],
              ['承诺办结', doc.promisedDeadline === null ? '即办件，当场办结' : formatChineseDate(doc.promisedDeadline)],
              ['受理窗口', doc.counter],
              ['经办人', doc.clerk],
            ],
          },
          { type: 'heading', text: `已收材料（${doc.materials.length}项）` },
          doc.materials.length === 0
            ? { type: 'paragraph', text: '无' }
            : {
                type: 'table',
                columns: [
                  { title: '序号', width: 0.1, align: 'center' },
                  { title: '材料名称', width: 0.56 },
                  { title: '形式', width: 0.2, align: 'center' },
                  { title: '份数', width: 0.14, align: 'center' },
                ],
                rows: doc.materials.map((m, k) => [String(k + 1), m.name, m.form ? MATERIAL_FORM_LABELS[m.form] : '—', m.count ? `${m.count}份` : '—']),
              },
          { type: 'paragraph', text: '请妥善保管本回执，凭回执查询办理进度或领取办理结果。' },
        ],
        issuer: issuer(doc.hallName, doc.acceptedAt),
        qrs: [{ payload: doc.qrPayload, ...verify }],
      };
    case 'correction-notice':
      return {
        title,
        hallName: doc.hallName,
        reference: `办件编号 ${doc.receiptNo}`,
        blocks: [
          {
            type: 'fields',
            fields: [
              ['办件编号', doc.receiptNo],
              ['办理事项', doc.serviceItem],
              ['申请人', doc.applicantName],
              ['证件号码', doc.applicantId],
              ['告知时间', formatBeijingTime(doc.issuedAt)],
              ['告知窗口', doc.counter],
              ['经办人', doc.clerk],
              ...(doc.returnBy !== null ? [['补正期限', `${formatChineseDate(doc.returnBy)}前`] as const] : []),
            ],
          },
          { type: 'paragraph', text: DOCUMENT_TEXT.correctionIntro(doc.items.length) },
          {
            type: 'table',
            columns: [
              { title: '序号', width: 0.1, align: 'center' },
              { title: '材料名称', width: 0.35 },
              { title: '需补齐补正的内容', width: 0.55 },
            ],
            rows: doc.items.map((i, k) => [String(k + 1), i.name, i.note]),
          },
          { type: 'paragraph', text: DOCUMENT_TEXT.correctionReturn(doc.returnBy, doc.counter) },
          { type: 'paragraph', text: DOCUMENT_TEXT.correctionOneTime, bold: true },
        ],
        issuer: issuer(doc.hallName, doc.issuedAt),
        qrs: [{ payload: doc.qrPayload, ...verify }],
      };
    case 'refusal-decision':
      return {
        title,
        hallName: doc.hallName,
        reference: `办件编号 ${doc.receiptNo}`,
        blocks: [
          {
            type: 'fields',
            fields: [
              ['办件编号', doc.receiptNo],
              ['办理事项', doc.serviceItem],
              ['申请人', doc.applicantName],
              ['证件号码', doc.applicantId],
              ['决定时间', formatBeijingTime(doc.decidedAt)],
              ['受理窗口', doc.counter],
              ['经办人', doc.clerk],
            ],
          },
          { type: 'paragraph', text: DOCUMENT_TEXT.refusalIntro },
          ...paragraphLines(doc.reason).map((text): Block => ({ type: 'paragraph', text })),
          ...paragraphLines(doc.remedy).map((text): Block => ({ type: 'paragraph', text, bold: true })),
        ],
        issuer: issuer(doc.hallName, doc.decidedAt),
        qrs: [{ payload: doc.qrPayload, ...verify }],
      };
    case 'payment-notice':
      return {
        title,
        hallName: doc.hallName,
        reference: `办件编号 ${doc.receiptNo}`,
        blocks: [
          {
            type: 'fields',
            fields: [
              ['办件编号', doc.receiptNo],
              ['办理事项', doc.serviceItem],
              ['缴款人', doc.applicantName],
              ['证件号码', doc.applicantId],
              ['通知时间', formatBeijingTime(doc.issuedAt)],
              ['缴款期限', doc.payableBy === null ? '—' : `${formatChineseDate(doc.payableBy)}前`],
            ],
          },
          {
            type: 'table',
            columns: [
              { title: '序号', width: 0.1, align: 'center' },
              { title: '收费项目', width: 0.6 },
              { title: '金额', width: 0.3, align: 'right' },
            ],
            rows: doc.fees.map((f, k) => [String(k + 1), f.name, formatFen(f.amountFen)]),
            total: ['', '合计', formatFen(doc.totalFen)],
          },
          { type: 'paragraph', text: `缴款码：${doc.paymentCode}`, bold: true, size: 14 },
          { type: 'paragraph', text: DOCUMENT_TEXT.paymentHint },
        ],
        issuer: issuer(doc.hallName, doc.issuedAt),
        qrs: [
          { payload: doc.paymentQr, caption: '扫码缴款' },
          { payload: doc.qrPayload, ...verify },
        ],
      };
    case 'queue-ticket':
      return {
        title,
        hallName: doc.hallName,
        reference: `取号单 ${doc.ticketNo}`,
        blocks: [
          {
            type: 'ticket',
            number: doc.ticketNo,
            group: doc.groupName,
            lines: [`您前面还有 ${doc.waitingAhead} 人等候`, ...(doc.expectedWaitMinutes !== null ? [`预计等候约 ${doc.expectedWaitMinutes} 分钟`] : [])],
          },
          { type: 'fields', fields: [['取号时间', formatBeijingTime(doc.issuedAt)], ...(doc.applicantId !== null ? [['证件号码', doc.applicantId] as const] : [])] },
          { type: 'paragraph', text: DOCUMENT_TEXT.ticketHint },
        ],
        issuer: null,
        qrs: [{ payload: doc.qrPayload, caption: '扫码验真' }],
      };
    case 'test-page':
      return {
        title,
        hallName: doc.hallName,
        reference: title,
        blocks: [
          { type: 'fields', fields: [['打印机', doc.printerLabel], ['打印时间', formatBeijingTime(doc.printedAt)]] },
          { type: 'paragraph', text: '中文：政务服务 一网通办 最多跑一次' },
          { type: 'paragraph', text: '生僻字：䶮 㐀 喆 堃 镕' },
          { type: 'paragraph', text: 'ASCII: 0123456789 ABCXYZ abcxyz' },
          { type: 'paragraph', text: '能看清以上文字和二维码即导出正常。' },
        ],
        issuer: null,
        qrs: [{ payload: 'HALL-TEST-PAGE', caption: '测试二维码' }],
      };
  }
}

type TextOptions = PDFKit.Mixins.TextOptions;

/** Draws a form model page by page, keeping track of the vertical position. */
class FormWriter {
  private y = MARGIN.top;
  /** Bold: the one embedded weight, filled and stroked (stroke width grows with the size). */
  private strong = false;
  private size = BODY_SIZE;

  constructor(private readonly pdf: PDFKit.PDFDocument) {}

  private regular(size = BODY_SIZE, color = INK): this {
    this.strong = false;
    this.size = size;
    this.pdf.font(FONT).fontSize(size).fillColor(color);
    return this;
  }

  private bold(size = BODY_SIZE): this {
    this.strong = true;
    this.size = size;
    this.pdf.font(FONT).fontSize(size).fillColor(INK);
    return this;
  }

  /** Writes text at (x, y) in the current style; pdfkit wraps it to `width` (and flows onto a new page). */
  private write(text: string, x: number, y: number, options: TextOptions): void {
    if (this.strong) {
      this.pdf.lineWidth(this.size * 0.03).strokeColor(INK);
      this.pdf.text(text, x, y, { ...options, fill: true, stroke: true });
    } else {
      this.pdf.text(text, x, y, options);
    }
  }

  /** Starts a new page when `height` does not fit on this one; true when it did. */
  private ensure(height: number): boolean {
    if (this.y + height <= BOTTOM) return false;
    this.pdf.addPage();
    this.y = MARGIN.top;
    return true;
  }

  header(model: FormModel, reprint: boolean): void {
    this.bold(22).write(model.title, MARGIN.left, this.y, { width: CONTENT_WIDTH, align: 'center', characterSpacing: 4 });
    this.y = this.pdf.y + 2;
    if (reprint) {
      this.regular(11).write('（补打）', MARGIN.left, this.y, { width: CONTENT_WIDTH, align: 'center' });
      this.y = this.pdf.y;
    }
    this.regular(12, GREY).write(model.hallName, MARGIN.left, this.y + 4, { width: CONTENT_WIDTH, align: 'center' });
    this.y = this.pdf.y + 8;
    this.pdf.moveTo(MARGIN.left, this.y).lineTo(A4.width - MARGIN.right, this.y).lineWidth(1.2).strokeColor(RULE).stroke();
    this.y += 16;
  }

  block(block: Block): void {
    switch (block.type) {
      case 'fields':
        return this.fields(block.fields);
      case 'heading':
        return this.heading(block.text);
      case 'paragraph':
        return this.paragraph(block.text, block.bold ?? false, block.size ?? BODY_SIZE);
      case 'table':
        return this.table(block.columns, block.rows, block.total);
      case 'ticket':
        return this.ticket(block);
    }
  }

  private cell(x: number, width: number, height: number, fill: boolean): void {
    if (fill) this.pdf.rect(x, this.y, width, height).fill(LABEL_FILL);
    this.pdf.rect(x, this.y, width, height).lineWidth(0.6).strokeColor(RULE).stroke();
  }

  private fields(fields: Field[]): void {
    const labelWidth = 96;
    const valueWidth = CONTENT_WIDTH - labelWidth;
    const pad = 4.5;
    for (const [label, value] of fields) {
      this.regular();
      const height = Math.max(this.pdf.heightOfString(label, { width: labelWidth - 2 * pad }), this.pdf.heightOfString(value, { width: valueWidth - 2 * pad })) + 2 * pad;
      this.ensure(height);
      this.cell(MARGIN.left, labelWidth, height, true);
      this.cell(MARGIN.left + labelWidth, valueWidth, height, false);
      this.regular().write(label, MARGIN.left + pad, this.y + pad, { width: labelWidth - 2 * pad, align: 'center' });
      this.write(value, MARGIN.left + labelWidth + pad, this.y + pad, { width: valueWidth - 2 * pad });
      this.y += height;
    }
    this.y += 14;
  }

  private heading(text: string): void {
    this.bold(12.5);
    this.ensure(this.pdf.currentLineHeight(true) + 40); // never a heading alone at the foot of a page
    this.write(text, MARGIN.left, this.y, { width: CONTENT_WIDTH });
    this.y = this.pdf.y + 6;
  }

  private paragraph(text: string, bold: boolean, size: number): void {
    if (bold) this.bold(size);
    else this.regular(size);
    this.ensure(this.pdf.currentLineHeight(true) * 2);
    // A long paragraph flows onto the next page by itself (pdfkit's line wrapper).
    this.write(text, MARGIN.left, this.y, { width: CONTENT_WIDTH, lineGap: 4, indent: 2 * size, align: 'justify' });
    this.y = this.pdf.y + 8;
  }

  private table(columns: Column[], rows: string[][], total?: string[]): void {
    const pad = 4.5;
    const widths = columns.map((c) => c.width * CONTENT_WIDTH);
    const titles = columns.map((c) => c.title);
    const drawRow = (cells: string[], kind: 'head' | 'body' | 'total'): void => {
      const style = (): this => (kind === 'body' ? this.regular() : this.bold());
      style();
      const height = Math.max(...cells.map((cell, i) => this.pdf.heightOfString(cell || ' ', { width: (widths[i] ?? 0) - 2 * pad }))) + 2 * pad;
      if (kind === 'head') this.ensure(height * 2); // the header with at least one row
      else if (this.ensure(height)) drawRow(titles, 'head'); // the header again on a new page
      let x = MARGIN.left;
      cells.forEach((cell, i) => {
        const width = widths[i] ?? 0;
        this.cell(x, width, height, kind === 'head');
        style().write(cell, x + pad, this.y + pad, { width: width - 2 * pad, align: kind === 'head' ? 'center' : (columns[i]?.align ?? 'left') });
        x += width;
      });
      this.y += height;
    };
    drawRow(titles, 'head');
    for (const row of rows) drawRow(row, 'body');
    if (total) drawRow(total, 'total');
    this.y += 14;
  }

  private ticket(block: Extract<Block, { type: 'ticket' }>): void {
    this.ensure(200);
    this.bold(72).write(block.number, MARGIN.left, this.y, { width: CONTENT_WIDTH, align: 'center', characterSpacing: 6 });
    this.y = this.pdf.y + 4;
    this.bold(18).write(block.group, MARGIN.left, this.y, { width: CONTENT_WIDTH, align: 'center' });
    this.y = this.pdf.y + 8;
    this.regular(14);
    for (const line of block.lines) {
      this.write(line, MARGIN.left, this.y, { width: CONTENT_WIDTH, align: 'center' });
      this.y = this.pdf.y + 4;
    }
    this.y += 16;
  }

  /** The QR codes side by side at the left, each with its caption; the issuer and date at the right. */
  closing(issuer: string[] | null, images: { png: Buffer; caption: string }[]): void {
    const gap = 24;
    const captionHeight = 18;
    this.regular();
    const lineHeight = this.pdf.currentLineHeight(true) + 6;
    const issuerHeight = issuer === null ? 0 : issuer.length * lineHeight;
    const qrHeight = images.length > 0 ? QR_SIZE + captionHeight : 0;
    const height = Math.max(qrHeight, issuerHeight);
    this.ensure(height + 8);
    this.y += 8;
    let x = MARGIN.left + 12; // the caption is wider than its QR
    for (const image of images) {
      this.pdf.image(image.png, x, this.y, { width: QR_SIZE, height: QR_SIZE });
      this.regular(9, GREY).write(image.caption, x - 12, this.y + QR_SIZE + 3, { width: QR_SIZE + 24, align: 'center' });
      x += QR_SIZE + gap;
    }
    if (issuer !== null) {
      // Level with the foot of the QR codes, leaving room above for the seal.
      let y = this.y + Math.max(0, (images.length > 0 ? QR_SIZE : height) - issuerHeight);
      this.regular();
      for (const line of issuer) {
        this.write(line, x, y, { width: A4.width - MARGIN.right - x, align: 'right' });
        y += lineHeight;
      }
    }
    this.y += height;
  }

  /** On every page: a rule, the document reference at the left, 第 x 页 / 共 y 页 at the right. */
  footers(reference: string): void {
    const range = this.pdf.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      this.pdf.switchToPage(i);
      const bottomMargin = this.pdf.page.margins.bottom;
      this.pdf.page.margins.bottom = 0; // writing inside the margin must not start a new page
      const y = A4.height - 50;
      this.pdf.moveTo(MARGIN.left, y).lineTo(A4.width - MARGIN.right, y).lineWidth(0.5).strokeColor(GREY).stroke();
      this.regular(9, GREY).write(reference, MARGIN.left, y + 6, { width: CONTENT_WIDTH / 2, lineBreak: false });
      this.write(`第 ${i - range.start + 1} 页 / 共 ${range.count} 页`, MARGIN.left + CONTENT_WIDTH / 2, y + 6, {
        width: CONTENT_WIDTH / 2,
        align: 'right',
        lineBreak: false,
      });
      this.pdf.page.margins.bottom = bottomMargin;
    }
  }
}

/** The QR as an 8-bit grey PNG without alpha (pngjs `colorType: 0`, passed through qrcode's renderer options). */
function qrPng(payload: string): Promise<Buffer> {
  const rendererOpts = { deflateLevel: 9, colorType: 0 };
  return QRCode.toBuffer(payload, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 4, rendererOpts });
}

/**
 * The document as an A4 PDF with the Chinese font embedded (subset) and its QR code(s) as images.
 * Throws (ZodError) when `doc` is not a valid ReceiptDocument — e.g. with an unmasked name or ID.
 */
export async function renderDocumentPdf(doc: ReceiptDocument, options: PdfOptions = {}): Promise<Buffer> {
  const document = ReceiptDocument.parse(doc);
  const model = modelOf(document);
  const images = await Promise.all(model.qrs.map(async (q) => ({ png: await qrPng(q.payload), caption: q.caption })));
  const font = chineseFont();

  const pdf = new PDFDocument({
    size: [A4.width, A4.height],
    margins: MARGIN,
    bufferPages: true,
    lang: 'zh-CN',
    displayTitle: true,
    info: { Title: `${model.title} ${model.reference}`, Subject: model.title, Author: model.hallName, Creator: 'hall-console' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  try {
    pdf.registerFont(FONT, asFontSource(font));
    const writer = new FormWriter(pdf);
    writer.header(model, options.reprint ?? false);
    for (const block of model.blocks) writer.block(block);
    writer.closing(model.issuer, images);
    writer.footers(model.reference);
  } finally {
    pdf.end();
  }
  return done;
}
