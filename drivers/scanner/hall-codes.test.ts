import { describe, expect, it } from 'vitest';
import { formatReceiptQr, formatTicketQr, isBusinessDate, parseHallCode, parseReceiptNumber, verifyHallCode, type HallCode } from './hall-codes';

const SIG = 'A'.repeat(86); // an Ed25519 signature is 64 bytes = 86 base64url characters
const sign = () => SIG;

describe('receipt numbers', () => {
  it('splits HALL01-20261126-C03-0042', () => {
    expect(parseReceiptNumber('HALL01-20261126-C03-0042')).toEqual({
      value: 'HALL01-20261126-C03-0042',
      hallCode: 'HALL01',
      date: '20261126',
      consoleId: 'C03',
      sequence: 42,
    });
  });

  it.each(['HALL01-20261131-C03-0042', 'HALL01-20261126-03-0042', 'hall01-20261126-C03-0042', 'HALL01-20261126-C03-42', 'HALL01-20261126-C03-0042-1', 'HALL01-2026-11-26-C03-0042'])(
    'refuses %s',
    (value) => expect(parseReceiptNumber(value)).toBeNull(),
  );

  it('knows real calendar days, leap years included', () => {
    expect(isBusinessDate('20280229')).toBe(true);
    expect(isBusinessDate('20270229')).toBe(false);
    expect(isBusinessDate('21000228')).toBe(false);
    expect(isBusinessDate('20261300')).toBe(false);
    expect(isBusinessDate('20261231')).toBe(true);
  });
});

describe('parseHallCode', () => {
  it('reads a receipt QR and names the signed payload', () => {
    expect(parseHallCode(`HALL1:R:HALL01-20261126-C03-0042:${SIG}`)).toEqual({
      ok: true,
      code: {
        kind: 'receipt',
        receiptNo: expect.objectContaining({ value: 'HALL01-20261126-C03-0042', sequence: 42 }),
        signedPayload: 'HALL1:R:HALL01-20261126-C03-0042',
        signature: SIG,
      },
    });
  });

  it('reads a ticket QR', () => {
    expect(parseHallCode(`HALL1:T:20261126:A012:${SIG}`)).toEqual({
      ok: true,
      code: { kind: 'ticket', businessDate: '20261126', ticketNumber: 'A012', signedPayload: 'HALL1:T:20261126:A012', signature: SIG },
    });
  });

  it('is null for anything that is not ours', () => {
    for (const text of ['134567890123456789', 'https://example.gov.cn/HALL1:R', 'HALL:R:x:y', 'hall1:R:x:y', '']) expect(parseHallCode(text)).toBeNull();
  });

  it.each([
    [`HALL2:R:HALL01-20261126-C03-0042:${SIG}`, 'unsupported format version HALL2'],
    [`HALL1:X:HALL01-20261126-C03-0042:${SIG}`, 'unknown code type "X"'],
    [`HALL1:R:HALL01-20261126-C03-0042`, 'receipt QR has 3 fields'],
    [`HALL1:R:HALL01-20261126-C03-0042:${SIG}:extra`, 'receipt QR has 5 fields'],
    [`HALL1:R:HALL01-20261199-C03-0042:${SIG}`, 'receipt number is malformed'],
    [`HALL1:R:HALL01-20261126-C03-0042:short`, 'signature is not base64url'],
    [`HALL1:R:HALL01-20261126-C03-0042:${'A'.repeat(85)}=`, 'signature is not base64url'],
    [`HALL1:T:2026-11-26:A012:${SIG}`, 'business date is not a valid'],
    [`HALL1:T:2026:11:26:A012:${SIG}`, 'ticket QR has 7 fields'],
    [`HALL1:T:20261126:012:${SIG}`, 'ticket number is malformed'],
    [`HALL1:T:20260230:A012:${SIG}`, 'business date is not a valid'],
    [`HALL1:T:20261126:A012:${SIG}+`, 'signature is not base64url'],
  ])('says why %s is damaged', (text, reason) => {
    const r = parseHallCode(text);
    expect(r && !r.ok && r.reason).toContain(reason);
  });
});

describe('signatures', () => {
  const code = (parseHallCode(`HALL1:T:20261126:A012:${SIG}`) as { ok: true; code: HallCode }).code;

  it('is unchecked without a verifier, valid/invalid with one, invalid when the verifier throws', () => {
    expect(verifyHallCode(code)).toBe('unchecked');
    const seen: [string, string][] = [];
    expect(verifyHallCode(code, (payload, signature) => (seen.push([payload, signature]), true))).toBe('valid');
    expect(seen).toEqual([['HALL1:T:20261126:A012', SIG]]);
    expect(verifyHallCode(code, () => false)).toBe('invalid');
    expect(
      verifyHallCode(code, () => {
        throw new Error('bad key');
      }),
    ).toBe('invalid');
  });

  it('formats what it parses, signing exactly the payload', () => {
    const payloads: string[] = [];
    const receipt = formatReceiptQr('HALL01-20261126-C03-0042', (p) => (payloads.push(p), SIG));
    const ticket = formatTicketQr('20261126', 'B105', (p) => (payloads.push(p), SIG));
    expect(payloads).toEqual(['HALL1:R:HALL01-20261126-C03-0042', 'HALL1:T:20261126:B105']);
    expect(parseHallCode(receipt)).toMatchObject({ ok: true, code: { kind: 'receipt', signedPayload: payloads[0] } });
    expect(parseHallCode(ticket)).toMatchObject({ ok: true, code: { kind: 'ticket', ticketNumber: 'B105' } });
  });

  it('refuses to format malformed fields or a non-base64url signature', () => {
    expect(() => formatReceiptQr('HALL01-2026-C03', sign)).toThrow(RangeError);
    expect(() => formatTicketQr('20261126', 'a1', sign)).toThrow(RangeError);
    expect(() => formatTicketQr('20261126', 'A001', () => 'not base64url!')).toThrow(RangeError);
  });
});
