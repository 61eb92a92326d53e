/**
 * The A4 PDF export: every document kind rendered once, then read back with a small PDF reader
 * (objects, inflated streams, the font's ToUnicode map, the text of the content streams) — enough to
 * check the page size, the embedded subset font, the QR images and what the text says.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptanceReceipt,
  correctionNotice,
  formatFen,
  paymentNotice,
  queueTicket,
  RECEIPT_KINDS,
  RECEIPT_TITLES,
  refusalDecision,
  testPage,
  type ReceiptDocument,
  type ReceiptKind,
} from '../../drivers/printer/receipt';
import { generateConsoleSigningKey, signDocumentQr, type SignedDocumentKind } from '../security/receipt-signature';
import { A4, chineseFontFile, renderDocumentPdf } from './pdf';

// Synthetic people only.
const APPLICANT = { name: '张小三', idNumber: '420100000000001234' };
const MASKED = { name: '张*三', id: '4201**********1234' };
const CLERK = '李四';
const RECEIPT_NO = 'HALL01-20261126-C03-0042';
const KEY = generateConsoleSigningKey();
const qr = (kind: SignedDocumentKind, number = RECEIPT_NO): string =>
  signDocumentQr(KEY, { kind, number, consoleId: 'C03', issuedAt: '2026-11-26T01:30:00Z' });
const common = { hallName: '示例市政务服务中心', receiptNo: RECEIPT_NO, serviceItem: '不动产登记（转移登记）', applicant: APPLICANT };

const DOCS: Record<ReceiptKind, ReceiptDocument> = {
  'acceptance-receipt': acceptanceReceipt({
    ...common,
    acceptedAt: '2026-11-26T01:30:00Z',
    promisedDeadline: '2026-12-08',
    materials: [
      { name: '居民身份证', form: 'original', count: 1 },
      { name: '不动产权证书', form: 'copy', count: 2 },
    ],
    clerkName: CLERK,
    counter: '3号窗口',
    qrPayload: qr('acceptance-receipt'),
  }),
  'correction-notice': correctionNotice({
    ...common,
    issuedAt: '2026-11-26T01:30:00Z',
    items: [
      { name: '居民身份证', note: '已过有效期，请提供有效期内的原件' },
      { name: '完税证明', note: '未提交' },
    ],
    returnBy: '2026-12-08',
    clerkName: CLERK,
    counter: '3号窗口',
    qrPayload: qr('correction-notice'),
  }),
  'refusal-decision': refusalDecision({
    ...common,
    decidedAt: '2026-11-26T01:30:00Z',
    reason: '申请事项依法不需要取得行政许可。\n根据《中华人民共和国行政许可法》第三十二条第一款第（一）项的规定，决定不予受理。',
    clerkName: CLERK,
    counter: '3号窗口',
    qrPayload: qr('refusal-decision'),
  }),
  'payment-notice': paymentNotice({
    ...common,
    fees: [
      { name: '不动产登记费', amountFen: 8000 },
      { name: '证书工本费', amountFen: 1050 },
    ],
    paymentCode: '4201202611260042',
    paymentQr: 'FSPAY:4201202611260042:9050',
    issuedAt: '2026-11-26T01:30:00Z',
    payableBy: '2026-12-01',
    qrPayload: qr('payment-notice'),
  }),
  'queue-ticket': queueTicket({
    hallName: '示例市政务服务中心',
    ticketNo: 'A012',
    groupName: '不动产登记',
    issuedAt: '2026-11-26T01:30:00Z',
    waitingAhead: 5,
    expectedWaitMinutes: 18,
    applicantIdNumber: APPLICANT.idNumber,
    qrPayload: qr('queue-ticket', 'A012'),
  }),
  'test-page': testPage({ hallName: '示例市政务服务中心', printerLabel: '模拟打印机', printedAt: '2026-11-26T01:30:00Z' }),
};

// ---- a small PDF reader (pdfkit's output: plain objects, Flate streams, no object streams) ----

interface PdfObject {
  dict: string;
  stream: Buffer | null;
}

function readObjects(pdf: Buffer): Map<number, PdfObject> {
  const text = pdf.toString('latin1');
  const objects = new Map<number, PdfObject>();
  const header = /(\d+) 0 obj\n/g;
  for (let m = header.exec(text); m !== null; m = header.exec(text)) {
    const start = header.lastIndex;
    const streamAt = text.indexOf('\nstream\n', start);
    const endAt = text.indexOf('\nendobj', start);
    if (streamAt !== -1 && streamAt < endAt) {
      const dict = text.slice(start, streamAt);
      const length = Number(/\/Length (\d+)/.exec(dict)?.[1]);
      const raw = pdf.subarray(streamAt + 8, streamAt + 8 + length);
      objects.set(Number(m[1]), { dict, stream: dict.includes('/FlateDecode') ? inflateSync(raw) : Buffer.from(raw) });
      header.lastIndex = streamAt + 8 + length;
    } else {
      objects.set(Number(m[1]), { dict: text.slice(start, endAt), stream: null });
      header.lastIndex = endAt;
    }
  }
  return objects;
}

/** ToUnicode CMap (pdfkit writes `<start> <end> [<u> <u> …]` ranges) → code → text. */
function toUnicode(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const [, start, , list] of cmap.matchAll(/<([0-9a-f]+)> <([0-9a-f]+)> \[([^\]]*)\]/gi)) {
    [...list!.matchAll(/<([0-9a-f ]+)>/gi)].forEach(([, units], k) => {
      map.set(Number.parseInt(start!, 16) + k, String.fromCharCode(...units!.split(' ').map((u) => Number.parseInt(u, 16))));
    });
  }
  return map;
}

interface ReadPdf {
  raw: string;
  objects: Map<number, PdfObject>;
  /** One entry per page: its text, one line per TJ. */
  pages: string[];
}

function readPdf(pdf: Buffer): ReadPdf {
  const objects = readObjects(pdf);
  const ref = (dict: string, key: string): PdfObject | undefined => {
    const id = new RegExp(`/${key} (\\d+) 0 R`).exec(dict)?.[1];
    return id === undefined ? undefined : objects.get(Number(id));
  };
  const catalog = [...objects.values()].find((o) => o.dict.includes('/Type /Pages'));
  const kids = [...(/\/Kids \[([^\]]*)\]/.exec(catalog?.dict ?? '')?.[1] ?? '').matchAll(/(\d+) 0 R/g)].map((k) => objects.get(Number(k[1]))!);
  const pages = kids.map((page) => {
    const resources = ref(page.dict, 'Resources')!;
    const fonts = new Map<string, Map<number, string>>();
    for (const [, name, id] of resources.dict.matchAll(/\/(F\d+) (\d+) 0 R/g)) {
      const cmap = ref(objects.get(Number(id))!.dict, 'ToUnicode')?.stream;
      if (cmap) fonts.set(name!, toUnicode(cmap.toString('latin1')));
    }
    const content = ref(page.dict, 'Contents')!.stream!.toString('latin1');
    const lines: string[] = [];
    let font = new Map<number, string>();
    for (const [, fontName, tj] of content.matchAll(/\/(F\d+) [\d.]+ Tf|\[((?:<[0-9a-f]*>|[^\]<])*)\] TJ/g)) {
      if (fontName) font = fonts.get(fontName) ?? new Map();
      else
        lines.push(
          [...tj!.matchAll(/<([0-9a-f]*)>/g)]
            .map(([, hex]) => (hex!.match(/.{4}/g) ?? []).map((code) => font.get(Number.parseInt(code, 16)) ?? '\uFFFD').join(''))
            .join(''),
        );
    }
    return lines.join('\n');
  });
  return { raw: pdf.toString('latin1'), objects, pages };
}

// ---- the tests ----

const rendered = new Map<ReceiptKind, { bytes: Buffer; pdf: ReadPdf }>();
let outDir = '';

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'hall-pdf-'));
  const started = performance.now();
  for (const kind of RECEIPT_KINDS) {
    const bytes = await renderDocumentPdf(DOCS[kind]);
    rendered.set(kind, { bytes, pdf: readPdf(bytes) });
    writeFileSync(join(outDir, `${kind}.pdf`), bytes); // for a look when a test fails (removed afterwards)
  }
  console.info(`pdf export: ${RECEIPT_KINDS.length} documents in ${Math.round(performance.now() - started)} ms (${outDir})`);
}, 30_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

const each = (fn: (kind: ReceiptKind, r: { bytes: Buffer; pdf: ReadPdf }) => void): void => {
  for (const kind of RECEIPT_KINDS) fn(kind, rendered.get(kind)!);
};

describe('renderDocumentPdf', () => {
  it('writes a PDF of A4 pages for every document kind', () => {
    each((kind, { bytes, pdf }) => {
      expect(bytes.subarray(0, 5).toString('latin1'), kind).toBe('%PDF-');
      expect(bytes.subarray(-6).toString('latin1').trim()).toBe('%%EOF');
      expect(pdf.pages.length, kind).toBeGreaterThanOrEqual(1);
      const boxes = [...pdf.raw.matchAll(/\/MediaBox \[([^\]]*)\]/g)].map((m) => m[1]);
      expect(boxes).toEqual(pdf.pages.map(() => `0 0 ${A4.width} ${A4.height}`));
      expect(A4).toEqual({ width: 595.28, height: 841.89 });
      expect(readFileSync(join(outDir, `${kind}.pdf`)).equals(bytes)).toBe(true);
    });
  });

  it('embeds one subset of the Chinese font (CFF in FontFile3) and no other font', () => {
    each((kind, { pdf }) => {
      const fonts = [...new Set([...pdf.raw.matchAll(/\/BaseFont \/(\S+)/g)].map((m) => m[1]))];
      expect(fonts, kind).toHaveLength(1);
      expect(fonts[0]).toMatch(/^[A-Z]{6}\+NotoSansHans-Regular$/);
      const file = [...pdf.objects.values()].find((o) => o.dict.includes('/Subtype /CIDFontType0C'));
      expect(file?.stream?.length ?? 0, kind).toBeGreaterThan(1000);
      expect(pdf.raw).toContain('/FontFile3');
      expect(file!.stream!.length).toBeLessThan(200_000); // a subset, not the 8 MB font
    });
  });

  it('draws the QR codes as grey image XObjects: the signed one, and the payment one on a 缴款通知', () => {
    each((kind, { pdf }) => {
      const images = [...pdf.objects.values()].filter((o) => o.dict.includes('/Subtype /Image'));
      expect(images.length, kind).toBe(kind === 'payment-notice' ? 2 : 1);
      for (const image of images) {
        expect(image.dict).toContain('/ColorSpace /DeviceGray');
        expect(image.dict).not.toContain('/SMask');
      }
    });
  });

  it('lays out each document with its title, hall, fields and page footer', () => {
    each((kind, { pdf }) => {
      const text = pdf.pages.join('\n');
      expect(text, kind).toContain(RECEIPT_TITLES[kind]);
      expect(text).toContain('示例市政务服务中心');
      expect(pdf.pages[0]).toContain(`第 1 页 / 共 ${pdf.pages.length} 页`);
      if (kind !== 'queue-ticket' && kind !== 'test-page') expect(text).toContain(`办件编号 ${RECEIPT_NO}`);
    });
    const text = (kind: ReceiptKind): string => rendered.get(kind)!.pdf.pages.join('\n');
    expect(text('acceptance-receipt')).toContain('已收材料（2项）');
    expect(text('acceptance-receipt')).toContain('不动产权证书');
    expect(text('acceptance-receipt')).toContain('2026年12月8日');
    expect(text('correction-notice')).toContain('已过有效期，请提供有效期内的原件');
    expect(text('correction-notice').replace(/\n/g, '')).toContain('本告知书为一次性告知');
    expect(text('refusal-decision').replace(/\n/g, '')).toContain('申请人如不服本决定，可在收到本决定书之日起六十日内依法申请行政复议');
    expect(text('refusal-decision')).toContain('申请事项依法不需要取得行政许可。');
    expect(text('payment-notice')).toContain(formatFen(9050));
    expect(text('payment-notice')).toContain('缴款码：4201202611260042');
    expect(text('queue-ticket')).toContain('A012');
    expect(text('queue-ticket')).toContain('您前面还有 5 人等候');
    expect(text('test-page')).toContain('模拟打印机');
  });

  it('shows personal data only masked', () => {
    each((kind, { pdf }) => {
      const text = pdf.pages.join('\n');
      if (kind !== 'test-page') expect(text, kind).toContain(MASKED.id);
      if (kind !== 'test-page' && kind !== 'queue-ticket') expect(text, kind).toContain(MASKED.name);
      const everything = [pdf.raw, ...[...pdf.objects.values()].flatMap((o) => (o.stream ? [o.stream.toString('latin1'), o.stream.toString('utf16le')] : []))];
      for (const secret of [APPLICANT.name, APPLICANT.idNumber, CLERK]) {
        expect(text).not.toContain(secret);
        for (const blob of everything) expect(blob).not.toContain(secret);
      }
    });
  });

  it('refuses a document with a clear name or ID number (the schemas are checked again)', async () => {
    const doc = DOCS['refusal-decision'];
    await expect(renderDocumentPdf({ ...doc, applicantId: APPLICANT.idNumber } as ReceiptDocument)).rejects.toThrow();
    await expect(renderDocumentPdf({ ...doc, applicantName: APPLICANT.name } as ReceiptDocument)).rejects.toThrow();
  });

  it('continues a long list on the next pages, repeating the table header, with page x / y on each', async () => {
    const items = Array.from({ length: 40 }, (_, k) => ({ name: `材料${k + 1}`, note: '复印件需加盖单位公章并注明与原件一致，原件已过有效期的请提供有效期内的原件' }));
    const pdf = readPdf(await renderDocumentPdf(correctionNotice({ ...common, issuedAt: '2026-11-26T01:30:00Z', items, returnBy: null, clerkName: CLERK, counter: '3号窗口', qrPayload: qr('correction-notice') }), { reprint: true }));
    expect(pdf.pages.length).toBeGreaterThanOrEqual(2);
    pdf.pages.forEach((page, k) => {
      expect(page).toContain(`第 ${k + 1} 页 / 共 ${pdf.pages.length} 页`);
      expect(page).toContain(`办件编号 ${RECEIPT_NO}`);
    });
    expect(pdf.pages[1]).toContain('需补齐补正的内容'); // header again
    expect(pdf.pages.join('\n')).toContain('材料40');
    expect(pdf.pages[0]).toContain('（补打）');
  });

  it('finds its font inside the npm package, not on the system', () => {
    const file = chineseFontFile();
    expect(existsSync(file)).toBe(true);
    expect(file).toContain(`node_modules${sep}@embedpdf${sep}fonts-sc${sep}fonts${sep}NotoSansHans-Regular.otf`);
  });
});
