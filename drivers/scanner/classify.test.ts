import { describe, expect, it } from 'vitest';
import { classifyScan, displayText, EID_MIN_OPAQUE_LENGTH, maskTail, scanLogFields } from './classify';

const SIG = 'x'.repeat(86);
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
  it('recognises receipts and tickets, with the signature status', () => {
    expect(classifyScan(`HALL1:R:HALL01-20261126-C03-0042:${SIG}`)).toMatchObject({ kind: 'hall_receipt', signature: 'unchecked', receipt: { receiptNo: { sequence: 42 } } });
    expect(classifyScan(`HALL1:T:20261126:A012:${SIG}`, { verify: () => true })).toMatchObject({ kind: 'hall_ticket', signature: 'valid', ticket: { ticketNumber: 'A012' } });
    expect(classifyScan(`HALL1:T:20261126:A012:${SIG}`, { verify: () => false })).toMatchObject({ kind: 'hall_ticket', signature: 'invalid' });
  });

  it('tells a damaged or forged-looking code of ours apart from other text', () => {
    expect(classifyScan(`HALL1:R:HALL01-20261126-C03:${SIG}`)).toEqual({ kind: 'hall_invalid', reason: 'receipt number is malformed' });
  });

  it('our prefix wins over the e-ID shape (a long receipt QR is not an e-ID)', () => {
    expect(kind(`HALL1:R:HALL01-20261126-C03-0042:${'Ab1'.repeat(40)}`)).toBe('hall_receipt');
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
