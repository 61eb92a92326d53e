import receiptline from 'receiptline';
import { describe, expect, it } from 'vitest';
import {
  AcceptanceReceipt,
  acceptanceReceipt,
  escapeText,
  formatBeijingTime,
  ReceiptDocument,
  referenceOf,
  testPage,
  toMarkup,
} from './receipt';
import { SAMPLE_RECEIPT_INPUT, sampleReceipt } from './test-support';

/** receiptline's own plain-text rendering: what the markup says, without ESC/POS. */
const asText = (markup: string): string => receiptline.transform(markup, { command: 'text', encoding: 'gb18030', cpl: 48 });

describe('acceptanceReceipt', () => {
  it('masks the applicant and the clerk; the document holds no clear personal data', () => {
    const doc = sampleReceipt();
    expect(doc.applicantName).toBe('张*三');
    expect(doc.applicantId).toBe('4201**********1234');
    expect(doc.clerk).toBe('李*');
    const json = JSON.stringify(doc);
    for (const secret of [SAMPLE_RECEIPT_INPUT.applicant.name, SAMPLE_RECEIPT_INPUT.applicant.idNumber, SAMPLE_RECEIPT_INPUT.clerkName]) {
      expect(json).not.toContain(secret);
    }
  });

  it('refuses a document with a clear name or ID number', () => {
    const doc = sampleReceipt();
    expect(AcceptanceReceipt.safeParse({ ...doc, applicantName: '张小三' }).success).toBe(false);
    expect(AcceptanceReceipt.safeParse({ ...doc, applicantId: '420100000000001234' }).success).toBe(false);
    expect(AcceptanceReceipt.safeParse({ ...doc, clerk: '李四' }).success).toBe(false);
    expect(ReceiptDocument.safeParse(doc).success).toBe(true);
  });

  it('refuses control characters that would break the layout', () => {
    expect(() => acceptanceReceipt({ ...SAMPLE_RECEIPT_INPUT, serviceItem: '事项\n伪造一行' })).toThrow();
  });

  it('is referenced by its receipt number; a test page has no reference', () => {
    expect(referenceOf(sampleReceipt())).toBe('HALL01-20261126-C03-0042');
    expect(referenceOf(testPage({ hallName: '大厅', printerLabel: 'P', printedAt: '2026-11-26T01:00:00Z' }))).toBeNull();
  });
});

describe('toMarkup', () => {
  it('lays out the 受理回执 with every field, Beijing time and the materials', () => {
    const text = asText(toMarkup(sampleReceipt()));
    for (const line of [
      '受  理  回  执',
      '示例市政务服务中心',
      '办件编号   HALL01-20261126-C03-0042',
      '办理事项   不动产登记（转移登记）',
      '申请人     张*三',
      '证件号码   4201**********1234',
      '受理时间   2026-11-26 09:30',
      '承诺办结   2026-12-08',
      '受理窗口   3号窗口',
      '经办人     李*',
      '1.   居民身份证 原件 1份',
      '2.   不动产权证书 复印件 2份',
    ]) {
      expect(text).toContain(line);
    }
    expect(toMarkup(sampleReceipt())).toContain('{code:HC1:HALL01-20261126-C03-0042:c2lnbmF0dXJl;option:qrcode,5,m}');
  });

  it('prints an on-the-spot item and a reprint as such', () => {
    const doc = { ...sampleReceipt(), promisedDeadline: null };
    expect(asText(toMarkup(doc))).toContain('即办件，当场办结');
    expect(asText(toMarkup(doc, { reprint: true }))).toContain('（补打）');
    expect(asText(toMarkup(doc))).not.toContain('补打');
  });

  it('escapes receiptline markup characters in data so they print as themselves', () => {
    const nasty = 'A|B{c}-=~_"`^\\ 完';
    expect(asText(`|${escapeText(nasty)} |`).trim()).toBe(nasty);
    const doc = acceptanceReceipt({ ...SAMPLE_RECEIPT_INPUT, serviceItem: '{code:EVIL} ^^^大字 | 列' });
    expect(asText(toMarkup(doc))).toContain('{code:EVIL} ^^^大字 | 列');
  });

  it('renders the test page with rare characters', () => {
    const text = asText(toMarkup(testPage({ hallName: '示例大厅', printerLabel: '模拟打印机', printedAt: '2026-11-26T16:05:00Z' })));
    expect(text).toContain('打印机     模拟打印机');
    expect(text).toContain('打印时间   2026-11-27 00:05');
    expect(text).toContain('生僻字：䶮 𠀀 𪚥 㐀');
  });

  it('formats times in Beijing time (UTC+8)', () => {
    expect(formatBeijingTime('2026-12-31T16:30:00.000Z')).toBe('2027-01-01 00:30');
  });
});
