/**
 * The documents of a case beyond the 受理回执 (一次性告知书, 不予受理决定书, 缴款通知, 取号单): their builders
 * mask, their schemas refuse clear personal data and inconsistent content, and each one goes through
 * the real ESC/POS path (GB18030, native QR) and decodes back to its Chinese text and its QR payload.
 */
import { describe, expect, it } from 'vitest';
import { decodeEscpos, type EscposCommand } from './escpos-decode';
import {
  CorrectionNotice,
  correctionNotice,
  formatChineseDate,
  formatFen,
  LEGAL_REMEDY_NOTICE,
  paragraphLines,
  PaymentNotice,
  paymentNotice,
  QueueTicket,
  queueTicket,
  RECEIPT_KINDS,
  RECEIPT_TITLES,
  ReceiptDocument,
  referenceOf,
  RefusalDecision,
  refusalDecision,
  toMarkup,
  type CorrectionNoticeInput,
  type PaymentNoticeInput,
  type QueueTicketInput,
  type RefusalDecisionInput,
} from './receipt';
import { receiptToEscpos, receiptToSvg } from './render';

// Synthetic people only (the ID number is all zeros in the middle).
const APPLICANT = { name: '欧阳小明', idNumber: '11010500000000002X' };
const CLEAR = [APPLICANT.name, APPLICANT.idNumber, '王五'];
const RECEIPT_NO = 'HALL01-20261126-C03-0042';
const QR = `HALL2:R:${RECEIPT_NO}:C03:tp35i0:${'S'.repeat(86)}`;

const CORRECTION: CorrectionNoticeInput = {
  hallName: '示例市政务服务中心',
  receiptNo: RECEIPT_NO,
  serviceItem: '个体工商户设立登记',
  applicant: APPLICANT,
  issuedAt: '2026-11-26T02:05:00.000Z',
  items: [
    { name: '居民身份证', note: '已过有效期，请提供有效期内的原件' },
    { name: '经营场所使用证明', note: '未提交' },
  ],
  returnBy: '2026-12-08',
  clerkName: '王五',
  counter: '3号窗口',
  qrPayload: QR.replace(':R:', ':N:'),
};

const REFUSAL: RefusalDecisionInput = {
  hallName: '示例市政务服务中心',
  receiptNo: RECEIPT_NO,
  serviceItem: '个体工商户设立登记',
  applicant: APPLICANT,
  decidedAt: '2026-11-26T02:05:00.000Z',
  reason: '申请事项依法不属于本机关职权范围。\r\n请向市场监督管理部门申请。',
  clerkName: '王五',
  counter: '3号窗口',
  qrPayload: QR.replace(':R:', ':D:'),
};

const PAYMENT: PaymentNoticeInput = {
  hallName: '示例市政务服务中心',
  receiptNo: RECEIPT_NO,
  serviceItem: '不动产登记（转移登记）',
  applicant: APPLICANT,
  fees: [
    { name: '不动产登记费', amountFen: 8000 },
    { name: '证书工本费', amountFen: 1005 },
  ],
  paymentCode: '42012026112600420',
  paymentQr: 'FSPAY:42012026112600420:9005',
  issuedAt: '2026-11-26T02:05:00.000Z',
  payableBy: '2026-12-01',
  qrPayload: QR.replace(':R:', ':P:'),
};

const TICKET: QueueTicketInput = {
  hallName: '示例市政务服务中心',
  ticketNo: 'A012',
  groupName: '不动产登记',
  issuedAt: '2026-11-26T00:58:00.000Z',
  waitingAhead: 7,
  expectedWaitMinutes: 21,
  applicantIdNumber: APPLICANT.idNumber,
  qrPayload: `HALL2:T:A012:K01:tp35i0:${'T'.repeat(86)}`,
};

const samples = () => [correctionNotice(CORRECTION), refusalDecision(REFUSAL), paymentNotice(PAYMENT), queueTicket(TICKET)];

function qrStores(commands: EscposCommand[]): string[] {
  return commands.flatMap((c) => (c.op === 'qr' && c.action === 'store' ? [c.data] : []));
}

describe('document builders', () => {
  it('mask the applicant (and clerk); no document holds clear personal data', () => {
    const [notice, decision, payment, ticket] = samples();
    for (const doc of [notice!, decision!, payment!]) {
      expect(doc).toMatchObject({ applicantName: '欧**明', applicantId: '1101**********002X' });
    }
    expect(notice).toMatchObject({ clerk: '王*' });
    expect(decision).toMatchObject({ clerk: '王*' });
    expect(ticket).toMatchObject({ applicantId: '1101**********002X' });
    const json = JSON.stringify(samples());
    for (const secret of CLEAR) expect(json).not.toContain(secret);
    for (const doc of samples()) expect(ReceiptDocument.parse(doc)).toEqual(doc);
  });

  it('fill in the defaults: remedy sentence, no return date, computed total, no ID on a plain ticket', () => {
    expect(refusalDecision(REFUSAL).remedy).toBe(LEGAL_REMEDY_NOTICE);
    expect(LEGAL_REMEDY_NOTICE).toBe('申请人如不服本决定，可在收到本决定书之日起六十日内依法申请行政复议，或者六个月内依法提起行政诉讼。');
    expect(refusalDecision(REFUSAL).reason).toBe('申请事项依法不属于本机关职权范围。\n请向市场监督管理部门申请。');
    expect(correctionNotice({ ...CORRECTION, returnBy: undefined }).returnBy).toBeNull();
    expect(paymentNotice(PAYMENT).totalFen).toBe(9005);
    expect(paymentNotice({ ...PAYMENT, payableBy: null }).payableBy).toBeNull();
    expect(queueTicket({ ...TICKET, applicantIdNumber: null }).applicantId).toBeNull();
    expect(queueTicket({ ...TICKET, applicantIdNumber: undefined }).applicantId).toBeNull();
  });

  it('refuse what cannot be printed: empty lists, control characters, blank reasons', () => {
    expect(() => correctionNotice({ ...CORRECTION, items: [] })).toThrow();
    expect(() => correctionNotice({ ...CORRECTION, items: [{ name: '材料', note: '第一行\n第二行' }] })).toThrow();
    expect(() => correctionNotice({ ...CORRECTION, returnBy: '2026-13-01' })).toThrow();
    expect(() => refusalDecision({ ...REFUSAL, reason: '理由\t含制表符' })).toThrow();
    expect(() => refusalDecision({ ...REFUSAL, reason: '理由\x07' })).toThrow();
    expect(() => refusalDecision({ ...REFUSAL, reason: ' \n \n' })).toThrow();
    expect(() => queueTicket({ ...TICKET, ticketNo: 'a012' })).toThrow();
    expect(() => queueTicket({ ...TICKET, waitingAhead: -1 })).toThrow();
    expect(() => queueTicket({ ...TICKET, applicantIdNumber: '' })).toThrow();
    expect(() => paymentNotice({ ...PAYMENT, paymentQr: 'FSPAY\n1' })).toThrow();
  });
});

describe('document schemas', () => {
  it('refuse unmasked names and ID numbers, like the 受理回执', () => {
    const [notice, decision, payment, ticket] = samples();
    expect(CorrectionNotice.safeParse({ ...notice, applicantName: APPLICANT.name }).success).toBe(false);
    expect(CorrectionNotice.safeParse({ ...notice, applicantId: APPLICANT.idNumber }).success).toBe(false);
    expect(CorrectionNotice.safeParse({ ...notice, clerk: '王五' }).success).toBe(false);
    expect(RefusalDecision.safeParse({ ...decision, applicantName: APPLICANT.name }).success).toBe(false);
    expect(RefusalDecision.safeParse({ ...decision, applicantId: APPLICANT.idNumber }).success).toBe(false);
    expect(RefusalDecision.safeParse({ ...decision, clerk: '王五' }).success).toBe(false);
    expect(PaymentNotice.safeParse({ ...payment, applicantName: APPLICANT.name }).success).toBe(false);
    expect(PaymentNotice.safeParse({ ...payment, applicantId: APPLICANT.idNumber }).success).toBe(false);
    expect(QueueTicket.safeParse({ ...ticket, applicantId: APPLICANT.idNumber }).success).toBe(false);
    for (const doc of [notice, decision, payment]) {
      expect(ReceiptDocument.safeParse({ ...doc, applicantId: APPLICANT.idNumber }).success).toBe(false);
    }
  });

  it('refuse a payment notice whose total is not the sum of its fee lines, or with money that is not integer fen', () => {
    const payment = paymentNotice(PAYMENT);
    expect(PaymentNotice.safeParse({ ...payment, totalFen: 9004 }).success).toBe(false);
    expect(ReceiptDocument.safeParse({ ...payment, totalFen: 9006 }).success).toBe(false);
    expect(() => paymentNotice({ ...PAYMENT, totalFen: 9000 })).toThrow(/sum of the fee lines/);
    expect(() => paymentNotice({ ...PAYMENT, fees: [{ name: '登记费', amountFen: 80.5 }] })).toThrow();
    expect(() => paymentNotice({ ...PAYMENT, fees: [{ name: '登记费', amountFen: -100 }] })).toThrow();
    expect(() => paymentNotice({ ...PAYMENT, fees: [] })).toThrow();
    expect(PaymentNotice.safeParse({ ...payment, fees: [], totalFen: 0 }).success).toBe(false);
  });

  it('accept only payment codes of 8–32 digits and capital letters', () => {
    for (const code of ['12345678', 'ABCDEFGH', '4201202611260042ABCDEFGH01234567']) {
      expect(paymentNotice({ ...PAYMENT, paymentCode: code }).paymentCode).toBe(code);
    }
    for (const code of ['1234567', 'abcdefgh', '4201-2026-1126', '4201202611260042ABCDEFGH012345678', '４２０１２０２６', '']) {
      expect(() => paymentNotice({ ...PAYMENT, paymentCode: code }), code).toThrow();
    }
  });

  it('list every kind once, each with its Chinese title', () => {
    expect(new Set(RECEIPT_KINDS).size).toBe(RECEIPT_KINDS.length);
    expect(RECEIPT_KINDS).toEqual(expect.arrayContaining(['correction-notice', 'refusal-decision', 'payment-notice', 'queue-ticket']));
    expect(Object.keys(RECEIPT_TITLES).sort()).toEqual([...RECEIPT_KINDS].sort());
    expect(RECEIPT_TITLES).toMatchObject({
      'correction-notice': '一次性告知书',
      'refusal-decision': '不予受理决定书',
      'payment-notice': '缴款通知',
      'queue-ticket': '取号单',
    });
  });

  it('are referenced by receipt or ticket number', () => {
    expect(samples().map(referenceOf)).toEqual([RECEIPT_NO, RECEIPT_NO, RECEIPT_NO, 'A012']);
  });
});

describe('formatFen', () => {
  it('prints integer fen as yuan with two decimals, with integer arithmetic only', () => {
    expect(formatFen(1250)).toBe('¥12.50');
    expect(formatFen(0)).toBe('¥0.00');
    expect(formatFen(5)).toBe('¥0.05');
    expect(formatFen(100)).toBe('¥1.00');
    expect(formatFen(-5)).toBe('-¥0.05');
    expect(formatFen(123456789)).toBe('¥1234567.89');
    expect(formatFen(Number.MAX_SAFE_INTEGER)).toBe('¥90071992547409.91');
    expect(formatFen(9007199254740899)).toBe('¥90071992547408.99'); // a float division would round this to …09.00
  });

  it('refuses anything but a safe integer', () => {
    for (const bad of [12.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) expect(() => formatFen(bad)).toThrow(RangeError);
  });
});

describe('printing the documents (ESC/POS, GB18030)', () => {
  it('一次性告知书: says it is a one-time notice listing every material, with its QR', () => {
    const doc = correctionNotice(CORRECTION);
    const { text, commands } = decodeEscpos(receiptToEscpos(doc));
    for (const line of [
      '一次性告知书',
      '办件编号   HALL01-20261126-C03-0042',
      '申请人     欧**明',
      '证件号码   1101**********002X',
      '告知时间   2026-11-26 10:05',
      '经办人     王*',
      '补正期限   2026-12-08',
      '2.   经营场所使用证明：未提交',
    ]) {
      expect(text).toContain(line);
    }
    const flat = text.replace(/\s+/g, ''); // long lines wrap at 48 columns
    for (const sentence of ['（共2项）', '1.居民身份证：已过有效期，请提供有效期内的原件', '请于2026年12月8日前补齐补正上述全部材料，到3号窗口办理。', '本告知书为一次性告知，已列明需要补齐补正的全部材料']) {
      expect(flat).toContain(sentence);
    }
    expect(qrStores(commands)).toEqual([doc.qrPayload]);
    for (const secret of CLEAR) expect(text).not.toContain(secret);
  });

  it('不予受理决定书: the reason line by line and the legal remedy, with its QR', () => {
    const doc = refusalDecision(REFUSAL);
    const { text, commands } = decodeEscpos(receiptToEscpos(doc));
    for (const line of ['不予受理决定书', '决定时间   2026-11-26 10:05', '申请事项依法不属于本机关职权范围。', '请向市场监督管理部门申请。', '申请人如不服本决定']) {
      expect(text).toContain(line);
    }
    expect(text.replace(/\s+/g, '')).toContain(LEGAL_REMEDY_NOTICE);
    expect(qrStores(commands)).toEqual([doc.qrPayload]);
  });

  it('缴款通知: fee lines and total in yuan, the payment code, the payment QR and the signed QR', () => {
    const doc = paymentNotice(PAYMENT);
    const { text, commands } = decodeEscpos(receiptToEscpos(doc));
    expect(text).toContain('缴款通知');
    expect(text).toContain('缴款人     欧**明');
    expect(text).toContain('缴款期限   2026-12-01前');
    expect(text).toMatch(/不动产登记费 +¥80\.00/);
    expect(text).toMatch(/证书工本费 +¥10\.05/);
    expect(text).toMatch(/合计 +¥90\.05/);
    expect(text).toContain('缴款码：42012026112600420');
    expect(qrStores(commands)).toEqual([doc.paymentQr, doc.qrPayload]);
  });

  it('取号单: the ticket number in big print, the wait and the masked ID, with its QR', () => {
    const doc = queueTicket(TICKET);
    const { text, commands } = decodeEscpos(receiptToEscpos(doc));
    for (const line of ['取号单', 'A012', '不动产登记', '您前面还有 7 人等候', '预计等候约 21 分钟', '取号时间   2026-11-26 08:58', '证件号码   1101**********002X']) {
      expect(text).toContain(line);
    }
    expect(commands).toContainEqual({ op: 'size', width: 5, height: 5 }); // ^^^^^^: 5× size
    expect(qrStores(commands)).toEqual([doc.qrPayload]);
    const plain = decodeEscpos(receiptToEscpos(queueTicket({ ...TICKET, applicantIdNumber: null, expectedWaitMinutes: null }))).text;
    expect(plain).not.toContain('证件号码');
    expect(plain).not.toContain('预计等候');
  });

  it('marks a reprint, and renders every kind for the preview too', () => {
    for (const doc of samples()) {
      expect(decodeEscpos(receiptToEscpos(doc, { reprint: true })).text).toContain('（补打）');
      expect(decodeEscpos(receiptToEscpos(doc)).text).not.toContain('补打');
      const svg = receiptToSvg(doc);
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain(`>${RECEIPT_TITLES[doc.kind].slice(0, 1)}<`);
    }
  });

  it('prints data with receiptline markup characters as itself', () => {
    const doc = correctionNotice({ ...CORRECTION, items: [{ name: '{code:EVIL}', note: '^^^大字 | 列 "粗"' }] });
    expect(decodeEscpos(receiptToEscpos(doc)).text).toContain('{code:EVIL}：^^^大字 | 列 "粗"');
    expect(toMarkup(doc)).not.toContain('{code:EVIL}');
  });
});

describe('text helpers', () => {
  it('split a paragraph into its printed lines and write dates the official way', () => {
    expect(paragraphLines(' 第一行 \n\n第二行\n')).toEqual(['第一行', '第二行']);
    expect(formatChineseDate('2026-12-08')).toBe('2026年12月8日');
    expect(() => formatChineseDate('2026/12/08')).toThrow(RangeError);
  });
});
