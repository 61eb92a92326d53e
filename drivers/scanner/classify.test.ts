import { describe, expect, it } from 'vitest';
import { documentQrVerifier, generateConsoleSigningKey, signDocumentQr } from '../../main/security/receipt-signature';
import { classifyScan, displayText, EID_MIN_OPAQUE_LENGTH, maskTail, scanLogFields } from './classify';

const SIG = 'x'.repeat(86);
const KEY = generateConsoleSigningKey();
const ISSUED = '2026-11-26T01:30:00.000Z';
const RECEIPT_QR = signDocumentQr(KEY, { kind: 'acceptance-receipt', number: 'HALL01-20261126-C03-0042', consoleId: 'C03', issuedAt: ISSUED });
const TICKET_QR = signDocumentQr(KEY, { kind: 'queue-ticket', number: 'A012-20261126', consoleId: 'C03', issuedAt: ISSUED });
/** Changes one character of the signed part (the receipt's sequence 0042 → 0043). */
const tamper = (qr: string) => qr.replace('-0042:', '-0043:').replace('A012-', 'A013-');
const kind = (text: string, options?: Parameters<typeof classifyScan>[1]) => classifyScan(text, options).kind;
const digits = (prefix: string, length: number) => prefix + '7'.repeat(length - prefix.length);

describe('classifyScan: payment codes', () => {
  it.each(['10', '11', '12', '13', '14', '15'])('WeChat: 18 digits starting %s', (prefix) => {
    expect(kind(digits(prefix, 18))).toBe('wechat_pay');
  });

  it('WeChat boundaries: 16 and 09 prefixes, 17 and 19 digits are not WeChat', () => {
    expect(kind(digits('16', 18))).toBe('other');
    expect(kind(digits('09', 18))).toBe('other');
    expect(kind(digits('13', 17))).toBe('other');
    expect(kind(digits('13', 19))).toBe('other');
  });

  it.each(['25', '26', '27', '28', '29', '30'])('Alipay: prefix %s', (prefix) => {
    expect(kind(digits(prefix, 16))).toBe('alipay');
    expect(kind(digits(prefix, 24))).toBe('alipay');
  });

  it('Alipay boundaries: 16–24 digits, prefixes 25–30 only', () => {
    expect(kind(digits('28', 15))).toBe('other');
    expect(kind(digits('28', 25))).toBe('other');
    expect(kind(digits('24', 18))).toBe('other');
    expect(kind(digits('31', 18))).toBe('other');
    expect(kind(digits('20', 18))).toBe('other');
  });

  it('UnionPay: 19 digits starting 62, nothing else', () => {
    expect(kind(digits('62', 19))).toBe('unionpay');
    expect(kind(digits('62', 18))).toBe('other');
    expect(kind(digits('62', 20))).toBe('other');
    expect(kind(digits('63', 19))).toBe('other');
    expect(kind(digits('6', 19))).toBe('other');
  });

  it('ignores surrounding whitespace (a scanner suffix) but not inner characters', () => {
    expect(classifyScan(` ${digits('13', 18)}\r\n`)).toEqual({ kind: 'wechat_pay', code: digits('13', 18) });
    expect(kind(`1345 6789 0123 4567 89`)).toBe('other');
    expect(kind('１３４５６７８９０１２３４５６７８９')).toBe('other'); // full-width digits are not a payment code
  });

  it('payment codes win over a configured e-ID pattern that also matches digits', () => {
    const eidPatterns = [/^\d{16,30}$/];
    expect(kind(digits('62', 19), { eidPatterns })).toBe('unionpay');
    expect(kind(digits('13', 18), { eidPatterns })).toBe('wechat_pay');
    expect(kind(digits('99', 20), { eidPatterns })).toBe('eid');
  });

  it('an EAN-13 or a receipt number is not a payment code', () => {
    expect(kind('6901234567892')).toBe('other');
    expect(kind('HALL01-20261126-C03-0042')).toBe('other');
  });
});

describe('classifyScan: our codes', () => {
  it('recognises the HALL2 documents the console prints: case documents as receipts, tickets as tickets', () => {
    expect(classifyScan(RECEIPT_QR)).toMatchObject({
      kind: 'hall_receipt',
      signature: 'unchecked',
      receipt: { version: 'HALL2', documentKind: 'acceptance-receipt', consoleId: 'C03', issuedAt: ISSUED, receiptNo: { value: 'HALL01-20261126-C03-0042', sequence: 42 } },
    });
    for (const [kind, documentKind] of [
      ['correction-notice', 'correction-notice'],
      ['refusal-decision', 'refusal-decision'],
      ['payment-notice', 'payment-notice'],
    ] as const) {
      const qr = signDocumentQr(KEY, { kind, number: 'HALL01-20261126-C03-0042', consoleId: 'C03', issuedAt: ISSUED });
      expect(classifyScan(qr)).toMatchObject({ kind: 'hall_receipt', receipt: { documentKind } });
    }
    expect(classifyScan(`${TICKET_QR}\r\n`)).toMatchObject({ kind: 'hall_ticket', signature: 'unchecked', ticket: { version: 'HALL2', ticketNumber: 'A012', businessDate: '20261126' } });
  });

  it('round-trips with receipt-signature.ts: valid when signed by a key we hold, invalid when altered', () => {
    const verify = documentQrVerifier({ C03: KEY.publicKeyBase64Url });
    expect(classifyScan(RECEIPT_QR, { verify })).toMatchObject({ kind: 'hall_receipt', signature: 'valid' });
    expect(classifyScan(TICKET_QR, { verify })).toMatchObject({ kind: 'hall_ticket', signature: 'valid' });
    expect(classifyScan(tamper(RECEIPT_QR), { verify })).toMatchObject({ kind: 'hall_receipt', signature: 'invalid', receipt: { receiptNo: { sequence: 43 } } });
    expect(classifyScan(tamper(TICKET_QR), { verify })).toMatchObject({ kind: 'hall_ticket', signature: 'invalid', ticket: { ticketNumber: 'A013' } });
    expect(classifyScan(RECEIPT_QR, { verify: documentQrVerifier({ C03: generateConsoleSigningKey().publicKeyBase64Url }) })).toMatchObject({ signature: 'invalid' });
    expect(classifyScan(RECEIPT_QR, { verify: documentQrVerifier({}) })).toMatchObject({ signature: 'invalid' }); // unknown console
  });

  it('still reads old HALL1 paper', () => {
    expect(classifyScan(`HALL1:R:HALL01-20261126-C03-0042:${SIG}`)).toMatchObject({ kind: 'hall_receipt', signature: 'unchecked', receipt: { version: 'HALL1', documentKind: null, receiptNo: { sequence: 42 } } });
    expect(classifyScan(`HALL1:T:20261126:A012:${SIG}`, { verify: () => true })).toMatchObject({ kind: 'hall_ticket', signature: 'valid', ticket: { ticketNumber: 'A012' } });
    expect(classifyScan(`HALL1:T:20261126:A012:${SIG}`, { verify: () => false })).toMatchObject({ kind: 'hall_ticket', signature: 'invalid' });
  });

  it('tells a damaged or forged-looking code of ours apart from other text', () => {
    expect(classifyScan(`HALL1:R:HALL01-20261126-C03:${SIG}`)).toEqual({ kind: 'hall_invalid', reason: 'receipt number is malformed' });
    expect(classifyScan(RECEIPT_QR.replace('-0042:', ':'))).toEqual({ kind: 'hall_invalid', reason: 'receipt number is malformed' });
    expect(classifyScan(TICKET_QR.replace('-20261126', ''))).toMatchObject({ kind: 'hall_invalid', reason: expect.stringContaining('ticket number is malformed') });
    expect(classifyScan(RECEIPT_QR.slice(0, -1))).toMatchObject({ kind: 'hall_invalid', reason: expect.stringContaining('signature') });
    expect(classifyScan(RECEIPT_QR.replace('HALL2', 'HALL3'))).toEqual({ kind: 'hall_invalid', reason: 'unsupported format version HALL3' });
  });

  it('our prefix wins over the e-ID shape (a long receipt QR is not an e-ID)', () => {
    expect(kind(`HALL1:R:HALL01-20261126-C03-0042:${'Ab1'.repeat(40)}`)).toBe('hall_receipt');
    expect(kind(RECEIPT_QR, { eidPatterns: [/^HALL/] })).toBe('hall_receipt');
  });
});

describe('classifyScan: e-ID and other', () => {
  const token = 'Q1RJRA' + 'aB3dE5fG7h'.repeat(10); // 106 chars of base64 alphabet

  it('takes a long opaque token for an e-ID QR by shape, and can be told not to', () => {
    expect(classifyScan(token)).toEqual({ kind: 'eid', match: 'shape' });
    expect(kind(token, { eidByShape: false })).toBe('other');
    expect(kind(token.slice(0, EID_MIN_OPAQUE_LENGTH - 1))).toBe('other');
  });

  it('does not take URLs, words or pure digits for an e-ID', () => {
    expect(kind('https://zwfw.example.gov.cn/qr?id=' + 'a1'.repeat(60))).toBe('other');
    expect(kind('A'.repeat(120))).toBe('other');
    expect(kind('1'.repeat(120))).toBe('other');
  });

  it('uses site-configured e-ID patterns, /g patterns included, consistently', () => {
    const eidPatterns = [/^CTID:/g];
    expect(classifyScan('CTID:abc', { eidPatterns })).toEqual({ kind: 'eid', match: 'configured' });
    expect(kind('CTID:abc', { eidPatterns })).toBe('eid'); // a stateful /g regex would alternate
    expect(kind('CTID:abc', { eidPatterns })).toBe('eid');
  });

  it('everything else is other', () => {
    expect(classifyScan('办事指南')).toEqual({ kind: 'other' });
    expect(classifyScan('')).toEqual({ kind: 'other' });
  });
});

describe('masking', () => {
  it('keeps only the last four characters of sensitive codes', () => {
    expect(maskTail('134567890123456789')).toBe('**************6789');
    expect(maskTail('abc')).toBe('***');
    expect(maskTail('中文字符串')).toBe('*文字符串');
    expect(displayText('134567890123456789', 'wechat_pay')).toBe('**************6789');
    expect(displayText('CTID:abcdefgh', 'eid')).toBe('*********efgh');
    expect(displayText('6901234567892', 'other')).toBe('6901234567892');
  });

  it('gives log fields without content', () => {
    const text = digits('62', 19);
    expect(scanLogFields(text, classifyScan(text))).toEqual({ kind: 'unionpay', length: 19 });
  });
});
